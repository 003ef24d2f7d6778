package pcg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// synthetic builds a heart-sound-like recording: S1 (50 Hz, 100 ms) and
// S2 (80 Hz, 80 ms) tone bursts under a Hann window, over white noise,
// with the reference segmentation it was built from.
func synthetic(rate int, secs, bpm, systolic, noise float64, seed uint64) ([]float32, []Interval) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, int(secs*float64(rate)))
	for i := range x {
		x[i] = float32(noise * rng.NormFloat64())
	}
	burst := func(at, dur, f float64) {
		a, n := int(at*float64(rate)), int(dur*float64(rate))
		for k := 0; k < n && a+k < len(x); k++ {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(k)/float64(n))
			x[a+k] += float32(w * math.Sin(2*math.Pi*f*float64(k)/float64(rate)))
		}
	}
	cycle := 60 / bpm
	var ref []Interval
	for t := 0.3; t+cycle < secs; t += cycle {
		burst(t, 0.1, 50)
		burst(t+systolic, 0.08, 80)
		ref = append(ref,
			Interval{t, t + 0.1, S1}, Interval{t + 0.1, t + systolic, Systole},
			Interval{t + systolic, t + systolic + 0.08, S2}, Interval{t + systolic + 0.08, t + cycle, Diastole})
	}
	return x, ref
}

func TestSegmentSynthetic(t *testing.T) {
	tests := []struct {
		rate          int
		bpm, systolic float64
		noise         float64
	}{
		{4000, 60, 0.32, 0.02},
		{4000, 120, 0.26, 0.05},
		{2000, 80, 0.30, 0.1},
		{44100, 100, 0.28, 0.02},
		{4000, 160, 0.20, 0.02}, // a small child: systole and diastole alike
	}
	for _, tc := range tests {
		x, ref := synthetic(tc.rate, 20, tc.bpm, tc.systolic, tc.noise, uint64(tc.bpm))
		det, hr := Segment(x, tc.rate)
		sc := Evaluate(ref, det, hr)
		if math.Abs(hr-tc.bpm) > 3 || sc.S1.F1() < 0.95 || sc.S2.F1() < 0.95 {
			t.Errorf("%d Hz, %.0f bpm: HR %.1f, S1 %+v, S2 %+v", tc.rate, tc.bpm, hr, sc.S1, sc.S2)
		}
		// The output tiles the recording in cyclic state order.
		if det[0].Start != 0 || math.Abs(det[len(det)-1].End-20) > 1.0/FeatureRate {
			t.Errorf("segmentation spans %v–%v s", det[0].Start, det[len(det)-1].End)
		}
		for i := 1; i < len(det); i++ {
			if det[i].Start != det[i-1].End || det[i].State != det[i-1].State%4+1 {
				t.Fatalf("interval %d %+v after %+v", i, det[i], det[i-1])
			}
		}
	}
}

func TestSegmentTooShort(t *testing.T) {
	for _, tc := range []struct {
		n, rate int
	}{{0, 4000}, {7999, 4000}, {1000, 50}, {16000, MinRate - 1}} {
		if det, hr := Segment(make([]float32, tc.n), tc.rate); det != nil || hr != 0 {
			t.Errorf("%d samples at %d Hz: %d intervals, %v bpm", tc.n, tc.rate, len(det), hr)
		}
	}
	// Silence is not a crash either.
	if det, _ := Segment(make([]float32, 40000), 4000); len(det) == 0 {
		t.Error("no intervals for 10 s of silence")
	}
}

