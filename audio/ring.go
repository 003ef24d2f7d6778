package audio

import "sync"

// Ring is a bounded FIFO of samples between an input callback and an
// output callback. Write never blocks: when the ring is full the oldest
// samples are dropped (the listener hears the present, not a growing
// delay) and counted. Read takes what there is and reports how many it
// could not supply (an underrun, heard as silence).
type Ring struct {
	mu        sync.Mutex
	buf       []float32
	r, n      int
	dropped   uint64
	underruns uint64
	written   uint64 // samples ever written
	read      uint64 // samples ever read (not counting underrun silence)
}

// NewRing returns a ring holding up to size samples.
func NewRing(size int) *Ring { return &Ring{buf: make([]float32, max(size, 1))} }

// Write appends p, dropping the oldest samples if it does not fit.
func (q *Ring) Write(p []float32) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.written += uint64(len(p))
	if len(p) >= len(q.buf) {
		q.dropped += uint64(q.n + len(p) - len(q.buf))
		p = p[len(p)-len(q.buf):]
		q.r, q.n = 0, 0
	}
	if over := q.n + len(p) - len(q.buf); over > 0 {
		q.r = (q.r + over) % len(q.buf)
		q.n -= over
		q.dropped += uint64(over)
	}
	w := (q.r + q.n) % len(q.buf)
	k := copy(q.buf[w:], p)
	copy(q.buf, p[k:])
	q.n += len(p)
}

// Read fills p with the oldest samples and returns how many it supplied;
// the rest of p is left as it was.
func (q *Ring) Read(p []float32) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(p), q.n)
	k := copy(p[:n], q.buf[q.r:min(q.r+n, len(q.buf))])
	copy(p[k:n], q.buf[:n-k])
	q.r = (q.r + n) % len(q.buf)
	q.n -= n
	q.read += uint64(n)
	if n < len(p) && q.written > 0 {
		q.underruns++
	}
	return n
}

// Len returns the samples waiting.
func (q *Ring) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Discard drops everything waiting (a new device, a filter change that
// must not replay old sound).
func (q *Ring) Discard() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dropped += uint64(q.n)
	q.r, q.n = 0, 0
}

// RingStats counts what a ring has seen.
type RingStats struct {
	Written, Read, Dropped, Underruns uint64
}

// Stats returns the counters.
func (q *Ring) Stats() RingStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return RingStats{q.written, q.read, q.dropped, q.underruns}
}
