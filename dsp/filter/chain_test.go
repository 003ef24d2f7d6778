package filter

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// measureDB runs a unit sine at f Hz through process for secs seconds and
// returns the gain, in dB, measured over the middle half (clear of the
// start-up transient and of the zero-phase edges) by projecting the output
// on the input frequency (an integer number of periods).
func measureDB(t *testing.T, fs, f, secs float64, process func(in, out []float64)) float64 {
	t.Helper()
	n := int(secs * fs)
	in := make([]float64, n)
	for i := range in {
		in[i] = math.Sin(2 * math.Pi * f * float64(i) / fs)
	}
	out := make([]float64, n)
	process(in, out)
	per := fs / f
	m := int(math.Floor(float64(n/2)/per) * per) // whole periods in the middle half
	if m < 1 {
		t.Fatalf("%g s is too short for %g Hz", secs, f)
	}
	var acc complex128
	for i := n / 4; i < n/4+m; i++ {
		acc += complex(out[i], 0) * cmplx.Exp(complex(0, -2*math.Pi*f*float64(i)/fs))
	}
	return 20 * math.Log10(2*cmplx.Abs(acc)/float64(m))
}

func mustNew(t testing.TB, cfg Config) *Chain {
	t.Helper()
	ch, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return ch
}

func TestMagnitudeResponse(t *testing.T) {
	const fs = 500
	hp := Config{SampleRate: fs, HighPass: 0.5}
	lp := Config{SampleRate: fs, LowPass: 40}
	n50 := Config{SampleRate: fs, Notch: 50}
	n60 := Config{SampleRate: fs, Notch: 60}
	mon := Monitoring(fs, 50)
	tests := []struct {
		name       string
		cfg        Config
		f          float64
		minDB, max float64 // causal gain bounds, measured
	}{
		{"hp stop 0.05 Hz", hp, 0.05, -99, -39},
		{"hp corner 0.5 Hz", hp, 0.5, -3.2, -2.8},
		{"hp pass 1 Hz", hp, 1, -1.0, -0.2},
		{"hp pass 5 Hz", hp, 5, -0.01, 0.01},
		{"lp pass 10 Hz", lp, 10, -0.01, 0.01},
		{"lp pass 25 Hz", lp, 25, -0.2, 0.01},
		{"lp corner 40 Hz", lp, 40, -3.2, -2.8},
		{"lp stop 100 Hz", lp, 100, -99, -35},
		{"notch 50 at 50 Hz", n50, 50, -400, -40},
		{"notch 50 at 49.5 Hz", n50, 49.5, -8, -4},
		{"notch 50 at 48 Hz", n50, 48, -1.0, -0.1},
		{"notch 50 at 45 Hz", n50, 45, -0.15, 0},
		{"notch 50 at 55 Hz", n50, 55, -0.15, 0},
		{"notch 60 at 60 Hz", n60, 60, -400, -40},
		{"notch 60 at 50 Hz", n60, 50, -0.1, 0},
		{"monitor at 10 Hz", mon, 10, -0.05, 0.01},
		{"monitor at 50 Hz", mon, 50, -400, -50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secs := math.Max(20, 60/tc.f)
			causal := measureDB(t, fs, tc.f, secs, mustNew(t, tc.cfg).Process)
			ch := mustNew(t, tc.cfg)
			if want := ch.ResponseDB(tc.f); causal > -100 && math.Abs(causal-want) > 0.05 {
				t.Errorf("measured %.3f dB, analytic %.3f dB", causal, want)
			}
			if causal < tc.minDB || causal > tc.max {
				t.Errorf("causal gain %.3f dB, want in [%g, %g]", causal, tc.minDB, tc.max)
			}
			zp := measureDB(t, fs, tc.f, secs, ch.ZeroPhase)
			if causal > -50 && math.Abs(zp-2*causal) > 0.1 {
				t.Errorf("zero-phase %.3f dB, want twice causal %.3f dB", zp, 2*causal)
			}
			if causal <= -50 && zp > 2*tc.max {
				t.Errorf("zero-phase %.3f dB, want ≤ %g dB", zp, 2*tc.max)
			}
			t.Logf("%s: causal %.3f dB, zero-phase %.3f dB", tc.name, causal, zp)
		})
	}
}

// gaussian returns n samples of a pulse of height 1 and width sigma
// seconds centred at sample c.
func gaussian(n, c int, sigma, fs float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		d := float64(i-c) / fs / sigma
		x[i] = math.Exp(-d * d / 2)
	}
	return x
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func TestZeroPhaseHasNoDelay(t *testing.T) {
	const fs, n, c = 500.0, 3000, 1500
	in := gaussian(n, c, 0.02, fs) // a QRS-like 20 ms pulse
	ch := mustNew(t, Monitoring(fs, 50))
	zp := make([]float64, n)
	ch.ZeroPhase(in, zp)
	if got := argmax(zp); got != c {
		t.Errorf("zero-phase peak at sample %d, want %d", got, c)
	}
	for k := 1; k < 400; k++ {
		if d := math.Abs(zp[c-k] - zp[c+k]); d > 1e-4 {
			t.Fatalf("zero-phase output not symmetric at ±%d: %g", k, d)
		}
	}
	causal := make([]float64, n)
	ch.Process(in, causal)
	delay := argmax(causal) - c
	if delay <= 0 {
		t.Errorf("causal peak delay %d samples, want > 0 (the test would not see a delay)", delay)
	}
	t.Logf("causal peak delay %d samples (%.1f ms), zero-phase 0", delay, float64(delay)/fs*1000)
}

