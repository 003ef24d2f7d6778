package devices

import (
	"math"
	"math/rand"
	"testing"
	"time"
)

func TestDriftEstimate(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		ppm    float64
		offset time.Duration
		jitter time.Duration
	}{
		{"in step", 0, 0, 0},
		{"slow device, offset, jitter", 50, 3 * time.Second / 2, 20 * time.Millisecond},
		{"fast device", -200, -400 * time.Millisecond, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			var d Drift
			for i := range 600 * 4 { // 10 min of 250 ms chunks
				dev := t0.Add(time.Duration(i) * 250 * time.Millisecond)
				el := dev.Sub(t0).Seconds()
				host := dev.Add(tt.offset + time.Duration(el*tt.ppm*1e3))
				if tt.jitter > 0 {
					host = host.Add(time.Duration(rng.Int63n(int64(tt.jitter))))
				}
				d.Add(dev, host)
			}
			e := d.Estimate()
			if math.Abs(e.PPM-tt.ppm) > 5 {
				t.Errorf("PPM = %.1f, want %.0f ± 5", e.PPM, tt.ppm)
			}
			wantOff := tt.offset + time.Duration(600*tt.ppm*1e3) + tt.jitter/2
			if diff := e.Offset - wantOff; diff < -5*time.Millisecond || diff > 5*time.Millisecond {
				t.Errorf("offset = %v, want %v ± 5 ms", e.Offset, wantOff)
			}
			if e.Points < 590 || e.Points > 601 {
				t.Errorf("%d points kept, want one per second", e.Points)
			}
		})
	}
}

func TestDriftRestartsOnClockReset(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	var d Drift
	for i := range 100 {
		d.Add(t0.Add(time.Duration(i)*time.Second), t0.Add(time.Duration(i)*time.Second))
	}
	// The device's clock is set an hour back.
	for i := range 10 {
		dev := t0.Add(-time.Hour + time.Duration(i)*time.Second)
		d.Add(dev, t0.Add(100*time.Second+time.Duration(i)*time.Second))
	}
	e := d.Estimate()
	if e.Points != 10 || e.Offset < time.Hour || math.Abs(e.PPM) > 1 {
		t.Errorf("after a reset: %+v", e)
	}
}
