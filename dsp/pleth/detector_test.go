package pleth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// run feeds x to a detector in random chunks and returns the beats.
func run(t testing.TB, fs float64, x []float64, gapAt, gapLen int) (*Detector, []Beat) {
	t.Helper()
	d, err := NewDetector(fs)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var beats []Beat
	for i := 0; i < len(x); {
		if gapLen > 0 && i == gapAt {
			d.Gap(gapLen)
			i += gapLen
			continue
		}
		k := min(1+r.IntN(40), len(x)-i)
		if gapLen > 0 && i < gapAt && i+k > gapAt {
			k = gapAt - i
		}
		beats = append(beats, d.Push(x[i:i+k])...)
		i += k
	}
	return d, beats
}

// matchBeats counts true beats with a detection within 150 ms, and
// detections with no true beat there, after skip seconds.
func matchBeats(truth []float64, got []Beat, fs, skip float64) (found, extra, total int) {
	used := make([]bool, len(got))
	for _, tb := range truth {
		if tb < skip {
			continue
		}
		total++
		for j, b := range got {
			if !used[j] && math.Abs(b.Upstroke/fs-tb) < 0.15 {
				used[j] = true
				found++
				break
			}
		}
	}
	for j, b := range got {
		if !used[j] && b.Upstroke/fs >= skip+0.2 {
			extra++
		}
	}
	return found, extra, total
}

func TestRateAcrossRange(t *testing.T) {
	for _, fs := range []float64{60, 125} {
		for _, bpm := range []float64{40, 60, 90, 120, 150, 180, 220} {
			t.Run(fmt.Sprintf("%g Hz %g per min", fs, bpm), func(t *testing.T) {
				s := synth{fs: fs, rate: constant(bpm), noise: 0.05, wander: 0.5, offset: 2000, seed: uint64(bpm)}
				x, truth := s.generate(40)
				d, beats := run(t, fs, x, 0, 0)
				rate, ok := d.Rate()
				if !ok || math.Abs(rate-bpm) > math.Max(1, 0.01*bpm) {
					t.Errorf("rate %.2f (ok %v), want %g ± max(1, 1 %%)", rate, ok, bpm)
				}
				found, extra, total := matchBeats(truth, beats, fs, 4)
				t.Logf("rate %.2f, beats %d/%d, %d extra", rate, found, total, extra)
				if found < total-1 || extra > 1 {
					t.Errorf("found %d of %d beats, %d extra", found, total, extra)
				}
				for _, b := range beats {
					if b.Foot > int64(b.Upstroke) || b.Peak < int64(b.Upstroke) || b.Amplitude <= 0 {
						t.Fatalf("beat %+v: foot, upstroke, peak out of order", b)
					}
				}
			})
		}
	}
}

func TestRateWithHeavyNoise(t *testing.T) {
	const fs = 125
	s := synth{fs: fs, rate: constant(75), noise: 0.15, wander: 1.0, seed: 11}
	x, truth := s.generate(60)
	d, beats := run(t, fs, x, 0, 0)
	rate, ok := d.Rate()
	if !ok || math.Abs(rate-75) > 2 {
		t.Errorf("rate %.2f (ok %v), want 75 ± 2", rate, ok)
	}
	found, extra, total := matchBeats(truth, beats, fs, 4)
	t.Logf("noise σ 0.15 of the pulse: found %d/%d, %d extra", found, total, extra)
	if float64(found) < 0.95*float64(total) || float64(extra) > 0.05*float64(total) {
		t.Errorf("found %d of %d beats, %d extra", found, total, extra)
	}
}

func TestRateFollowsChange(t *testing.T) {
	const fs = 100
	step := func(tm float64) float64 {
		if tm < 30 {
			return 70
		}
		return 130
	}
	x, _ := synth{fs: fs, rate: step, noise: 0.03, seed: 5}.generate(45)
	d, _ := run(t, fs, x, 0, 0)
	if rate, ok := d.Rate(); !ok || math.Abs(rate-130) > 2 {
		t.Errorf("15 s after a step 70 → 130: rate %.1f (ok %v)", rate, ok)
	}
}