func TestEvaluate(t *testing.T) {
	ref := []Interval{
		{0, 1, Unannotated},
		{1.0, 1.1, S1}, {1.1, 1.4, Systole}, {1.4, 1.5, S2}, {1.5, 2.0, Diastole},
		{2.0, 2.1, S1}, {2.1, 2.4, Systole}, {2.4, 2.5, S2}, {2.5, 3.0, Diastole},
		{3.0, 9.0, Unannotated},
	}
	tests := []struct {
		name   string
		det    []Interval
		s1, s2 Counts
	}{
		{"exact", ref[1:9], Counts{2, 0, 0}, Counts{2, 0, 0}},
		{"50 ms late", shift(ref[1:9], 0.05), Counts{2, 0, 0}, Counts{2, 0, 0}},
		{"70 ms late", shift(ref[1:9], 0.07), Counts{0, 2, 2}, Counts{0, 2, 2}},
		{"S1 and S2 swapped", swap(ref[1:9]), Counts{0, 2, 2}, Counts{0, 2, 2}},
		{"in unannotated stretches: not scored", []Interval{{0.2, 0.3, S1}, {5, 5.1, S2}}, Counts{0, 0, 2}, Counts{0, 0, 2}},
		{"two detections of one sound", []Interval{{1.0, 1.1, S1}, {1.02, 1.12, S1}}, Counts{1, 1, 1}, Counts{0, 0, 2}},
	}
	for _, tc := range tests {
		sc := Evaluate(ref, tc.det, 60)
		if sc.S1 != tc.s1 || sc.S2 != tc.s2 {
			t.Errorf("%s: S1 %+v S2 %+v, want %+v %+v", tc.name, sc.S1, sc.S2, tc.s1, tc.s2)
		}
		if math.Abs(sc.RefHR-60) > 1e-9 {
			t.Errorf("%s: reference HR %v", tc.name, sc.RefHR)
		}
	}
	if f := (Counts{TP: 3, FP: 1, FN: 1}).F1(); f != 0.75 {
		t.Errorf("F1 %v", f)
	}
	if f := (Counts{}).F1(); !math.IsNaN(f) {
		t.Errorf("F1 of nothing %v", f)
	}
}

func TestStateAgreement(t *testing.T) {
	ref := []Interval{
		{0, 1, Unannotated},
		{1.0, 1.1, S1}, {1.1, 1.4, Systole}, {1.4, 1.5, S2}, {1.5, 2.0, Diastole},
	}
	tests := []struct {
		name          string
		det           []Interval
		agreed        [5]int
		accuracy      float64
		systoleShared float64
	}{
		{"exact", ref[1:], [5]int{0, 10, 30, 10, 50}, 1, 1},
		// 50 ms late: the first half of each state is the one before.
		{"50 ms late", shift(ref[1:], 0.05), [5]int{0, 5, 25, 5, 45}, 0.8, 25.0 / 30},
		{"S1 and S2 swapped", swap(ref[1:]), [5]int{0, 0, 30, 0, 50}, 0.8, 1},
		{"nothing detected", nil, [5]int{}, 0, 0},
		{"unsorted, the state at the unannotated start ignored", []Interval{ref[2], ref[1], {0, 1, S2}}, [5]int{0, 10, 30}, 0.4, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Evaluate(ref, tc.det, 60).States
			if a.Annotated != [5]int{0, 10, 30, 10, 50} {
				t.Errorf("annotated instants %v", a.Annotated)
			}
			if a.Agreed != tc.agreed {
				t.Errorf("agreed %v, want %v", a.Agreed, tc.agreed)
			}
			if math.Abs(a.Accuracy()-tc.accuracy) > 1e-12 || math.Abs(a.Of(Systole)-tc.systoleShared) > 1e-12 {
				t.Errorf("accuracy %v, systole %v", a.Accuracy(), a.Of(Systole))
			}
		})
	}
	if a := (StateAgreement{}); !math.IsNaN(a.Accuracy()) || !math.IsNaN(a.Of(S1)) {
		t.Error("empty agreement is not NaN")
	}
	sum := (StateAgreement{Annotated: [5]int{0, 1}, Agreed: [5]int{0, 1}}).Add(StateAgreement{Annotated: [5]int{0, 1}})
	if sum.Of(S1) != 0.5 {
		t.Errorf("sum %+v", sum)
	}
}

func shift(ivs []Interval, by float64) []Interval {
	out := make([]Interval, len(ivs))
	for i, iv := range ivs {
		out[i] = Interval{iv.Start + by, iv.End + by, iv.State}
	}
	return out
}

func swap(ivs []Interval) []Interval {
	out := make([]Interval, len(ivs))
	for i, iv := range ivs {
		out[i] = iv
		switch iv.State {
		case S1:
			out[i].State = S2
		case S2:
			out[i].State = S1
		}
	}
	return out
}

