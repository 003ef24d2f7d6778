package sim

import (
	"math"
	"time"
)

// Pacer turns elapsed wall time into how many frames a simulator owes its
// port. A pty does not enforce a baud rate, so without pacing a simulator
// would flood the reader. The clock is injected so tests need no sleeps.
type Pacer struct {
	rate  float64
	speed float64
	now   func() time.Time
	start time.Time
	sent  int64 // frames handed out since start
	total int64 // frames handed out since NewPacer, across resets
	// Burst is how many frames Due hands out per call at speed 0, and the
	// most it hands out at once when the caller fell behind (the rest of a
	// backlog is dropped, as a device that stalled would not catch up).
	Burst int
}

// NewPacer paces frames at rate frames/s times speed; speed 0 means as fast
// as the caller can write. A nil now uses time.Now.
func NewPacer(rate, speed float64, now func() time.Time) *Pacer {
	if now == nil {
		now = time.Now
	}
	burst := int(math.Ceil(rate * max(speed, 1)))
	return &Pacer{rate: rate, speed: speed, now: now, start: now(), Burst: max(burst, 1)}
}

// Reset starts counting from now, as when a stream is (re)started.
func (p *Pacer) Reset() {
	p.start = p.now()
	p.sent = 0
}

// Due returns how many frames are due now and counts them as handed out.
func (p *Pacer) Due() int {
	if p.speed <= 0 {
		p.sent += int64(p.Burst)
		p.total += int64(p.Burst)
		return p.Burst
	}
	elapsed := p.now().Sub(p.start).Seconds() * p.speed
	due := int64(math.Floor(elapsed*p.rate)) - p.sent
	if due <= 0 {
		return 0
	}
	if due > int64(p.Burst) {
		// Skip the backlog: pretend the dropped frames were sent.
		p.sent += due - int64(p.Burst)
		due = int64(p.Burst)
	}
	p.sent += due
	p.total += due
	return int(due)
}

// Frames returns how many frames Due has handed out since NewPacer.
func (p *Pacer) Frames() int64 { return p.total }

// Ticks returns the channel a paced simulator waits on between bursts: a
// ticker every tick (0 = 20 ms), or at speed 0 (as fast as the port takes
// it) a closed channel that never waits. Call stop when done.
func Ticks(tick time.Duration, speed float64) (c <-chan time.Time, stop func()) {
	if tick <= 0 {
		tick = 20 * time.Millisecond
	}
	t := time.NewTicker(tick)
	if speed <= 0 {
		always := make(chan time.Time)
		close(always)
		return always, t.Stop
	}
	return t.C, t.Stop
}
