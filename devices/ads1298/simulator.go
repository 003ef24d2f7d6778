package ads1298

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

// Rail is the count an input with an open electrode drifts to (positive
// full scale), which the simulator writes on every channel the electrode
// feeds while it is off.
const Rail = 1<<23 - 1

// Simulator behaves like the board on its USB-serial bridge: from the
// moment the port is open it streams frames at 500 Hz, paced in real time
// (times Speed); it takes no commands.
type Simulator struct {
	// Source gives at least eight channels in board order (I, II, V1..V6,
	// see SelectLeads and LUDBSource) in mV, at any rate (resampled to
	// 500 Hz). nil: SyntheticLeads(72, Seed).
	Source sim.Source
	// Drop, when it returns true for packet number n (from 0), leaves that
	// packet out while its counter still advances: a lost packet.
	Drop func(n uint64) bool
	// LeadOff returns the electrodes that are off during packet n: their
	// status bits are set and the channels they feed sit at Rail.
	LeadOff func(n uint64) Electrode
	Seed    int64            // for the default source
	Now     func() time.Time // nil: time.Now
	Speed   float64          // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps the twelve leads of every frame written whole, for Sent.
	Record bool

	mu   sync.Mutex
	sent [len(Leads)][]int32
}

// Sent returns, by Signal.ID, the counts of the twelve leads (derived
// ones computed with Derive, as the driver does) of every frame fully
// written so far (only with Record set).
func (s *Simulator) Sent() map[string][]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]int32, len(Leads))
	for i, l := range Leads {
		out[l.ID] = append([]int32(nil), s.sent[i]...)
	}
	return out
}

// Run streams until ctx is done or a write fails for another reason than
// a timeout. It never reads the port.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	src := s.Source
	if src == nil {
		src = SyntheticLeads(72, s.Seed)
	}
	if src.Channels() < Channels {
		return fmt.Errorf("ads1298 simulator: source has %d channels, want %d in board order", src.Channels(), Channels)
	}
	src = sim.Resample(src, SampleRate)
	st := &stream{src: src, frame: make([]float64, src.Channels())}
	timeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)
	pacer := sim.NewPacer(SampleRate, s.Speed, now)
	tick, stopTicks := sim.Ticks(s.Tick, s.Speed)
	defer stopTicks()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
			if err := s.burst(port, st, pacer.Due(), timeout); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}

// stream is the sample generator's state.
type stream struct {
	src   sim.Source
	frame []float64
	n     uint64 // packets built, dropped ones included
	buf   []byte
	kept  []Packet
}

// Counts converts mV to converter counts, rounded and clamped to 24 bits.
func Counts(mV float64) int32 {
	c := math.Round(mV * 1000 / ScaleUV)
	return int32(min(1<<23-1, max(-(1<<23), c)))
}

func (s *Simulator) burst(port io.Writer, st *stream, n int, timeout time.Duration) error {
	if n == 0 {
		return nil
	}
	st.buf, st.kept = st.buf[:0], st.kept[:0]
	for range n {
		if err := st.src.Next(st.frame); err != nil {
			return fmt.Errorf("ads1298 simulator source: %w", err)
		}
		p := Packet{Counter: uint32(st.n)}
		var off Electrode
		if s.LeadOff != nil {
			off = s.LeadOff(st.n)
		}
		p.SetElectrodesOff(off)
		for c := range p.Channels {
			p.Channels[c] = Counts(st.frame[c])
			if channelElectrodes[c]&off != 0 {
				p.Channels[c] = Rail
			}
		}
		dropped := s.Drop != nil && s.Drop(st.n)
		st.n++
		if dropped {
			continue
		}
		st.buf = AppendFrame(st.buf, p)
		st.kept = append(st.kept, p)
	}
	w, err := devices.WriteBurst(port, st.buf, timeout)
	if s.Record {
		s.mu.Lock()
		for _, p := range st.kept[:w/FrameSize] {
			for i, v := range Derive(p.Channels) {
				s.sent[i] = append(s.sent[i], v)
			}
		}
		s.mu.Unlock()
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("ads1298 simulator stream: %w", err)
	}
	return nil
}