func TestZeroPhaseEdges(t *testing.T) {
	const fs, n = 500.0, 2500
	ramp := make([]float64, n)
	for i := range ramp {
		ramp[i] = 1000 + 0.2*float64(i) // an offset and a slow drift
	}
	tests := []struct {
		name string
		cfg  Config
		want func(i int) float64
		tol  float64
	}{
		{"low-pass keeps a ramp", Config{SampleRate: fs, LowPass: 40}, func(i int) float64 { return ramp[i] }, 1e-3},
		{"notch keeps a ramp", Config{SampleRate: fs, Notch: 50}, func(i int) float64 { return ramp[i] }, 1e-3},
		{"high-pass removes an offset", Config{SampleRate: fs, HighPass: 0.5}, func(int) float64 { return 0 }, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]float64, n)
			mustNew(t, tc.cfg).ZeroPhase(ramp, out)
			for _, i := range []int{0, 1, 10, n / 2, n - 10, n - 1} {
				if d := math.Abs(out[i] - tc.want(i)); d > tc.tol {
					t.Errorf("sample %d: %g, want %g ± %g", i, out[i], tc.want(i), tc.tol)
				}
			}
		})
	}
}

// TestZeroPhaseMainsAtEdges measures how far from the ends of a record
// the zero-phase notch reaches full depth: the odd reflection continues a
// sine with a phase jump, which the backward pass turns into ringing.
func TestZeroPhaseMainsAtEdges(t *testing.T) {
	const fs, n = 500.0, 5000
	in := make([]float64, n)
	for i := range in {
		in[i] = math.Sin(2*math.Pi*50*float64(i)/fs + 0.3)
	}
	out := make([]float64, n)
	mustNew(t, Config{SampleRate: fs, Notch: 50}).ZeroPhase(in, out)
	peak := func(a, b int) float64 {
		m := 0.0
		for _, v := range out[a:b] {
			m = math.Max(m, math.Abs(v))
		}
		return m
	}
	edge := math.Max(peak(0, 50), peak(n-50, n))
	mid := peak(int(1.5*fs), n-int(1.5*fs))
	if mid > 1e-2 {
		t.Errorf("50 Hz left 1.5 s from the ends: %.4f of its amplitude, want ≤ 1e-2", mid)
	}
	if edge < mid {
		t.Errorf("edge residue %.4f below the middle's %.4f: the test would not see edge ringing", edge, mid)
	}
	t.Logf("50 Hz residue: %.3f in the first/last 0.1 s, %.5f beyond 1.5 s", edge, mid)
}

func TestStreamingEqualsOneShot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	in := make([]float64, n)
	for i := range in {
		in[i] = r.NormFloat64() + math.Sin(float64(i)/30)*3
	}
	whole := make([]float64, n)
	mustNew(t, Monitoring(500, 60)).Process(in, whole)

	ch := mustNew(t, Monitoring(500, 60))
	got := make([]float64, 0, n)
	for i := 0; i < n; {
		k := min(1+r.IntN(97), n-i)
		chunk := append([]float64(nil), in[i:i+k]...)
		ch.Process(chunk, chunk) // in place
		got = append(got, chunk...)
		i += k
	}
	for i := range whole {
		if got[i] != whole[i] {
			t.Fatalf("sample %d: chunked %g, one-shot %g", i, got[i], whole[i])
		}
	}
}

func TestPrimeAvoidsStartStep(t *testing.T) {
	ch := mustNew(t, Config{SampleRate: 250, LowPass: 40, Notch: 50})
	in := make([]float64, 50)
	for i := range in {
		in[i] = 812
	}
	out := make([]float64, len(in))
	ch.Prime(in[0])
	ch.Process(in, out)
	for i, v := range out {
		if math.Abs(v-812) > 1e-9 {
			t.Fatalf("primed output %d = %g, want 812", i, v)
		}
	}
	ch.Reset()
	ch.Process(in, out)
	if math.Abs(out[0]-812) < 1 {
		t.Errorf("after Reset the first output is %g: the test would not see priming", out[0])
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no sample rate", Config{LowPass: 40}},
		{"low-pass above Nyquist", Config{SampleRate: 60, LowPass: 40}},
		{"notch above Nyquist", Config{SampleRate: 100, Notch: 60}},
		{"empty band", Config{SampleRate: 500, HighPass: 40, LowPass: 30}},
		{"odd order", Config{SampleRate: 500, LowPass: 40, LowPassOrder: 3}},
		{"negative", Config{SampleRate: 500, HighPass: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("New(%+v) = %v, want ErrConfig", tc.cfg, err)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Monitoring(500, 50), "0.5–40 Hz, notch 50 Hz"},
		{Monitoring(500, 0), "0.5–40 Hz"},
		{Diagnostic(500, 60), "0.05–150 Hz, notch 60 Hz"},
		{Diagnostic(250, 0), "≥ 0.05 Hz"},
		{Config{SampleRate: 125, LowPass: 8}, "≤ 8 Hz"},
		{Config{SampleRate: 125}, "unfiltered"},
	}
	for _, tc := range tests {
		if got := mustNew(t, tc.cfg).Describe(); got != tc.want {
			t.Errorf("Describe(%+v) = %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

func BenchmarkProcessOneSecond500Hz(b *testing.B) {
	ch := mustNew(b, Monitoring(500, 50))
	buf := make([]float64, 500)
	for i := range buf {
		buf[i] = math.Sin(float64(i))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf) * 8))
	for b.Loop() {
		ch.Process(buf, buf)
	}
}

func BenchmarkZeroPhaseTenSeconds500Hz(b *testing.B) {
	ch := mustNew(b, Monitoring(500, 50))
	in := make([]float64, 5000)
	for i := range in {
		in[i] = math.Sin(float64(i))
	}
	out := make([]float64, len(in))
	b.ReportAllocs()
	for b.Loop() {
		ch.ZeroPhase(in, out)
	}
}
