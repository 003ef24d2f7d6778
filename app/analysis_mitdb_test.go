package app

import (
	"os"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/formats/wfdb"
)

// Thirty minutes of MIT-BIH record 100 (normal sinus rhythm with a few
// ectopic beats, 69-year-old man) through the live path as two ECG leads
// of a device, as fast as the machine goes, on a clock advanced by the
// samples' time: no physiological alarm, and the beats the reference
// annotates.
func TestRecord100RaisesNoAlarm(t *testing.T) {
	rec, err := wfdb.Read(os.DirFS("../testdata"), "mitdb/100")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../testdata/mitdb/100.atr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ann, err := wfdb.ReadAnnotations(f)
	if err != nil {
		t.Fatal(err)
	}
	frames := int(30 * 60 * rec.Freq)
	refBeats := 0
	for _, a := range ann {
		if wfdb.IsBeat(a.Code) && a.Sample < int64(frames) {
			refBeats++
		}
	}

	b := newBedside(t)
	var waves []*wave
	for i, s := range rec.Signals {
		mdc := devices.MDCECGElecPotl
		if s.Description == "MLII" {
			mdc = devices.MDCECGLeadII
		}
		waves = append(waves, b.declare("holter", devices.Signal{ID: s.Description, Label: s.Description, Kind: devices.KindECG,
			MDC: mdc, Unit: s.Units, SampleRate: rec.Freq, Scale: 1 / s.Gain, Baseline: s.Baseline, Min: 0, Max: 2047}))
		if len(rec.Samples[i]) < frames {
			t.Fatalf("record has %d samples", len(rec.Samples[i]))
		}
	}
	const per = 36 // 0.1 s, as a device sends
	for n := 0; n < frames; n += per {
		end := min(n+per, frames)
		b.advance(waves[0].timeOf(int64(end)))
		for i, w := range waves {
			b.send(w.slot, &devices.Chunk{Signal: w.sig.ID, Seq: w.seq, HostTime: w.timeOf(int64(n)), Samples: rec.Samples[i][n:end]})
			w.seq++
		}
	}

	for _, en := range b.entries {
		t.Errorf("journal: %+v", en)
	}
	var hr []float64
	for _, n := range b.derived {
		if n.Label == "HR (telewave)" {
			if n.Code != devices.MDCECGHeartRate || n.Status != devices.Valid {
				t.Fatalf("HR numeric %+v", n)
			}
			hr = append(hr, n.Value)
		}
	}
	slices.Sort(hr)
	t.Logf("record 100, 30 min: %d beats counted (reference %d), %d HR values %g–%g, median %g",
		len(b.beats), refBeats, len(hr), hr[0], hr[len(hr)-1], hr[len(hr)/2])
	if d := len(b.beats) - refBeats; d < -refBeats/200 || d > refBeats/200 {
		t.Errorf("%d beats counted, reference %d (±0.5 %%)", len(b.beats), refBeats)
	}
	if len(hr) < 30*60-5 {
		t.Errorf("%d HR values in 30 min, want one a second", len(hr))
	}
	mean := 60 * float64(refBeats) / (30 * 60)
	if m := hr[len(hr)/2]; m < mean-5 || m > mean+5 {
		t.Errorf("median HR %g, the reference's mean rate is %.1f", m, mean)
	}
}

// BenchmarkAnalysisECG is the live path's cost for one second of a
// two-lead 360 Hz ECG in 0.1 s chunks: QRS detection, quality, heart
// rate, the alarm engine fed every chunk and numeric.
func BenchmarkAnalysisECG(b *testing.B) {
	rec, err := wfdb.Read(os.DirFS("../testdata"), "mitdb/100")
	if err != nil {
		b.Fatal(err)
	}
	now := b0
	a, err := NewAnalysis(AnalysisConfig{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range rec.Signals {
		a.handle(Envelope{Device: "holter", Msg: &devices.Signal{ID: s.Description, Kind: devices.KindECG, Unit: s.Units,
			SampleRate: rec.Freq, Scale: 1 / s.Gain, Baseline: s.Baseline}})
	}
	const per = 36
	frames := len(rec.Samples[0]) / per * per
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for range 10 { // one second
			if n+per > frames {
				n = 0
			}
			for i, s := range rec.Signals {
				a.handle(Envelope{Device: "holter", Msg: &devices.Chunk{Signal: s.Description, HostTime: now, Samples: rec.Samples[i][n : n+per]}})
			}
			n += per
			now = now.Add(100 * time.Millisecond)
		}
		a.tick(now)
	}
}
