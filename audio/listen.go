package audio

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Processor filters captured audio in place (dsp/audiofilter.Stethoscope).
type Processor interface {
	Process(buf []float32)
}

// Listener plays what an input captures to an output, through a filter:
// the live stethoscope. It measures the time each sample spends between
// arriving in the input buffer and being handed to the output buffer.
type Listener struct {
	ring   *Ring
	filter Processor
	tap    *Ring // a copy of the filtered sound for the recorder and the display; may be nil
	in     Stream
	out    Stream
	period time.Duration

	mu      sync.Mutex
	marks   []mark // input buffers not yet fully played: cumulative end, arrival
	written uint64
	played  uint64
	lat     []time.Duration // the latest measurements, a ring
	latN    int
	scratch []float32
}

type mark struct {
	end uint64
	at  time.Time
}

// ListenConfig sets up a Listener.
type ListenConfig struct {
	Rate   int
	Period time.Duration // per callback; 5–10 ms keeps the latency well under 50 ms
	Input  string        // device ids; "" = default
	Output string
	Filter Processor // nil = no filter
	Tap    *Ring     // receives the filtered sound; nil = none
	OnStop StopFunc  // a device went away
}

// Listen opens both devices and starts them.
func Listen(b Backend, cfg ListenConfig) (*Listener, error) {
	l := &Listener{filter: cfg.Filter, tap: cfg.Tap, period: cfg.Period,
		ring: NewRing(cfg.Rate / 4), lat: make([]time.Duration, 0, 4096)} // at most 250 ms queued
	base := Config{Rate: cfg.Rate, Period: cfg.Period, OnStop: cfg.OnStop}
	ic, oc := base, base
	ic.DeviceID, oc.DeviceID = cfg.Input, cfg.Output
	var err error
	if l.out, err = b.OpenOutput(oc, l.fill); err != nil {
		return nil, fmt.Errorf("listen: output: %w", err)
	}
	if l.in, err = b.OpenInput(ic, l.capture); err != nil {
		l.out.Close()
		return nil, fmt.Errorf("listen: input: %w", err)
	}
	if err := l.out.Start(); err != nil {
		l.Close()
		return nil, fmt.Errorf("listen: start output: %w", err)
	}
	if err := l.in.Start(); err != nil {
		l.Close()
		return nil, fmt.Errorf("listen: start input: %w", err)
	}
	return l, nil
}

// capture runs on the input's audio thread.
func (l *Listener) capture(frames []float32, at time.Time) {
	if len(frames) == 0 {
		return
	}
	l.mu.Lock()
	if cap(l.scratch) < len(frames) {
		l.scratch = make([]float32, len(frames))
	}
	buf := l.scratch[:len(frames)]
	copy(buf, frames)
	if l.filter != nil {
		l.filter.Process(buf)
	}
	l.written += uint64(len(buf))
	if len(l.marks) < 256 {
		l.marks = append(l.marks, mark{end: l.written, at: at})
	}
	l.mu.Unlock()
	l.ring.Write(buf)
	if l.tap != nil {
		l.tap.Write(buf)
	}
}

// fill runs on the output's audio thread.
func (l *Listener) fill(out []float32) {
	n := l.ring.Read(out)
	if n == 0 {
		return
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.played // index of the first sample handed over now
	l.played += uint64(n)
	// The latency of this buffer is that of its oldest sample.
	for len(l.marks) > 0 && l.marks[0].end <= first {
		l.marks = l.marks[1:]
	}
	if len(l.marks) > 0 {
		d := now.Sub(l.marks[0].at)
		if len(l.lat) < cap(l.lat) {
			l.lat = append(l.lat, d)
		} else {
			l.lat[l.latN%len(l.lat)] = d
		}
		l.latN++
	}
	if l.ring.Len() == 0 {
		l.played = l.written // samples dropped by the ring are not waited for
		l.marks = l.marks[:0]
	}
}

// Latency is the measured input-buffer-to-output-buffer delay, and the
// device buffering on top of it (two periods on each side), which is what
// reaches the headphones.
type Latency struct {
	P50, P99, Max time.Duration
	Device        time.Duration
	N             int
}

// Latency summarises the measurements so far.
func (l *Listener) Latency() Latency {
	l.mu.Lock()
	v := slices.Clone(l.lat)
	l.mu.Unlock()
	out := Latency{Device: 4 * l.period, N: len(v)}
	if len(v) == 0 {
		return out
	}
	slices.Sort(v)
	out.P50 = v[len(v)/2]
	out.P99 = v[min(len(v)-1, len(v)*99/100)]
	out.Max = v[len(v)-1]
	return out
}

// Stats returns the ring's counters (drops and underruns).
func (l *Listener) Stats() RingStats { return l.ring.Stats() }

// Close stops both devices.
func (l *Listener) Close() error {
	if l.in != nil {
		l.in.Close()
	}
	if l.out != nil {
		l.out.Close()
	}
	return nil
}
