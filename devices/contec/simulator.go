package contec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// LiveRate is the number of live packets the device sends per second.
const LiveRate = 60

// Simulator answers host commands like a CMS50F and streams live packets
// while live mode is on, paced in real time because a pty has no baud rate.
// Scripted functions take the time since the simulator started streaming,
// in source time (frames sent / 60), so they do not depend on pacing.
// The zero value is usable: a 72 /min pulse at 97 %.
type Simulator struct {
	Pleth     sim.Source                 // 0..1, any rate (resampled to 60 Hz); nil: synthetic at 72 /min
	PR        func(t time.Duration) int  // pulse rate /min; nil: 72
	SpO2      func(t time.Duration) int  // %; nil: 97
	PI        func(t time.Duration) int  // perfusion index in 0.01 %; nil: not supported (FF FF)
	FingerOut func(t time.Duration) bool // scripted finger-out periods
	Model     string                     // reply to A8; "" = "CMS50F"
	Vendor    string                     // reply to A9; "" = "CONTEC"
	Now       func() time.Time           // nil: time.Now
	Speed     float64                    // 1 = real time; 0 = as fast as the port takes it
	// KeepAlive is how long live mode lasts after the last A1/AF; the real
	// device stops after about 30 s (0 = 30 s).
	KeepAlive time.Duration
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps every pleth count written, for Sent. Off by default so a
	// long demo does not grow without bound.
	Record bool

	streaming atomic.Bool
	mu        sync.Mutex
	sent      []int32
	numerics  []devices.Numeric
	mirror    numericMirror
	frames    int64 // live packets built since Run started
}

// numericMirror follows the driver's rule for when it emits numerics, so
// that Numerics can say what the driver must give back.
type numericMirror struct {
	n         int
	fingerOut bool
	hasPI     bool
	started   bool
}

func (m *numericMirror) add(l Live) []devices.Numeric {
	changed := m.started && l.FingerOut != m.fingerOut
	m.started, m.fingerOut = true, l.FingerOut
	due := m.n%LiveRate == 0 || changed
	m.n++
	if !due {
		return nil
	}
	st := func(invalid bool) devices.NumericStatus {
		if invalid || l.FingerOut {
			return devices.Unavailable
		}
		return devices.Valid
	}
	out := []devices.Numeric{
		{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: float64(l.SpO2), Unit: "%", Status: st(l.SpO2 == 0)},
		{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: float64(l.PR), Unit: "/min", Status: st(l.PR == 0)},
	}
	m.hasPI = m.hasPI || l.PI >= 0
	if m.hasPI {
		out = append(out, devices.Numeric{Code: devices.MDCPulsOximPerfRel, Label: "PI", Value: float64(l.PI) / 100, Unit: "%", Status: st(false)})
	}
	return out
}

// Numerics returns the numerics the driver must emit for the live packets
// written whole so far, in order, without times (only with Record set).
func (s *Simulator) Numerics() []devices.Numeric {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]devices.Numeric(nil), s.numerics...)
}

// Fixed returns a script that always gives v.
func Fixed(v int) func(time.Duration) int { return func(time.Duration) int { return v } }

// Streaming reports whether live mode is on (A1 received, not expired).
func (s *Simulator) Streaming() bool { return s.streaming.Load() }

// Sent returns the pleth counts of every live packet fully written to the
// port so far (only with Record set).
func (s *Simulator) Sent() []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int32(nil), s.sent...)
}

