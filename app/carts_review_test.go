package app

import (
	"math"
	"slices"
	"testing"
	"time"

	"telewave/formats/carts"
	"telewave/formats/ecg12"
)

// syntheticECG is secs seconds of a regular rhythm at bpm on the given
// leads, 500 Hz, in µV: a 1.2 mV R wave 20 ms wide and a 0.3 mV T wave
// 250 ms after it.
func syntheticECG(bpm, secs float64, leads ...string) *ecg12.Record {
	const rate = 500
	n := int(secs * rate)
	s := make([]int32, n)
	period := 60 / bpm
	var noise uint32 = 1
	for i := range s {
		t := float64(i) / rate
		phase := math.Mod(t, period) - 0.3 // first R at 0.3 s
		if phase < -period/2 {
			phase += period
		}
		v := 1200*math.Exp(-phase*phase/(2*0.008*0.008)) + 300*math.Exp(-(phase-0.25)*(phase-0.25)/(2*0.04*0.04))
		noise = noise*1103515245 + 12345 // a fixed pseudo-random ±10 µV, and 50 µV of breathing
		v += float64(noise>>16&0x7fff)/0x7fff*20 - 10 + 50*math.Sin(2*math.Pi*0.25*t)
		s[i] = int32(math.Round(v))
	}
	rec := &ecg12.Record{SampleRate: rate}
	for _, l := range leads {
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: l, Samples: slices.Clone(s), Scale: 1})
	}
	return rec
}

func measured(ms []ecg12.Measurement, name string) float64 {
	for _, m := range ms {
		if m.Name == name {
			return m.Value
		}
	}
	return math.NaN()
}

func TestMeasureTwelveLeadRates(t *testing.T) {
	for _, bpm := range []float64{45, 60, 75, 100, 150} {
		rec := syntheticECG(bpm, 10, "I", "II")
		rec.Leads[0].Samples = make([]int32, len(rec.Leads[0].Samples)) // a flat lead I: II must be the one used
		ms, lead, why := MeasureTwelveLead(rec)
		if why != "" || lead != "II" {
			t.Fatalf("%g bpm: lead %q, %s", bpm, lead, why)
		}
		for _, name := range []string{OurRate, OurMeanRate} {
			if got := measured(ms, name); math.Abs(got-bpm) > 1 {
				t.Errorf("%g bpm: %s %g", bpm, name, got)
			}
		}
		rr := 60000 / bpm
		if lo, hi := measured(ms, OurRRMin), measured(ms, OurRRMax); math.Abs(lo-rr) > 10 || math.Abs(hi-rr) > 10 {
			t.Errorf("%g bpm: RR %g–%g ms, want %g", bpm, lo, hi, rr)
		}
		if beats, want := measured(ms, OurBeats), math.Floor((10-0.3)*bpm/60)+1; beats != want {
			t.Errorf("%g bpm: %g beats, want %g", bpm, beats, want)
		}
	}
}

func TestMeasureTwelveLeadFallbacks(t *testing.T) {
	rec := syntheticECG(80, 10, "V1")
	if ms, lead, why := MeasureTwelveLead(rec); lead != "V1" || why != "" || math.Abs(measured(ms, OurRate)-80) > 1 {
		t.Errorf("without lead II: %v %q %q", ms, lead, why)
	}
	flat := &ecg12.Record{SampleRate: 500, Leads: []ecg12.Lead{{Label: "II", Samples: make([]int32, 5000), Scale: 1}}}
	if ms, _, why := MeasureTwelveLead(flat); why == "" || measured(ms, OurBeats) != 0 || !math.IsNaN(measured(ms, OurRate)) {
		t.Errorf("a flat line: %v %q", ms, why)
	}
	for _, rec := range []*ecg12.Record{nil, {}, {SampleRate: 0, Leads: rec.Leads}} {
		if ms, _, why := MeasureTwelveLead(rec); why == "" || ms != nil {
			t.Errorf("%+v: %v %q", rec, ms, why)
		}
	}
	empty := &ecg12.Record{SampleRate: 500, Leads: []ecg12.Lead{{Label: "II"}}}
	if _, _, why := MeasureTwelveLead(empty); why == "" {
		t.Error("a lead without samples was measured")
	}
}

