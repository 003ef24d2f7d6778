package audiofilter

import (
	"math"
	"testing"
)

func sine(rate int, f, amp float64, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate)))
	}
	return x
}

func rms(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

// process runs x through s in 256-sample blocks, as a sound card would.
func process(s *Stethoscope, x []float32) []float32 {
	out := append([]float32(nil), x...)
	for i := 0; i < len(out); i += 256 {
		s.Process(out[i:min(i+256, len(out))])
	}
	return out
}

// measuredDB passes a sine through a fresh path and compares the output
// RMS, after the filters settle, with the input's.
func measuredDB(t *testing.T, m Mode, rate int, f float64) float64 {
	t.Helper()
	s, err := New(rate, m)
	if err != nil {
		t.Fatal(err)
	}
	n := rate * 3
	in := sine(rate, f, 0.1, n)
	out := process(s, in)
	return 20 * math.Log10(rms(out[n/2:])/rms(in[n/2:]))
}

func TestMagnitudeResponse(t *testing.T) {
	type point struct {
		f, lo, hi float64 // dB must lie in [lo, hi]
	}
	tests := []struct {
		mode   Mode
		rate   int
		points []point
	}{
		{Bell, 4000, []point{{5, -100, -20}, {20, -4, -2}, {60, -0.5, 0.5}, {200, -4, -2}, {600, -100, -35}}},
		{Bell, 44100, []point{{20, -4, -2}, {80, -0.5, 0.5}, {200, -4, -2}, {1000, -100, -50}}},
		{Diaphragm, 4000, []point{{30, -100, -35}, {100, -4, -2}, {250, -0.5, 0.5}, {600, -4, -2}, {1800, -100, -35}}},
		{Diaphragm, 8000, []point{{50, -100, -20}, {250, -0.5, 0.5}, {1500, -100, -25}}},
		{Extended, 8000, []point{{15, -100, -35}, {50, -4, -2}, {300, -0.5, 0.5}, {1000, -0.5, 0.5}, {2000, -4, -2}, {3500, -100, -15}}},
		// At 4 kHz the converter bounds the band: no low-pass of our own.
		{Extended, 4000, []point{{15, -100, -35}, {50, -4, -2}, {300, -0.5, 0.5}, {1500, -0.5, 0.5}}},
	}
	for _, tc := range tests {
		for _, p := range tc.points {
			got := measuredDB(t, tc.mode, tc.rate, p.f)
			if got < p.lo || got > p.hi {
				t.Errorf("%v at %d Hz: %.1f Hz passes at %.2f dB, want %g…%g", tc.mode, tc.rate, p.f, got, p.lo, p.hi)
			}
			if d := ResponseDB(tc.mode, p.f, float64(tc.rate)); got > -40 && math.Abs(d-got) > 0.2 {
				t.Errorf("%v at %d Hz, %.1f Hz: designed %.2f dB, measured %.2f dB", tc.mode, tc.rate, p.f, d, got)
			}
		}
	}
}

// steadyOutput is what a path fixed in mode m makes of x.
func steadyOutput(t *testing.T, rate int, m Mode, x []float32) []float32 {
	s, err := New(rate, m)
	if err != nil {
		t.Fatal(err)
	}
	return process(s, x)
}

func maxStep(y []float32, from, to int) float64 {
	m := 0.0
	for i := max(1, from); i < to; i++ {
		m = math.Max(m, math.Abs(float64(y[i]-y[i-1])))
	}
	return m
}

// A switch between modes must not jump further between two samples than
// either mode's own output ever does; a hard switch at the same instant
// would.
func TestSwitchIsClickFree(t *testing.T) {
	const rate = 4000
	n := 2 * rate
	x := make([]float32, n)
	for i := range x { // a low rumble, a heart-sound band and a hiss band
		ti := float64(i) / rate
		x[i] = float32(0.2*math.Sin(2*math.Pi*35*ti) + 0.1*math.Sin(2*math.Pi*150*ti) + 0.2*math.Sin(2*math.Pi*450*ti))
	}
	for _, sw := range [][2]Mode{{Bell, Diaphragm}, {Diaphragm, Bell}, {Bell, Extended}, {Extended, Diaphragm}} {
		a, b := steadyOutput(t, rate, sw[0], x), steadyOutput(t, rate, sw[1], x)
		bound := 1.05 * math.Max(maxStep(a, rate/2, n), maxStep(b, rate/2, n))
		// Switch at the block boundary where a hard switch jumps most.
		at, hard := 0, 0.0
		for k := 256 * (rate / 512); k < rate; k += 256 {
			if j := math.Abs(float64(b[k] - a[k-1])); j > hard {
				at, hard = k, j
			}
		}
		if hard <= bound {
			t.Fatalf("%v→%v: the test signal does not make a hard switch click (%.3f ≤ %.3f)", sw[0], sw[1], hard, bound)
		}
		s, _ := New(rate, sw[0])
		y := append([]float32(nil), x...)
		for i := 0; i < n; i += 256 {
			if i == at {
				s.SetMode(sw[1])
			}
			s.Process(y[i:min(i+256, n)])
		}
		if got := maxStep(y, rate/2, n); got > bound {
			t.Errorf("%v→%v: %.4f between two samples at the switch, bound %.4f (a hard switch: %.4f)", sw[0], sw[1], got, bound, hard)
		}
		// After the crossfade the output is the new mode's, exactly.
		end := at + int(Crossfade*rate)
		for i := end; i < n; i++ {
			if y[i] != b[i] {
				t.Fatalf("%v→%v: sample %d is %v after the crossfade, %v in %v", sw[0], sw[1], i, y[i], b[i], sw[1])
			}
		}
		if s.Mode() != sw[1] {
			t.Errorf("Mode() = %v", s.Mode())
		}
	}
}

// A knock on the chest piece 40 dB above the heart sounds never exceeds
// the ceiling, whatever the gain; below the ceiling the limiter is
// transparent, and after the knock the level comes back.
func TestLimiterHoldsTheCeiling(t *testing.T) {
	const rate = 4000
	for _, gainDB := range []float64{0, 20, 40} {
		s, _ := New(rate, Diaphragm)
		s.SetGain(gainDB)
		base := 0.5 * Ceiling / math.Pow(10, gainDB/20) // heart sounds at half the ceiling after gain
		x := sine(rate, 200, base, 4*rate)
		for i := rate; i < rate+rate/10; i++ { // 100 ms at +40 dB, a square knock
			x[i] = float32(100 * base * float64(1-2*((i/20)%2)))
		}
		y := process(s, x)
		peak := 0.0
		for _, v := range y {
			peak = math.Max(peak, math.Abs(float64(v)))
		}
		if peak > Ceiling {
			t.Errorf("gain %v dB: peak %.4f over the ceiling %v", gainDB, peak, Ceiling)
		}
		gain := math.Pow(10, gainDB/20) * math.Pow(10, ResponseDB(Diaphragm, 200, rate)/20)
		before := rms(y[rate/2:rate]) / (gain * base / math.Sqrt2)
		after := rms(y[3*rate:]) / (gain * base / math.Sqrt2)
		if math.Abs(20*math.Log10(before)) > 0.1 || math.Abs(20*math.Log10(after)) > 0.5 {
			t.Errorf("gain %v dB: level %.2f dB before the knock, %.2f dB 2 s after", gainDB, 20*math.Log10(before), 20*math.Log10(after))
		}
		if r := s.Reduction(); r < -0.5 {
			t.Errorf("gain %v dB: limiter still reducing %.2f dB", gainDB, r)
		}
	}
}

// A gain change ramps rather than steps.
func TestGainChangeIsSmooth(t *testing.T) {
	const rate = 4000
	s, _ := New(rate, Diaphragm)
	x := sine(rate, 250, 0.02, 2*rate)
	y := append([]float32(nil), x...)
	s.Process(y[:rate])
	s.SetGain(12)
	s.Process(y[rate:])
	steady := maxStep(y, 3*rate/2, 2*rate)
	if got := maxStep(y, rate, 3*rate/2); got > 1.01*steady {
		t.Errorf("step %.4f while the gain rises, %.4f at the new gain", got, steady)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		rate int
		m    Mode
	}{{0, Bell}, {500, Bell}, {4000, -1}, {4000, numModes}} {
		if _, err := New(tc.rate, tc.m); err == nil {
			t.Errorf("New(%d, %v): no error", tc.rate, tc.m)
		}
	}
}

func TestNaNIsSilence(t *testing.T) {
	s, _ := New(4000, Bell)
	buf := []float32{float32(math.NaN()), 0.1, 0.1}
	s.Process(buf)
	after := sine(4000, 60, 0.1, 4000)
	s.Process(after)
	for _, v := range after {
		if v != v {
			t.Fatal("NaN input poisoned the filters")
		}
	}
}

func BenchmarkProcess(b *testing.B) {
	for _, rate := range []int{4000, 44100} {
		b.Run(itoa(rate), func(b *testing.B) {
			s, _ := New(rate, Diaphragm)
			buf := sine(rate, 150, 0.3, 256)
			b.ReportAllocs()
			for b.Loop() {
				s.Process(buf)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(buf)), "ns/sample")
		})
	}
}

func itoa(v int) string {
	s := ""
	for ; v > 0; v /= 10 {
		s = string(rune('0'+v%10)) + s
	}
	return s + "Hz"
}
