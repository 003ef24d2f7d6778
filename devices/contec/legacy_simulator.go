package contec

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

// LegacySimulator plays a CMS50 that speaks the legacy 5-byte stream: it
// streams 60 packets a second from the start and ignores what the host
// writes (it reads and discards it, so a host's write never blocks).
// Scripted functions take source time (packets sent / 60). The zero value
// is usable: a 72 /min pulse at 97 %.
type LegacySimulator struct {
	Pleth     sim.Source                 // 0..1, any rate (resampled to 60 Hz); nil: synthetic at 72 /min
	PR        func(t time.Duration) int  // pulse rate /min; nil: 72
	SpO2      func(t time.Duration) int  // %; nil: 97
	FingerOut func(t time.Duration) bool // scripted finger-out periods
	Searching func(t time.Duration) bool // scripted pulse-search periods
	Now       func() time.Time           // nil: time.Now
	Speed     float64                    // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps what was written whole, for Sent and Numerics.
	Record bool

	mu       sync.Mutex
	sent     []int32
	numerics []devices.Numeric
	whole    int64 // packets written whole
	sensorIn bool  // as the driver tracks it, for Numerics
	frames   int64 // packets built
}

// Sent returns the pleth counts of every packet written whole, keyed by
// PlethSignal.ID (only with Record set).
func (s *LegacySimulator) Sent() map[string][]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string][]int32{PlethSignal.ID: append([]int32(nil), s.sent...)}
}

// Numerics returns the numerics the driver must emit for the packets
// written whole so far, in order, without times (only with Record set).
func (s *LegacySimulator) Numerics() []devices.Numeric {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]devices.Numeric(nil), s.numerics...)
}

// Run streams until ctx is done or the port fails. Cancel ctx and close the
// port to stop it.
func (s *LegacySimulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	pleth := s.Pleth
	if pleth == nil {
		pleth = sim.NewSyntheticPleth(72, 1)
	}
	pleth = sim.Resample(pleth, LiveRate)
	writeTimeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)
	pacer := sim.NewPacer(LiveRate, s.Speed, now)
	s.mu.Lock()
	s.sensorIn = true
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { discard(ctx, port, readErr) })
	defer stop()

	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	frame := make([]float64, pleth.Channels())
	for {
		if s.Speed > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case err := <-readErr:
				return devices.OrCanceled(ctx, fmt.Errorf("contec legacy simulator: %w", err))
			case <-ticker.C:
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := s.burst(port, pleth, frame, pacer.Due(), writeTimeout); err != nil {
			return devices.OrCanceled(ctx, err)
		}
	}
}

// discard reads and drops what the host writes until ctx is done or the
// port fails; a read error other than a timeout goes to errc.
func discard(ctx context.Context, port io.Reader, errc chan<- error) {
	buf := make([]byte, 256)
	for ctx.Err() == nil {
		if _, err := port.Read(buf); err != nil {
			if ctx.Err() == nil {
				errc <- err
			}
			return
		}
	}
}

// burst writes n packets and records those that went out whole.
func (s *LegacySimulator) burst(port io.Writer, pleth sim.Source, frame []float64, n int, timeout time.Duration) error {
	if n == 0 {
		return nil
	}
	buf := make([]byte, 0, n*LegacyPacketLen)
	pkts := make([]LegacyPacket, 0, n)
	for range n {
		if err := pleth.Next(frame); err != nil {
			return fmt.Errorf("contec legacy simulator pleth source: %w", err)
		}
		p := s.packet(time.Duration(float64(s.frames)*float64(time.Second)/LiveRate), frame[0])
		s.frames++
		b := p.Encode()
		buf = append(buf, b[:]...)
		pkts = append(pkts, p)
	}
	w, err := devices.WriteBurst(port, buf, timeout)
	if s.Record {
		s.record(pkts[:w/LegacyPacketLen])
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("contec legacy simulator stream: %w", err)
	}
	return nil
}

// record notes packets written whole, with the numerics the driver will
// emit for them: every 60th packet and at each finger change.
func (s *LegacySimulator) record(pkts []LegacyPacket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range pkts {
		s.sent = append(s.sent, int32(p.Pleth))
		changed := p.FingerOut == s.sensorIn
		s.sensorIn = !p.FingerOut
		if s.whole%LiveRate == 0 || changed {
			s.numerics = append(s.numerics, LegacyNumerics(p)...)
		}
		s.whole++
	}
}

// packet builds the packet for source time t and a pleth value in 0..1.
func (s *LegacySimulator) packet(t time.Duration, v float64) LegacyPacket {
	if s.FingerOut != nil && s.FingerOut(t) {
		return LegacyPacket{FingerOut: true, Searching: true, PR: LegacyNoPR, SpO2: LegacyNoSpO2}
	}
	p := LegacyPacket{Strength: 6, PR: 72, SpO2: 97}
	p.Pleth = uint8(math.Round(min(1, max(0, v)) * 127))
	p.Bar = p.Pleth * 15 / 127
	p.Beep = p.Pleth == 127
	if s.PR != nil {
		p.PR = s.PR(t)
	}
	if s.SpO2 != nil {
		p.SpO2 = s.SpO2(t)
	}
	if s.Searching != nil {
		p.Searching = s.Searching(t)
	}
	return p
}
