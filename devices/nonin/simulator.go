package nonin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// Simulator plays a Nonin oximeter: it stays silent until the host selects
// a format, ACKs DF2, DF7 and DF8 (NAKs anything else), and then streams
// that format paced in real time (× Speed), starting at frame 1 of a
// packet. Scripted functions take source time (frames sent / rate). The
// zero value is usable: a 72 /min pulse at 97 %.
type Simulator struct {
	Pleth sim.Source                // 0..1, any rate (resampled to 75 Hz); nil: synthetic at 72 /min
	HR    func(t time.Duration) int // /min; nil: 72
	SpO2  func(t time.Duration) int // %; nil: 97
	// Values, if set, gives all ten numerics of a packet and overrides HR
	// and SpO2; nil mirrors HR and SpO2 into the averaged values.
	Values     func(t time.Duration) Values
	SensorOff  func(t time.Duration) bool // sensor disconnected
	Artifact   func(t time.Duration) bool
	LowBattery func(t time.Duration) bool
	Firmware   byte             // frame 4 of every packet
	Now        func() time.Time // nil: time.Now
	Speed      float64          // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps what was written whole, for Sent and Numerics.
	Record bool

	mu       sync.Mutex
	format   Format
	sent     []int32
	numerics []devices.Numeric
}

// Format returns the format being streamed, 0 before the host chose one.
func (s *Simulator) Format() Format {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.format
}

// Sent returns the pleth counts of every frame written whole, keyed by the
// signal ID (only with Record set; empty for DF8).
func (s *Simulator) Sent() map[string][]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sent) == 0 {
		return map[string][]int32{}
	}
	return map[string][]int32{"pleth": append([]int32(nil), s.sent...)}
}

// Numerics returns the numerics of every packet (DF8: frame) written whole,
// in the driver's order, without times (only with Record set).
func (s *Simulator) Numerics() []devices.Numeric {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]devices.Numeric(nil), s.numerics...)
}

// stream is the state of the format being streamed.
type stream struct {
	f      Format
	pacer  *sim.Pacer
	frames int64  // frames built
	pkt    Packet // packet in progress
	data   [PacketFrames]byte
	intact bool // every frame of pkt so far went out whole
}