func TestDropout(t *testing.T) {
	const fs = 125
	tests := []struct {
		name      string
		signalGap bool // the app calls Gap instead of feeding zeros
	}{
		{"sensor reads zero for 3 s", false},
		{"3 s of samples lost", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := synth{fs: fs, rate: constant(88), noise: 0.03, wander: 0.2, offset: 500, dropout: [2]float64{20, 23}, seed: 2}
			x, truth := s.generate(40)
			gapAt, gapLen := 0, 0
			if tc.signalGap {
				gapAt, gapLen = 20*fs, 3*fs
			}
			d, beats := run(t, fs, x, gapAt, gapLen)
			if rate, ok := d.Rate(); !ok || math.Abs(rate-88) > 1 {
				t.Errorf("rate after dropout %.2f (ok %v), want 88 ± 1", rate, ok)
			}
			var kept []float64
			for _, tb := range truth {
				if tb < 19.5 || tb > 26 { // 3 s relearning after the dropout allowed
					kept = append(kept, tb)
				}
			}
			found, _, total := matchBeats(kept, beats, fs, 4)
			if found < total-1 {
				t.Errorf("found %d of %d beats outside the dropout", found, total)
			}
			for _, b := range beats {
				if tm := b.Upstroke / fs; tm > 20.2 && tm < 23 {
					t.Errorf("beat detected at %.2f s inside the dropout", tm)
				}
			}
		})
	}
}

func TestPerfusionChange(t *testing.T) {
	const fs = 100
	for _, g := range []float64{0.25, 3} {
		t.Run(fmt.Sprintf("pulse height ×%g at 20 s", g), func(t *testing.T) {
			gain := func(tm float64) float64 {
				if tm < 20 {
					return 1
				}
				return g
			}
			x, truth := synth{fs: fs, rate: constant(100), noise: 0.01, wander: 0.2, gain: gain, seed: 9}.generate(40)
			d, beats := run(t, fs, x, 0, 0)
			if rate, ok := d.Rate(); !ok || math.Abs(rate-100) > 1 {
				t.Errorf("rate %.2f (ok %v), want 100 ± 1", rate, ok)
			}
			var late []float64
			for _, tb := range truth {
				if tb > 27 { // 2.5 s without beats, then 2 s learning, allowed
					late = append(late, tb)
				}
			}
			if found, extra, total := matchBeats(late, beats, fs, 27); found < total-1 || extra > 1 {
				t.Errorf("after 27 s: found %d of %d beats, %d extra", found, total, extra)
			}
		})
	}
}

func TestRateGoesStale(t *testing.T) {
	const fs = 60
	x, _ := synth{fs: fs, rate: constant(70), seed: 1}.generate(20)
	d, _ := run(t, fs, x, 0, 0)
	if _, ok := d.Rate(); !ok {
		t.Fatal("no rate after 20 s of pulse")
	}
	d.Push(make([]float64, int(RateStale*fs)+fs)) // flat: no pulse
	if r, ok := d.Rate(); ok {
		t.Errorf("rate %.1f still valid %g s after the last beat", r, RateStale+1)
	}
}

func TestNewDetectorRejectsLowRate(t *testing.T) {
	if _, err := NewDetector(10); err == nil {
		t.Error("10 Hz accepted")
	}
}

func BenchmarkDetectorOneSecond125Hz(b *testing.B) {
	x, _ := synth{fs: 125, rate: constant(75), noise: 0.05, seed: 1}.generate(60)
	d, err := NewDetector(125)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Push(x[i : i+125])
		i = (i + 125) % (len(x) - 125)
	}
}

func TestAverager(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name   string
		window time.Duration
		adds   [][2]float64 // seconds, value
		now    float64
		want   float64
		ok     bool
	}{
		{"steady", 4 * time.Second, [][2]float64{{0, 97}, {1, 97}, {2, 97}, {3, 97}}, 3.5, 97, true},
		{"step half-way through the window", 4 * time.Second, [][2]float64{{0, 98}, {1, 98}, {2, 98}, {3, 90}, {4, 90}, {5, 90}}, 5, 94, true},
		{"held value enters the window", 4 * time.Second, [][2]float64{{0, 96}, {3, 88}}, 5, (2*96 + 2*88) / 4.0, true},
		{"irregular arrival is time-weighted", 8 * time.Second, [][2]float64{{0, 100}, {6, 80}, {6.5, 80}, {7, 80}, {7.5, 80}}, 8, (6*100 + 2*80) / 8.0, true},
		{"fast setting follows a desaturation", 2 * time.Second, [][2]float64{{0, 97}, {1, 97}, {2, 97}, {3, 85}, {4, 85}, {5, 85}}, 5, 85, true},
		{"slow setting rides it", 16 * time.Second, [][2]float64{{0, 97}, {1, 97}, {2, 97}, {3, 85}, {4, 85}, {5, 85}}, 5, (3*97 + 2*85) / 5.0, true},
		{"nothing within the window", 4 * time.Second, [][2]float64{{0, 97}}, 4.5, 0, false},
		{"empty", 4 * time.Second, nil, 1, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewAverager(tc.window)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.adds {
				a.Add(at(p[0]), p[1])
			}
			got, ok := a.Value(at(tc.now))
			if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Value = %g, %v; want %g, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	for _, w := range []time.Duration{time.Second, 17 * time.Second} {
		if _, err := NewAverager(w); err == nil {
			t.Errorf("NewAverager(%v) accepted", w)
		}
	}
}
