package waveview

import (
	"math"
	"sync"
	"sync/atomic"
)

// Ring is a fixed-capacity ring of float32 samples for one trace, with a
// write count that only grows, so that a reader knows which samples are new
// and which it has lost. NaN marks a gap.
//
// Writers never wait for the reader: the reader copies without a lock and
// then discards whatever a concurrent writer may have overwritten meanwhile.
// Writers are serialised among themselves by a mutex that the reader never
// takes.
type Ring struct {
	wmu   sync.Mutex
	slots []atomic.Uint32 // float32 bits; atomic so that a torn read cannot happen
	// reserved is raised before slots are written and count after, so a
	// reader that loads reserved after copying knows which indices a writer
	// may have touched during the copy.
	reserved atomic.Uint64
	count    atomic.Uint64
}

// NewRing returns a ring holding the last capacity samples (at least 1).
func NewRing(capacity int) *Ring {
	return &Ring{slots: make([]atomic.Uint32, max(capacity, 1))}
}

// Cap returns how many samples the ring holds.
func (r *Ring) Cap() int { return len(r.slots) }

// Count returns how many samples were ever pushed: the absolute index the
// next sample will get.
func (r *Ring) Count() uint64 { return r.count.Load() }

// Push appends samples. It is safe from any goroutine and never waits for a
// reader. When more than Cap samples come at once only the newest Cap are
// kept, but the count still advances by all of them.
func (r *Ring) Push(samples []float32) {
	if len(samples) == 0 {
		return
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	w := r.count.Load()
	end := w + uint64(len(samples))
	r.reserved.Store(end)
	if len(samples) > len(r.slots) {
		samples = samples[len(samples)-len(r.slots):]
	}
	n := uint64(len(r.slots))
	for i, v := range samples {
		idx := end - uint64(len(samples)) + uint64(i)
		r.slots[idx%n].Store(math.Float32bits(v))
	}
	r.count.Store(end)
}

// Read copies the samples with absolute index since or later into dst, oldest
// first, and returns the absolute index of dst[0] and how many it copied.
// from > since means the samples in between were overwritten before they
// were read (the reader fell more than Cap behind): they are lost and the
// caller treats them as a gap. When more new samples exist than fit in dst,
// the oldest len(dst) are returned and the caller reads again.
func (r *Ring) Read(since uint64, dst []float32) (from uint64, n int) {
	w := r.count.Load()
	c := uint64(len(r.slots))
	start := since
	if w > c && start < w-c {
		start = w - c
	}
	if start >= w || len(dst) == 0 {
		return max(start, since), 0
	}
	end := min(w, start+uint64(len(dst)))
	for i := start; i < end; i++ {
		dst[i-start] = math.Float32frombits(r.slots[i%c].Load())
	}
	// A writer may have started overwriting the oldest slots while we
	// copied; those indices are below reserved-c.
	if res := r.reserved.Load(); res > c && res-c > start {
		lost := min(res-c-start, end-start)
		copy(dst, dst[lost:end-start])
		start += lost
	}
	return start, int(end - start)
}
