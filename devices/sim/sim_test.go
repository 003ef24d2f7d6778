package sim

import (
	"errors"
	"io"
	"math"
	"testing"
)

// rPeaks returns the sample indices of R peaks: local maxima above thresh
// at least refractory samples apart.
func rPeaks(tb testing.TB, x []float64, thresh float64, refractory int) []int {
	tb.Helper()
	var peaks []int
	for i := 1; i < len(x)-1; i++ {
		if x[i] < thresh || x[i] < x[i-1] || x[i] < x[i+1] {
			continue
		}
		if len(peaks) > 0 && i-peaks[len(peaks)-1] < refractory {
			continue
		}
		peaks = append(peaks, i)
	}
	return peaks
}

func take(tb testing.TB, s Source, n int) []float64 {
	tb.Helper()
	out := make([]float64, n)
	f := make([]float64, s.Channels())
	for i := range out {
		if err := s.Next(f); err != nil {
			tb.Fatalf("frame %d: %v", i, err)
		}
		out[i] = f[0]
	}
	return out
}

func meanRate(tb testing.TB, peaks []int, rate float64) float64 {
	tb.Helper()
	if len(peaks) < 2 {
		tb.Fatalf("only %d peaks", len(peaks))
	}
	return 60 * rate * float64(len(peaks)-1) / float64(peaks[len(peaks)-1]-peaks[0])
}

func TestSyntheticECGHeartRate(t *testing.T) {
	for _, hr := range []float64{40, 60, 75, 120, 180} {
		t.Run("", func(t *testing.T) {
			s := NewSyntheticECG(hr, 7)
			if s.Rate() != 500 || s.Channels() != 1 {
				t.Fatalf("rate %g channels %d", s.Rate(), s.Channels())
			}
			x := take(t, s, 10*500)
			peaks := rPeaks(t, x, 0.6, 100)
			got := meanRate(t, peaks, 500)
			if math.Abs(got-hr) > 1 {
				t.Errorf("hr %g: measured %.2f bpm from %d peaks", hr, got, len(peaks))
			}
			// A plausible complex: R about 1 mV, S below baseline after it.
			p := peaks[1]
			if x[p] < 0.9 || x[p] > 1.4 {
				t.Errorf("R amplitude %.2f mV", x[p])
			}
			if sMin := minOf(x[p : p+25]); sMin > -0.1 {
				t.Errorf("no S wave: min after R %.2f mV", sMin)
			}
		})
	}
}

func minOf(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		m = min(m, v)
	}
	return m
}

func TestSyntheticECGDeterministic(t *testing.T) {
	a := take(t, NewSyntheticECG(70, 3), 1000)
	b := take(t, NewSyntheticECG(70, 3), 1000)
	c := take(t, NewSyntheticECG(70, 4), 1000)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed differs at %d", i)
		}
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("different seeds give the same signal")
	}
}

func TestSyntheticPleth(t *testing.T) {
	for _, pr := range []float64{50, 72, 110} {
		t.Run("", func(t *testing.T) {
			s := NewSyntheticPleth(pr, 1)
			if s.Rate() != 100 {
				t.Fatalf("rate %g", s.Rate())
			}
			x := take(t, s, 10*100)
			for i, v := range x {
				if v < 0 || v > 1 {
					t.Fatalf("sample %d = %g outside 0..1", i, v)
				}
			}
			peaks := rPeaks(t, x, 0.8, 30)
			if got := meanRate(t, peaks, 100); math.Abs(got-pr) > 1 {
				t.Errorf("pr %g: measured %.2f", pr, got)
			}
			// Dicrotic notch: after the systolic peak the signal falls, then
			// rises again to a smaller diastolic peak.
			p := peaks[1]
			seg := x[p : p+40]
			lo := 0 // first local minimum after the peak
			for i := 1; i < len(seg)-1; i++ {
				if seg[i] < seg[i-1] && seg[i] <= seg[i+1] {
					lo = i
					break
				}
			}
			rise := 0.0
			for _, v := range seg[lo:] {
				rise = max(rise, v-seg[lo])
			}
			if rise < 0.03 {
				t.Errorf("no dicrotic notch: rebound %.3f after minimum at +%d", rise, lo)
			}
		})
	}
}

// ramp is a finite source whose value is its frame index.
type ramp struct {
	rate float64
	n, i int
}

func (r *ramp) Rate() float64 { return r.rate }
func (r *ramp) Channels() int { return 1 }
func (r *ramp) Next(f []float64) error {
	if r.i >= r.n {
		return io.EOF
	}
	f[0] = float64(r.i)
	r.i++
	return nil
}

func drain(tb testing.TB, s Source) []float64 {
	tb.Helper()
	var out []float64
	f := make([]float64, 1)
	for {
		err := s.Next(f)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, f[0])
		if len(out) > 1e6 {
			tb.Fatal("source does not end")
		}
	}
}

func TestResample(t *testing.T) {
	tests := []struct {
		from, to float64
		n        int
		wantMin  int // frames out, within one
	}{
		{100, 60, 1000, 599},
		{60, 100, 600, 998},
		{500, 250, 5000, 2499},
		{100, 100, 1000, 1000},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			src := &ramp{rate: tt.from, n: tt.n}
			r := Resample(src, tt.to)
			if r.Rate() != tt.to {
				t.Fatalf("rate %g", r.Rate())
			}
			out := drain(t, r)
			if len(out) < tt.wantMin || len(out) > tt.wantMin+1 {
				t.Errorf("%d frames out, want %d", len(out), tt.wantMin)
			}
			// A ramp interpolates to the source position exactly.
			for k, v := range out {
				want := float64(k) * tt.from / tt.to
				if math.Abs(v-want) > 1e-9 {
					t.Fatalf("frame %d = %g, want %g", k, v, want)
				}
			}
		})
	}
}

func TestLoop(t *testing.T) {
	opens := 0
	l := Loop(func() (Source, error) {
		opens++
		return &ramp{rate: 10, n: 3}, nil
	})
	f := make([]float64, 1)
	var got []float64
	for range 8 {
		if err := l.Next(f); err != nil {
			t.Fatal(err)
		}
		got = append(got, f[0])
	}
	want := []float64{0, 1, 2, 0, 1, 2, 0, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if opens != 3 {
		t.Errorf("opened %d times, want 3", opens)
	}

	empty := Loop(func() (Source, error) { return &ramp{rate: 10}, nil })
	if err := empty.Next(f); err == nil {
		t.Error("empty record loops forever instead of failing")
	}
	failing := Loop(func() (Source, error) { return nil, io.ErrUnexpectedEOF })
	if err := failing.Next(f); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("open error = %v", err)
	}
}

func BenchmarkSyntheticECG(b *testing.B) {
	b.ReportAllocs()
	s := NewSyntheticECG(72, 1)
	f := make([]float64, 1)
	for b.Loop() {
		_ = s.Next(f)
	}
}