// Run serves the port until ctx is done or the port fails. A Read blocked on
// a port without read deadlines ends only when the caller closes the port;
// Run waits for it, so cancel ctx and close the port.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	pleth := s.Pleth
	if pleth == nil {
		pleth = sim.NewSyntheticPleth(72, 1)
	}
	pleth = sim.Resample(pleth, LiveRate)
	keepAlive := devices.DurationOr(s.KeepAlive, 30*time.Second)
	writeTimeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)
	pacer := sim.NewPacer(LiveRate, s.Speed, now)

	ctx, cancel := context.WithCancel(ctx)
	cmds := make(chan Packet, 8)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { readCommands(ctx, port, cmds, readErr) })
	defer func() {
		stop()
		s.streaming.Store(false)
	}()

	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	always := make(chan time.Time)
	close(always)
	var lastKeep time.Time
	frame := make([]float64, pleth.Channels())
	for {
		var tick <-chan time.Time
		if s.streaming.Load() {
			tick = ticker.C
			if s.Speed <= 0 {
				tick = always
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("contec simulator: %w", err))
		case p := <-cmds:
			reply, start, stop, keep := s.answer(p)
			switch {
			case start:
				if !s.streaming.Load() {
					pacer.Reset()
				}
				s.streaming.Store(true)
				lastKeep = now()
			case stop:
				s.streaming.Store(false)
			case keep && s.streaming.Load():
				lastKeep = now()
			}
			if len(reply) > 0 {
				if _, err := devices.WriteBurst(port, reply, writeTimeout); err != nil && !errors.Is(err, devices.ErrDropped) {
					return devices.OrCanceled(ctx, fmt.Errorf("contec simulator reply: %w", err))
				}
			}
		case <-tick:
			if now().Sub(lastKeep) > keepAlive {
				s.streaming.Store(false)
				continue
			}
			if err := s.burst(port, pleth, frame, pacer.Due(), writeTimeout); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}

// readCommands decodes host commands until the port fails or ctx is done.
func readCommands(ctx context.Context, port io.Reader, cmds chan<- Packet, readErr chan<- error) {
	devices.Forward(ctx, NewDecoder(port).Next, ErrNoData,
		func(p Packet) (Packet, bool) { return p, p.Type == TypeCommand }, cmds, readErr)
}

// answer returns the reply to a host command and what it does to live mode.
func (s *Simulator) answer(p Packet) (reply []byte, start, stop, keep bool) {
	switch p.Data[0] {
	case CmdLive:
		return nil, true, false, false
	case CmdStopLive:
		return Encode(Packet{Type: TypeStopped}), false, true, false
	case CmdStopStore:
		return Encode(Packet{Type: TypeStopped}), false, false, false
	case CmdKeepAlive:
		return nil, false, false, true
	case CmdVersion:
		return Encode(Packet{Type: TypeVersion, Data: []byte{0x00, 0x07}}), false, false, false
	case CmdModel:
		return modelPackets(orDefault(s.Model, "CMS50F")), false, false, false
	case CmdVendor:
		return Encode(Packet{Type: TypeVendor, Data: text7(0, orDefault(s.Vendor, "CONTEC"))}), false, false, false
	}
	return nil, false, false, false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// text7 is a 7-byte data field: a part index, then six characters padded
// with spaces.
func text7(part byte, s string) []byte {
	d := []byte{part, ' ', ' ', ' ', ' ', ' ', ' '}
	copy(d[1:], s)
	return d
}

// modelPackets splits a model name over the two 0x02 packets the device
// sends, six characters each.
func modelPackets(model string) []byte {
	var out []byte
	for part := range 2 {
		chunk := ""
		if len(model) > 6*part {
			chunk = model[6*part : min(len(model), 6*part+6)]
		}
		out = append(out, Encode(Packet{Type: TypeModel, Data: text7(byte(part), chunk)})...)
	}
	return out
}

// burst writes n live packets and records those that went out whole.
func (s *Simulator) burst(port io.Writer, pleth sim.Source, frame []float64, n int, timeout time.Duration) error {
	if n == 0 {
		return nil
	}
	buf := make([]byte, 0, n*9)
	counts := make([]int32, 0, n)
	lives := make([]Live, 0, n)
	for range n {
		if err := pleth.Next(frame); err != nil {
			return fmt.Errorf("contec simulator pleth source: %w", err)
		}
		l := s.live(time.Duration(float64(s.frames)*float64(time.Second)/LiveRate), frame[0])
		s.frames++
		buf = append(buf, Encode(l.Packet())...)
		counts = append(counts, int32(l.Pleth))
		lives = append(lives, l)
	}
	w, err := devices.WriteBurst(port, buf, timeout)
	if s.Record {
		s.mu.Lock()
		s.sent = append(s.sent, counts[:w/9]...)
		for _, l := range lives[:w/9] {
			s.numerics = append(s.numerics, s.mirror.add(l)...)
		}
		s.mu.Unlock()
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("contec simulator stream: %w", err)
	}
	return nil
}

// live builds the packet for source time t and a pleth value in 0..1.
func (s *Simulator) live(t time.Duration, v float64) Live {
	if s.FingerOut != nil && s.FingerOut(t) {
		// As captured: strength 4, pleth at mid-scale, nothing measured.
		return Live{Strength: 4, FingerOut: true, Pleth: 64, PI: -1}
	}
	l := Live{Strength: 5, PR: 72, SpO2: 97, PI: -1}
	l.Pleth = uint8(math.Round(min(1, max(0, v)) * 127))
	l.Bar = l.Pleth * 15 / 127
	if s.PR != nil {
		l.PR = s.PR(t)
	}
	if s.SpO2 != nil {
		l.SpO2 = s.SpO2(t)
	}
	if s.PI != nil {
		l.PI = s.PI(t)
	}
	return l
}
