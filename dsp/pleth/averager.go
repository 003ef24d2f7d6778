package pleth

import (
	"fmt"
	"time"
)

// Averaging times a monitor offers for SpO2 and pulse rate.
const (
	MinAveraging = 2 * time.Second
	MaxAveraging = 16 * time.Second
)

// Averager is a time-weighted moving average over a window of 2–16 s, as
// the "averaging time" setting of an oximeter: each value holds until the
// next, so irregular arrival does not bias the mean. Short windows follow
// fast desaturations; long ones ride out motion. Not safe for concurrent
// use.
type Averager struct {
	window time.Duration
	pts    []point // in time order; pts[0] may start before the window
}

type point struct {
	t time.Time
	v float64
}

// NewAverager returns an averager over window (2–16 s).
func NewAverager(window time.Duration) (*Averager, error) {
	if window < MinAveraging || window > MaxAveraging {
		return nil, fmt.Errorf("averaging time %v: want %v–%v", window, MinAveraging, MaxAveraging)
	}
	return &Averager{window: window}, nil
}

// Window returns the averaging time.
func (a *Averager) Window() time.Duration { return a.window }

// Add records value v measured at t. A value older than the last one
// recorded is ignored.
func (a *Averager) Add(t time.Time, v float64) {
	if n := len(a.pts); n > 0 && t.Before(a.pts[n-1].t) {
		return
	}
	a.pts = append(a.pts, point{t, v})
	a.trim(t)
}

// Reset forgets every value (sensor off, patient changed).
func (a *Averager) Reset() { a.pts = a.pts[:0] }

// trim drops values that no longer reach into the window ending at now,
// keeping the last one before it (it holds into the window).
func (a *Averager) trim(now time.Time) {
	start := now.Add(-a.window)
	k := 0
	for k+1 < len(a.pts) && !a.pts[k+1].t.After(start) {
		k++
	}
	if k > 0 {
		a.pts = append(a.pts[:0], a.pts[k:]...)
	}
}

// Value returns the average over the window ending at now. ok is false
// when no value was recorded within the window.
func (a *Averager) Value(now time.Time) (avg float64, ok bool) {
	a.trim(now)
	n := len(a.pts)
	if n == 0 || now.Sub(a.pts[n-1].t) > a.window {
		return 0, false
	}
	start := now.Add(-a.window)
	var sum, span float64
	for i, p := range a.pts {
		from := p.t
		if from.Before(start) {
			from = start
		}
		to := now
		if i+1 < n {
			to = a.pts[i+1].t
		}
		if w := to.Sub(from).Seconds(); w > 0 {
			sum += p.v * w
			span += w
		}
	}
	if span == 0 { // a single value at now
		return a.pts[n-1].v, true
	}
	return sum / span, true
}
