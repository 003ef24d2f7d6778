package paper

import (
	"math"
	"testing"
)

// TestGridDoesNotDrift checks, for awkward DPIs, that every 5 mm square
// measured from the first major line is 5 mm within half a pixel (each line
// is rounded on its own) and that no line is more than half a pixel from
// its exact place however far across the screen.
func TestGridDoesNotDrift(t *testing.T) {
	for _, dpi := range []float64{96, 91.79, 109.22, 141.21, 163, 220.5} {
		c := Standard(dpi, true)
		lines := c.GridLines(4000)
		pitch := c.PxPerMM()
		if want := int(math.Ceil(4000 / pitch)); len(lines) < want-1 || len(lines) > want+1 {
			t.Fatalf("%g dpi: %d lines over 4000 px, want about %d", dpi, len(lines), want)
		}
		var majors []int
		for k, l := range lines {
			if exact := float64(k) * pitch; math.Abs(float64(l.Pos)-exact) > 0.5 {
				t.Fatalf("%g dpi: line %d at %d, exact %.2f", dpi, k, l.Pos, exact)
			}
			if l.Major != (k%5 == 0) {
				t.Fatalf("%g dpi: line %d major=%v", dpi, k, l.Major)
			}
			if l.Major {
				majors = append(majors, l.Pos)
			}
		}
		n := len(majors) - 1
		mean := float64(majors[n]-majors[0]) / float64(n) / pitch
		if math.Abs(mean-5) > 0.5/pitch/float64(n)*2 {
			t.Errorf("%g dpi: mean 5 mm square is %.4f mm", dpi, mean)
		}
		for i := 1; i < len(majors); i++ {
			if d := float64(majors[i]-majors[i-1]) / pitch; math.Abs(d-5) > 1/pitch {
				t.Errorf("%g dpi: square %d is %.3f mm", dpi, i, d)
			}
		}
	}
}

func TestGridLinesEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		length int
		pitch  float64
		want   int
	}{
		{0, 4, 0}, {-5, 4, 0}, {10, 0, 0}, {10, math.NaN(), 0}, {10, math.Inf(1), 0}, {10, 0.3, 0},
		{1, 4, 1}, {9, 4, 3}, {10, 2.5, 4},
	} {
		if got := AppendGridLines(nil, tc.length, tc.pitch, 5); len(got) != tc.want {
			t.Errorf("AppendGridLines(%d, %g) gave %d lines, want %d", tc.length, tc.pitch, len(got), tc.want)
		}
	}
}

func TestPulse(t *testing.T) {
	c := Calibration{DPI: 254, SpeedMMs: 25, GainMMmV: 10} // 10 px/mm
	r := c.PulseRect(0, 300)
	// 200 ms at 25 mm/s is 5 mm; 1 mV at 10 mm/mV is 10 mm.
	if !near(r.W, 50, 1e-9) || !near(r.H, 100, 1e-9) || !near(r.Y, 200, 1e-9) || !near(r.X, 12.5, 1e-9) {
		t.Errorf("pulse rect %+v", r)
	}
	if got := c.PulsePx(); !near(got, 75, 1e-9) {
		t.Errorf("pulse width %g px, want 75", got)
	}
	for _, tc := range []struct{ t, want float64 }{{0, 0}, {0.049, 0}, {0.05, 1}, {0.249, 1}, {0.25, 0}, {0.29, 0}} {
		if got := PulseMV(tc.t); got != tc.want {
			t.Errorf("PulseMV(%g) = %g", tc.t, got)
		}
	}
}

func TestCalipers(t *testing.T) {
	c := Calibration{DPI: 254, SpeedMMs: 25, GainMMmV: 10} // 250 px/s, 100 px/mV
	for _, tc := range []struct {
		x1, x2, ms, bpm float64
	}{
		{100, 300, 800, 75}, {300, 100, 800, 75}, {0, 250, 1000, 60}, {0, 125, 500, 120}, {5, 5, 0, 0},
	} {
		ms, bpm := c.TimeCaliper(tc.x1, tc.x2)
		if !near(ms, tc.ms, 1e-9) || !near(bpm, tc.bpm, 1e-9) {
			t.Errorf("TimeCaliper(%g,%g) = %g ms %g bpm, want %g %g", tc.x1, tc.x2, ms, bpm, tc.ms, tc.bpm)
		}
	}
	fast := Calibration{DPI: 254, SpeedMMs: 50, GainMMmV: 20}
	if ms, _ := fast.TimeCaliper(0, 250); !near(ms, 500, 1e-9) {
		t.Errorf("at 50 mm/s 250 px is %g ms, want 500", ms)
	}
	for _, tc := range []struct {
		c      Calibration
		y1, y2 float64
		want   float64
	}{{c, 300, 200, 1}, {c, 200, 300, -1}, {c, 300, 150, 1.5}, {fast, 300, 100, 1}} {
		if got := tc.c.AmplitudeCaliper(tc.y1, tc.y2); !near(got, tc.want, 1e-9) {
			t.Errorf("AmplitudeCaliper(%g,%g) at %g mm/mV = %g, want %g", tc.y1, tc.y2, tc.c.GainMMmV, got, tc.want)
		}
	}
	if ms, bpm := (Calibration{}).TimeCaliper(0, 10); ms != 0 || bpm != 0 {
		t.Errorf("zero calibration measured %g ms", ms)
	}
}
