package qrs

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"telewave/dsp/ec57"
)

// record100 is MIT-BIH record 100 from the project's testdata.
func record100(tb testing.TB) mitRecord {
	tb.Helper()
	return loadMIT(tb, "../../testdata/mitdb", "100")
}

func pushAll(d *Detector, leads [][]float64, chunk int) []Beat {
	var out []Beat
	n := len(leads[0])
	for i := 0; i < n; i += chunk {
		j := min(n, i+chunk)
		in := make([][]float64, len(leads))
		for l := range in {
			in[l] = leads[l][i:j]
		}
		out = append(out, d.Push(in...)...)
	}
	return append(out, d.Flush()...)
}

func TestRecord100(t *testing.T) {
	r := record100(t)
	for _, nl := range []int{1, 2} {
		d := NewLeads(r.rate, nl)
		var got []int64
		for _, b := range pushAll(d, r.leads[:nl], 256) {
			got = append(got, b.Sample)
		}
		res := ec57.Score(r.ref, got, r.rate, int64(ec57.StartSeconds*r.rate), r.exclude)
		if res.Se < 0.998 || res.PP < 0.998 {
			t.Errorf("%d lead(s): %+v", nl, res)
		}
	}
}

// The same samples pushed in different pieces give the same beats: the
// detector keeps no state that depends on how the stream is cut.
func TestChunkingDoesNotChangeBeats(t *testing.T) {
	r := record100(t)
	leads := [][]float64{r.leads[0][:360*120], r.leads[1][:360*120]}
	want := pushAll(NewLeads(r.rate, 2), leads, len(leads[0]))
	if len(want) < 100 {
		t.Fatalf("%d beats in two minutes", len(want))
	}
	for _, chunk := range []int{1, 7, 360, 5000} {
		got := pushAll(NewLeads(r.rate, 2), leads, chunk)
		for i := range got {
			got[i].Reported = 0
		}
		w := slices.Clone(want)
		for i := range w {
			w[i].Reported = 0
		}
		if !slices.Equal(got, w) {
			t.Errorf("chunk %d: %d beats, want %d", chunk, len(got), len(w))
		}
	}
}

// Causality and latency: every beat is reported within Latency of its R
// peak (search-back beats within SearchBackLatency), and what comes after
// a beat's report cannot change it.
func TestCausalWithBoundedLatency(t *testing.T) {
	r := record100(t)
	n := 360 * 300
	leads := [][]float64{r.leads[0][:n], r.leads[1][:n]}
	d := NewLeads(r.rate, 2)
	beats := pushAll(d, leads, 1)
	lat := int64(math.Ceil(d.Latency() * r.rate))
	sbLat := int64(math.Ceil(d.SearchBackLatency() * r.rate))
	for _, b := range beats {
		limit := lat
		if b.SearchBack {
			limit = sbLat
		}
		if b.Reported-b.Sample > limit || b.Reported < b.Sample {
			t.Fatalf("beat at %d reported at %d, latency bound %d samples", b.Sample, b.Reported, limit)
		}
	}
	// Replace everything after cut with noise: the beats reported by then
	// must not change.
	cut := n / 2
	rng := rand.New(rand.NewSource(1))
	alt := [][]float64{slices.Clone(leads[0]), slices.Clone(leads[1])}
	for l := range alt {
		for i := cut; i < n; i++ {
			alt[l][i] = rng.NormFloat64()
		}
	}
	other := pushAll(NewLeads(r.rate, 2), alt, 1)
	for i, b := range beats {
		if b.Reported > int64(cut) {
			break
		}
		if i >= len(other) || other[i] != b {
			t.Fatalf("beat %d (%+v) changed when the signal after %d changed", i, b, cut)
		}
	}
}

func TestHeartRate(t *testing.T) {
	r := record100(t)
	d := NewLeads(r.rate, 2)
	if d.HeartRate() != 0 {
		t.Fatal("heart rate before any beat")
	}
	end := int64(600 * r.rate)
	pushAll(d, [][]float64{r.leads[0][:end], r.leads[1][:end]}, 360)
	// The reference: 60 / median of the last 8 annotated RR intervals.
	i, _ := slices.BinarySearch(r.ref, end-int64(0.5*r.rate))
	var rr []float64
	for k := i - 8; k < i; k++ {
		rr = append(rr, float64(r.ref[k]-r.ref[k-1]))
	}
	want := 60 * r.rate / median(rr)
	if got := d.HeartRate(); math.Abs(got-want) > 3 {
		t.Errorf("heart rate %.1f, reference %.1f bpm", got, want)
	}
}

func TestQuality(t *testing.T) {
	r := record100(t)
	const rate = 360
	ecg := r.leads[0][:rate*20]
	rng := rand.New(rand.NewSource(2))
	tests := []struct {
		name string
		sig  func(i int) float64
		want Quality
	}{
		{"clean ECG", func(i int) float64 { return ecg[i] }, Good},
		{"flat", func(i int) float64 { return 0.003 * math.Sin(float64(i)) }, LeadOff},
		{"clipped", func(i int) float64 { return max(-1, min(1, 3*math.Sin(2*math.Pi*float64(i)/rate))) }, Saturated},
		{"noisy", func(i int) float64 {
			v := ecg[i]
			if i > rate*10 {
				v += 1.5 * rng.NormFloat64()
			}
			return v
		}, Noisy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(rate)
			x := make([]float64, len(ecg))
			for i := range x {
				x[i] = tc.sig(i)
			}
			d.Push(x)
			if got := d.Quality(0); got != tc.want {
				t.Errorf("quality %v, want %v", got, tc.want)
			}
		})
	}
}

// A flat second lead (electrode off) must not stop detection on the first.
func TestLeadOffDoesNotStopDetection(t *testing.T) {
	r := record100(t)
	n := 360 * 600
	flat := make([]float64, n)
	d := NewLeads(r.rate, 2)
	beats := pushAll(d, [][]float64{r.leads[0][:n], flat}, 360)
	var got []int64
	for _, b := range beats {
		got = append(got, b.Sample)
	}
	res := ec57.Score(r.ref, got, r.rate, int64(30*r.rate), nil)
	// Compare with the annotations up to the end of the pushed signal.
	res = ec57.Score(r.ref[:sortSearch(r.ref, int64(n-100))], got, r.rate, int64(30*r.rate), nil)
	if res.Se < 0.995 || res.PP < 0.995 {
		t.Errorf("with lead 2 off: %+v", res)
	}
	if d.Quality(1) != LeadOff {
		t.Errorf("lead 2 quality %v, want lead off", d.Quality(1))
	}
}

func sortSearch(s []int64, v int64) int {
	i, _ := slices.BinarySearch(s, v)
	return i
}

// BenchmarkDetect runs the two-lead detector over the 30-minute record
// 100; ns/op is the time for one whole record.
func BenchmarkDetect(b *testing.B) {
	r := record100(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := NewLeads(r.rate, 2)
		n := len(r.leads[0])
		for i := 0; i < n; i += 360 {
			j := min(n, i+360)
			d.Push(r.leads[0][i:j], r.leads[1][i:j])
		}
		d.Flush()
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/record")
}
