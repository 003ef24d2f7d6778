package ad8232

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

// Simulator behaves like the Arduino sketch: from the moment the port is
// open it prints one line per sample at Rate, paced in real time (times
// Speed), "!" while the leads are off. It takes no commands.
type Simulator struct {
	// Source gives the ECG in mV on its first channel, at any rate
	// (resampled to Rate). nil: sim.NewSyntheticECG(72, Seed).
	Source sim.Source
	// Rate is the sketch's sample rate (0 = DefaultRate); the driver's
	// Rate must match.
	Rate float64
	// LeadsOff, when it returns true for line n (from 0), prints "!"
	// instead of the sample.
	LeadsOff func(n uint64) bool
	// ADCRefV and Baseline convert mV to counts as Driver's fields of the
	// same names convert back (0 = the defaults).
	ADCRefV  float64
	Baseline int32
	Seed     int64            // for the default source
	Now      func() time.Time // nil: time.Now
	Speed    float64          // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps the sample of every line written whole, for Sent.
	Record bool

	mu   sync.Mutex
	sent []int32
}

// Sent returns, under SignalID, the counts of every sample line written
// whole so far (only with Record set). Like the driver, it leaves out
// leads-off lines and the very first line, which a host opening the port
// mid-stream cannot trust.
func (s *Simulator) Sent() map[string][]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string][]int32{SignalID: append([]int32(nil), s.sent...)}
}

// Run streams until ctx is done or a write fails for another reason than
// a timeout. It never reads the port.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	rate := s.Rate
	if rate <= 0 {
		rate = DefaultRate
	}
	src := s.Source
	if src == nil {
		src = sim.NewSyntheticECG(72, s.Seed)
	}
	if src.Channels() < 1 {
		return errors.New("ad8232 simulator: source has no channel")
	}
	src = sim.Resample(src, rate)
	base := s.Baseline
	if base == 0 {
		base = DefaultBaseline
	}
	st := &stream{src: src, frame: make([]float64, src.Channels()), scale: ScaleMV(s.ADCRefV), base: base}
	timeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)
	pacer := sim.NewPacer(rate, s.Speed, now)
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

// line is one printed line of a burst: where it ends in the buffer and
// what Sent must get once it is out whole.
type line struct {
	start, end int
	value      int32
	record     bool // a sample line other than the first
}

// stream is the sketch's state between bursts.
type stream struct {
	src   sim.Source
	frame []float64
	scale float64
	base  int32
	n     uint64 // lines printed, dropped ones included
	buf   []byte
	lines []line
	// A line the port took only part of: the rest goes out first in the
	// next burst, as a UART never cuts a line.
	pending     []byte
	pendingLine line
}

// count converts mV to a 10-bit count around the baseline.
func (st *stream) count(mV float64) int32 {
	c := math.Round(mV/st.scale) + float64(st.base)
	return int32(min(MaxValue, max(0, c)))
}

func (s *Simulator) burst(port io.Writer, st *stream, n int, timeout time.Duration) error {
	st.buf, st.lines = st.buf[:0], st.lines[:0]
	hadPending := len(st.pending) > 0
	if hadPending {
		st.buf = append(st.buf, st.pending...)
		st.lines = append(st.lines, line{start: 0, end: len(st.buf), value: st.pendingLine.value, record: st.pendingLine.record})
		st.pending = st.pending[:0]
	}
	for range n {
		if err := st.src.Next(st.frame); err != nil {
			return fmt.Errorf("ad8232 simulator source: %w", err)
		}
		l := Line{Value: st.count(st.frame[0]), LeadsOff: s.LeadsOff != nil && s.LeadsOff(st.n)}
		start := len(st.buf)
		st.buf = AppendLine(st.buf, l)
		st.lines = append(st.lines, line{start: start, end: len(st.buf), value: l.Value, record: !l.LeadsOff && st.n > 0})
		st.n++
	}
	if len(st.buf) == 0 {
		return nil
	}
	w, err := devices.WriteBurst(port, st.buf, timeout)
	for i, l := range st.lines {
		if l.end <= w {
			continue
		}
		if l.start < w || (i == 0 && hadPending) {
			// Cut inside this line: finish it next time. Later lines of
			// the burst are lost.
			st.pending = append(st.pending, st.buf[w:l.end]...)
			st.pendingLine = l
		}
		break
	}
	if s.Record {
		s.mu.Lock()
		for _, l := range st.lines {
			if l.end > w {
				break
			}
			if l.record {
				s.sent = append(s.sent, l.value)
			}
		}
		s.mu.Unlock()
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("ad8232 simulator stream: %w", err)
	}
	return nil
}
