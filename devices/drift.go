package devices

import (
	"math"
	"time"
)

// Drift estimates how a device's clock runs against the host's from pairs
// (device time, host time) of the same sample, as chunks carry them. It fits
// host = a + (1+d)·device by least squares over the last Window of device
// time (one point per Step at most, so a fast device does not weigh more),
// and reports the offset now and the rate difference d in parts per
// million. Host arrival jitter averages out; a device clock reset (a jump of
// more than MaxJump against the fit) restarts the estimate.
type Drift struct {
	Window  time.Duration // 0 = 10 min
	Step    time.Duration // 0 = 1 s
	MaxJump time.Duration // 0 = 2 s

	pts   []driftPoint
	first time.Time // device time origin, for numerical range
}

type driftPoint struct{ x, y float64 } // seconds since first: device, host − device

// DriftEstimate is what the screen shows per device.
type DriftEstimate struct {
	Offset time.Duration // host − device at the newest point
	PPM    float64       // device clock rate error: + when the device runs slow against the host
	Span   time.Duration // device time covered by the fit
	Points int
}

// Add records one pair. Pairs with a zero device time are ignored.
func (d *Drift) Add(device, host time.Time) {
	if device.IsZero() || host.IsZero() {
		return
	}
	step, window, jump := DurationOr(d.Step, time.Second), DurationOr(d.Window, 10*time.Minute), DurationOr(d.MaxJump, 2*time.Second)
	if d.first.IsZero() {
		d.first = device
	}
	p := driftPoint{x: device.Sub(d.first).Seconds(), y: host.Sub(device).Seconds()}
	if n := len(d.pts); n > 0 {
		last := d.pts[n-1]
		if p.x < last.x || math.Abs(p.y-last.y) > jump.Seconds() {
			d.pts, d.first = d.pts[:0], device // the device clock was reset or set
			p.x = 0
		} else if p.x-last.x < step.Seconds() {
			return
		}
	}
	d.pts = append(d.pts, p)
	cut := 0
	for cut < len(d.pts) && p.x-d.pts[cut].x > window.Seconds() {
		cut++
	}
	d.pts = d.pts[cut:]
}

// Estimate returns the current fit; with fewer than two points PPM is 0.
func (d *Drift) Estimate() DriftEstimate {
	n := len(d.pts)
	if n == 0 {
		return DriftEstimate{}
	}
	last := d.pts[n-1]
	est := DriftEstimate{Points: n, Span: time.Duration((last.x - d.pts[0].x) * 1e9)}
	if n < 2 || last.x == d.pts[0].x {
		est.Offset = time.Duration(last.y * 1e9)
		return est
	}
	var sx, sy, sxx, sxy float64
	for _, p := range d.pts {
		sx += p.x
		sy += p.y
	}
	mx, my := sx/float64(n), sy/float64(n)
	for _, p := range d.pts {
		sxx += (p.x - mx) * (p.x - mx)
		sxy += (p.x - mx) * (p.y - my)
	}
	slope := sxy / sxx
	est.PPM = slope * 1e6
	est.Offset = time.Duration((my + slope*(last.x-mx)) * 1e9)
	return est
}
