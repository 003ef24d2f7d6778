package sim

import (
	"errors"
	"io"
	"sync"
	"time"

	"telewave/devices"
)

// Log keeps what a simulator wrote whole, for its Sent and Numerics:
// samples by signal ID and numerics in write order. It is safe for
// concurrent use; the zero Log is empty.
type Log struct {
	mu       sync.Mutex
	sent     map[string][]int32
	numerics []devices.Numeric
}

// Add logs samples and numerics that went out whole.
func (l *Log) Add(samples map[string][]int32, numerics []devices.Numeric) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent == nil {
		l.sent = map[string][]int32{}
	}
	for id, v := range samples {
		l.sent[id] = append(l.sent[id], v...)
	}
	l.numerics = append(l.numerics, numerics...)
}

// Sent returns a copy of the samples logged, by signal ID.
func (l *Log) Sent() map[string][]int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string][]int32, len(l.sent))
	for k, v := range l.sent {
		out[k] = append([]int32(nil), v...)
	}
	return out
}

// Numerics returns a copy of the numerics logged.
func (l *Log) Numerics() []devices.Numeric {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]devices.Numeric(nil), l.numerics...)
}

// Burst is the bytes of one simulator write, with marks saying what the
// bytes up to each carry, so that a write cut short logs only what went
// out whole.
type Burst struct {
	buf   []byte
	marks []mark
}

type mark struct {
	end      int // offset after the bytes the mark covers
	samples  map[string][]int32
	numerics []devices.Numeric
}

// Append adds bytes to the burst.
func (b *Burst) Append(p []byte) { b.buf = append(b.buf, p...) }

// Mark notes that the bytes appended so far carry samples and numerics.
func (b *Burst) Mark(samples map[string][]int32, numerics []devices.Numeric) {
	b.marks = append(b.marks, mark{end: len(b.buf), samples: samples, numerics: numerics})
}

// Write sends the burst with devices.WriteBurst and, when log is not nil,
// logs the marks whose bytes all went out. An empty burst writes nothing;
// a burst the port did not take in time (devices.ErrDropped) is no error.
func (b *Burst) Write(port io.Writer, timeout time.Duration, log *Log) error {
	if len(b.buf) == 0 {
		return nil
	}
	n, err := devices.WriteBurst(port, b.buf, timeout)
	if log != nil {
		for _, m := range b.marks {
			if m.end > n {
				break
			}
			log.Add(m.samples, m.numerics)
		}
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return err
	}
	return nil
}