// Run serves the port until ctx is done or the port fails. Cancel ctx and
// close the port to stop it.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	pleth := s.Pleth
	if pleth == nil {
		pleth = sim.NewSyntheticPleth(72, 1)
	}
	pleth = sim.Resample(pleth, FrameRate)
	writeTimeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)

	ctx, cancel := context.WithCancel(ctx)
	cmds := make(chan Format, 4)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { readCommands(ctx, port, cmds, readErr) })
	defer stop()

	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	always := make(chan time.Time)
	close(always)
	var st *stream
	frame := make([]float64, pleth.Channels())
	for {
		var tick <-chan time.Time
		if st != nil {
			tick = ticker.C
			if s.Speed <= 0 {
				tick = always
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("nonin simulator: %w", err))
		case f := <-cmds:
			reply := []byte{NAK}
			if f.FrameLen() > 0 {
				reply = []byte{ACK}
				rate := float64(FrameRate)
				if f == DF8 {
					rate = 1
				}
				st = &stream{f: f, pacer: sim.NewPacer(rate, s.Speed, now), intact: true}
				s.mu.Lock()
				s.format = f
				s.mu.Unlock()
			}
			if _, err := devices.WriteBurst(port, reply, writeTimeout); err != nil && !errors.Is(err, devices.ErrDropped) {
				return devices.OrCanceled(ctx, fmt.Errorf("nonin simulator reply: %w", err))
			}
		case <-tick:
			if err := s.burst(port, st, pleth, frame, st.pacer.Due(), writeTimeout); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}

// readCommands scans the host's bytes for format commands.
func readCommands(ctx context.Context, port io.Reader, cmds chan<- Format, errc chan<- error) {
	buf := make([]byte, 64)
	var win []byte
	for ctx.Err() == nil {
		n, err := port.Read(buf)
		for _, b := range buf[:n] {
			win = append(win, b)
			if len(win) > 6 {
				win = win[1:]
			}
			if f, ok := ParseFormatCommand(win); ok {
				win = win[:0]
				select {
				case cmds <- f:
				case <-ctx.Done():
					return
				}
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				errc <- err
			}
			return
		}
	}
}

// built is one frame ready to go out, with what the driver will make of it.
type built struct {
	wire     []byte
	pleth    int32
	numerics []devices.Numeric // emitted once this frame is decoded, if it completes a packet
	last     bool              // ends a packet (DF2/DF7) or is a DF8 frame
}

// burst writes n frames and records those that went out whole.
func (s *Simulator) burst(port io.Writer, st *stream, pleth sim.Source, frame []float64, n int, timeout time.Duration) error {
	if n == 0 {
		return nil
	}
	var buf []byte
	fs := make([]built, 0, n)
	for range n {
		b, err := s.build(st, pleth, frame)
		if err != nil {
			return err
		}
		buf = append(buf, b.wire...)
		fs = append(fs, b)
	}
	w, err := devices.WriteBurst(port, buf, timeout)
	if s.Record {
		s.record(st, fs, w/st.f.FrameLen())
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("nonin simulator stream: %w", err)
	}
	return nil
}

// record notes the first whole frames of fs; a packet with a frame that
// did not go out whole brings no numerics, as the driver drops it.
func (s *Simulator) record(st *stream, fs []built, whole int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, b := range fs {
		if st.f != DF8 {
			if i < whole {
				s.sent = append(s.sent, b.pleth)
			} else {
				st.intact = false
			}
		}
		if b.last {
			if st.intact && i < whole {
				s.numerics = append(s.numerics, b.numerics...)
			}
			st.intact = true
		}
	}
}

func (s *Simulator) t(st *stream) time.Duration {
	if st.f == DF8 {
		return time.Duration(st.frames) * time.Second
	}
	return time.Duration(float64(st.frames) * float64(time.Second) / FrameRate)
}

func (s *Simulator) values(t time.Duration) Values {
	if s.Values != nil {
		return s.Values(t)
	}
	hr, spo2 := 72, 97
	if s.HR != nil {
		hr = s.HR(t)
	}
	if s.SpO2 != nil {
		spo2 = s.SpO2(t)
	}
	return Values{HR: hr, SpO2: spo2, SpO2D: spo2, SpO2Fast: spo2, SpO2BB: spo2, EHR: hr, ESpO2: spo2, ESpO2D: spo2, HRD: hr, EHRD: hr}
}

func is(f func(time.Duration) bool, t time.Duration) bool { return f != nil && f(t) }

// build makes the next frame of the stream.
func (s *Simulator) build(st *stream, pleth sim.Source, frame []float64) (built, error) {
	t := s.t(st)
	st.frames++
	off := is(s.SensorOff, t)
	if st.f == DF8 {
		v := s.values(t)
		fr := Frame{HR: v.HR, SpO2: v.SpO2}
		if off {
			fr.Status |= DF8SNSD
			fr.HR, fr.SpO2 = MissingHR, MissingSpO2
		}
		if is(s.Artifact, t) {
			fr.Status |= DF8Artifact
		}
		if is(s.LowBattery, t) {
			fr.Status2 |= DF8LowBattery
		}
		return built{wire: Encode(DF8, fr), numerics: DF8Numerics(fr), last: true}, nil
	}
	if err := pleth.Next(frame); err != nil {
		return built{}, fmt.Errorf("nonin simulator pleth source: %w", err)
	}
	i := int((st.frames - 1) % PacketFrames)
	if i == 0 {
		st.pkt = Packet{Values: s.values(t), Firmware: s.Firmware, Timer: int(t/time.Second) % (1 << 14)}
		if off {
			m := MissingSpO2
			st.pkt.Values = Values{MissingHR, m, m, m, m, MissingHR, m, m, MissingHR, MissingHR}
		}
		if is(s.LowBattery, t) {
			st.pkt.Stat2 |= Stat2LowBattery
		}
		st.data = st.pkt.Data()
	}
	fr := Frame{Data: st.data[i], Status: StatusGPRF}
	if i == 0 {
		fr.Status |= StatusSync
	}
	if off {
		fr.Status = fr.Status&StatusSync | StatusSNSD
	} else {
		full := 65535.0
		if st.f == DF2 {
			full = 255
		}
		fr.Pleth = uint16(math.Round(min(1, max(0, frame[0])) * full))
	}
	if is(s.Artifact, t) {
		fr.Status |= StatusARTF
	}
	st.pkt.Status |= fr.Status &^ StatusSync
	b := built{wire: Encode(st.f, fr), pleth: int32(fr.Pleth)}
	if i == PacketFrames-1 {
		b.last = true
		b.numerics = PacketNumerics(st.pkt)
	}
	return b, nil
}