// Our rate from the Philips demo file agrees with the cart's own
// ventricular rate.
func TestMeasureTwelveLeadAgreesWithTheCart(t *testing.T) {
	rec, _, err := carts.Decode(sierraFile(t))
	if err != nil {
		t.Fatal(err)
	}
	cart := measured(rec.Measurements, "VentricularRate")
	ms, lead, why := MeasureTwelveLead(rec)
	if why != "" || lead != "II" || math.IsNaN(cart) {
		t.Fatalf("lead %q, %q, cart rate %g", lead, why, cart)
	}
	// The strip has sinus arrhythmia (RR from about 580 to 850 ms): the
	// cart's rate is its beats in 10 s, times 6; ours from the mean RR is
	// within a beat of it, and the detector's median lies between the
	// rates of the longest and the shortest RR.
	secs := float64(len(rec.Leads[1].Samples)) / rec.SampleRate
	if beats := measured(ms, OurBeats); math.Abs(beats*60/secs-cart) > 60/secs {
		t.Errorf("%g QRS complexes in %g s, the cart says %g /min", beats, secs, cart)
	}
	if got := measured(ms, OurMeanRate); math.Abs(got-cart) > 60/secs {
		t.Errorf("rate from the mean RR %g, the cart says %g", got, cart)
	}
	slow, fast := 60000/measured(ms, OurRRMax), 60000/measured(ms, OurRRMin)
	if got := measured(ms, OurRate); got < math.Floor(slow) || got > math.Ceil(fast) || fast-slow < 20 {
		t.Errorf("detector rate %g, RR rates %g to %g", got, slow, fast)
	}
}

// A cart record stored at import (ECGTracks, CartNotes) reads back as the
// same leads and the same findings.
func TestCartRecordAndFindingsRoundTrip(t *testing.T) {
	rec, _, err := carts.Decode(sierraFile(t))
	if err != nil {
		t.Fatal(err)
	}
	rec.Measurements = append(rec.Measurements, ecg12.Measurement{Name: "PAxis2", Value: math.NaN()})
	back, err := CartRecord(ECGTracks(rec))
	if err != nil {
		t.Fatal(err)
	}
	if back.SampleRate != rec.SampleRate || len(back.Leads) != len(rec.Leads) {
		t.Fatalf("%g Hz, %d leads", back.SampleRate, len(back.Leads))
	}
	for i, l := range rec.Leads {
		b := back.Leads[i]
		if b.Label != l.Label || b.Derived != l.Derived || b.Scale != l.Scale || b.Baseline != l.Baseline || !slices.Equal(b.Samples, l.Samples) {
			t.Errorf("lead %s came back as %s (derived %v)", l.Label, b.Label, b.Derived)
		}
	}
	ms, st, cart := CartFindings(CartNotes(rec, time.Now()))
	if cart != "Philips Medical Products PageWriter Touch" || !slices.Equal(st, rec.Statements) || len(ms) != len(rec.Measurements) {
		t.Fatalf("cart %q, %d statements, %d measurements", cart, len(st), len(ms))
	}
	for i, m := range rec.Measurements {
		if ms[i].Name != m.Name || ms[i].Unit != m.Unit || (ms[i].Value != m.Value && !(math.IsNaN(m.Value) && math.IsNaN(ms[i].Value))) {
			t.Errorf("measurement %d: %+v, want %+v", i, ms[i], m)
		}
	}
	if _, err := CartRecord([]Track{{Samples: []int32{1}}}); err == nil {
		t.Error("a record without voltage tracks")
	}
}