func TestTSVRoundTrip(t *testing.T) {
	in := []Interval{{0, 9.0625, Unannotated}, {9.0625, 9.161888, S1}, {9.161888, 9.283865, Systole}, {9.38, 9.594076, Diastole}}
	var buf bytes.Buffer
	if err := WriteTSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	if want := "0\t9.0625\t0\n9.0625\t9.161888\t1\n"; !strings.HasPrefix(buf.String(), want) {
		t.Errorf("file starts %q, want %q", buf.String()[:len(want)], want)
	}
	out, err := ReadTSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d intervals", len(out))
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("interval %d: %+v, want %+v", i, out[i], in[i])
		}
	}
}

func TestReadTSVErrors(t *testing.T) {
	for _, tc := range []struct{ text, words string }{
		{"0\t1\n", "line 1 has 2 fields"},
		{"0\t1\t1\n1\t2\t5\n", "line 2: state 5"},
		{"0\tx\t1\n", "line 1"},
		{"2\t1\t1\n", "interval 2–1"},
		{"-1\t1\t1\n", "interval"},
		{"0\tNaN\t1\n", "interval"},
		{strings.Repeat("1", 5000), "too long"},
	} {
		_, err := ReadTSV(strings.NewReader(tc.text))
		if !errors.Is(err, ErrTSV) || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%.20q: %v, want ErrTSV naming %q", tc.text, err, tc.words)
		}
	}
}

func FuzzReadTSV(f *testing.F) {
	f.Add("0\t9.0625\t0\n9.0625\t9.161888\t1\n")
	f.Add("1 2 3\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		ivs, err := ReadTSV(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrTSV) {
				t.Fatalf("error %v is not ErrTSV", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteTSV(&buf, ivs); err != nil {
			t.Fatal(err)
		}
		back, err := ReadTSV(&buf)
		if err != nil || len(back) != len(ivs) {
			t.Fatalf("written file does not read back: %v", err)
		}
	})
}

func TestSplitHalves(t *testing.T) {
	eval, tune := SplitHalves([]string{"9_AV", "10_MV", "10_AV", "2_TV", "9_PV"})
	if strings.Join(eval, " ") != "10_AV 10_MV 9_AV 9_PV" || strings.Join(tune, " ") != "2_TV" {
		t.Errorf("eval %v tune %v", eval, tune)
	}
}

// BenchmarkSegment segments 10 s of audio at CirCor's 4 kHz and at a
// sound card's 44.1 kHz; one op is one 10 s window, as the live view
// re-segments it.
func BenchmarkSegment(b *testing.B) {
	for _, rate := range []int{4000, 44100} {
		b.Run(fmt.Sprintf("10s_%dHz", rate), func(b *testing.B) {
			x, _ := synthetic(rate, 10, 90, 0.3, 0.05, 1)
			b.ReportAllocs()
			for b.Loop() {
				Segment(x, rate)
			}
		})
	}
}

// FuzzSegment feeds arbitrary samples at arbitrary rates: the result
// always tiles the recording in cyclic order, or is empty.
func FuzzSegment(f *testing.F) {
	x, _ := synthetic(MinRate, 3, 80, 0.3, 0.05, 1)
	raw := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	f.Add(raw, uint16(MinRate))
	f.Add(bytes.Repeat([]byte{0, 0, 0xc0, 0x7f}, 2*MinRate), uint16(MinRate)) // NaN
	f.Fuzz(func(t *testing.T, raw []byte, rate uint16) {
		if len(raw) > 1<<16 {
			return
		}
		x := make([]float32, len(raw)/4)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		det, hr := Segment(x, int(rate))
		if len(det) == 0 {
			return
		}
		if math.IsNaN(hr) || hr <= 0 {
			t.Fatalf("heart rate %v", hr)
		}
		for i := 1; i < len(det); i++ {
			if det[i].Start != det[i-1].End || det[i].State != det[i-1].State%4+1 {
				t.Fatalf("interval %d %+v after %+v", i, det[i], det[i-1])
			}
		}
	})
}
