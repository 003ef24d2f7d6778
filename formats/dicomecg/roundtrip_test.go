package dicomecg

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"telewave/formats/ecg12"
)

// synthetic builds a record whose leads are distinct, deterministic
// waveforms (a beat-like spike train plus a slow wave per lead).
func synthetic(labels []string, rate float64, seconds float64, scale float64, baseline int32) *ecg12.Record {
	n := int(rate * seconds)
	rec := &ecg12.Record{
		Format:     FormatTwelveLead,
		SampleRate: rate,
		Patient:    ecg12.Patient{ID: "MRN-0042", FamilyName: "Müller", GivenName: "Anna", BirthDate: time.Date(1960, 2, 29, 0, 0, 0, 0, time.UTC), Sex: "F"},
		Device:     ecg12.Device{Manufacturer: "Telewave Test", Model: "Cart 9", Serial: "SN123", Software: "2.1"},
		Acquired:   time.Date(2024, 5, 6, 7, 8, 9, 250_000_000, time.UTC),
		Measurements: []ecg12.Measurement{
			{Name: "VentricularRate", Value: 72, Unit: "/min"}, {Name: "PRInterval", Value: 160, Unit: "ms"},
			{Name: "QRSDuration", Value: 92, Unit: "ms"}, {Name: "QTc", Value: 412.5, Unit: "ms"},
			{Name: "QRSAxis", Value: -15, Unit: "deg"}, {Name: "STElevationV2", Value: math.NaN(), Unit: "uV"},
		},
		Statements: []string{"Sinus rhythm", "Normal ECG — unconfirmed"},
	}
	for i, l := range labels {
		s := make([]int32, n)
		for k := range s {
			ph := float64(k) / rate
			beat := math.Exp(-math.Pow(math.Mod(ph, 0.8)-0.3, 2) / 0.0004)
			s[k] = baseline + int32(math.Round(float64(300+40*i)*beat+80*math.Sin(2*math.Pi*(0.3+0.1*float64(i))*ph)))
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: l, Samples: s, Scale: scale, Baseline: baseline})
	}
	return rec
}

func withMedian(rec *ecg12.Record, n int) *ecg12.Record {
	rec.MedianRate = rec.SampleRate
	for _, l := range rec.Leads {
		m := l
		m.Samples = append([]int32(nil), l.Samples[:n]...)
		rec.Median = append(rec.Median, m)
	}
	return rec
}

// sameRecord compares two records field by field (NaN equal to NaN, times
// by instant).
func sameRecord(t *testing.T, got, want *ecg12.Record) {
	t.Helper()
	if got.Format != want.Format || got.SampleRate != want.SampleRate || got.MedianRate != want.MedianRate {
		t.Errorf("format/rates %q %v %v, want %q %v %v", got.Format, got.SampleRate, got.MedianRate, want.Format, want.SampleRate, want.MedianRate)
	}
	if !reflect.DeepEqual(got.Leads, want.Leads) {
		t.Errorf("leads differ:\n%s", leadDiff(got.Leads, want.Leads))
	}
	if !reflect.DeepEqual(got.Median, want.Median) {
		t.Errorf("median differs:\n%s", leadDiff(got.Median, want.Median))
	}
	gp, wp := got.Patient, want.Patient
	if !gp.BirthDate.Equal(wp.BirthDate) {
		t.Errorf("birth date %v, want %v", gp.BirthDate, wp.BirthDate)
	}
	gp.BirthDate, wp.BirthDate = time.Time{}, time.Time{}
	if gp != wp || got.Device != want.Device {
		t.Errorf("patient %+v device %+v, want %+v %+v", got.Patient, got.Device, want.Patient, want.Device)
	}
	if !got.Acquired.Equal(want.Acquired) {
		t.Errorf("acquired %v, want %v", got.Acquired, want.Acquired)
	}
	if len(got.Measurements) != len(want.Measurements) {
		t.Errorf("measurements %v, want %v", got.Measurements, want.Measurements)
	} else {
		for i, m := range want.Measurements {
			g := got.Measurements[i]
			if g.Name != m.Name || g.Unit != m.Unit || !(g.Value == m.Value || math.IsNaN(g.Value) && math.IsNaN(m.Value)) {
				t.Errorf("measurement %d = %+v, want %+v", i, g, m)
			}
		}
	}
	if !reflect.DeepEqual(got.Statements, want.Statements) {
		t.Errorf("statements %q, want %q", got.Statements, want.Statements)
	}
}

func leadDiff(got, want []ecg12.Lead) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d leads, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Label != w.Label || g.Scale != w.Scale || g.Baseline != w.Baseline || g.Derived != w.Derived || len(g.Samples) != len(w.Samples) {
			return fmt.Sprintf("lead %d: %s scale %v base %d derived %v n %d, want %s %v %d %v %d", i,
				g.Label, g.Scale, g.Baseline, g.Derived, len(g.Samples), w.Label, w.Scale, w.Baseline, w.Derived, len(w.Samples))
		}
		for k := range g.Samples {
			if g.Samples[k] != w.Samples[k] {
				return fmt.Sprintf("lead %s sample %d: %d, want %d", g.Label, k, g.Samples[k], w.Samples[k])
			}
		}
	}
	return "equal"
}

var twelve = ecg12.StandardOrder

func TestRoundTrip(t *testing.T) {
	local := time.FixedZone("CET", 3600)
	tests := []struct {
		name   string
		rec    *ecg12.Record
		format string
		w      writer
	}{
		{"12 leads 500 Hz 10 s", synthetic(twelve, 500, 10, 4.88, 0), FormatTwelveLead, writer{}},
		{"12 leads with median", withMedian(synthetic(twelve, 500, 10, 5, 0), 600), FormatTwelveLead, writer{}},
		{"12 leads 1000 Hz, baseline 2048, 2.5 µV", synthetic(twelve, 1000, 10, 2.5, 2048), FormatTwelveLead, writer{}},
		{"implicit VR", withMedian(synthetic(twelve, 500, 10, 4.88, -7), 400), FormatTwelveLead, writer{implicit: true}},
		{"undefined lengths", withMedian(synthetic(twelve, 500, 10, 4.88, 0), 400), FormatTwelveLead, writer{undefined: true}},
		{"implicit VR, undefined lengths", synthetic(twelve, 250, 10, 10, 3), FormatTwelveLead, writer{implicit: true, undefined: true}},
		{"15 leads is General ECG", synthetic(append(append([]string{}, twelve...), "V4R", "X", "Custom lead"), 500, 10, 4.88, 0), FormatGeneral, writer{}},
		{"20 s is General ECG", synthetic(twelve, 500, 20, 4.88, 0), FormatGeneral, writer{}},
		{"2 leads is General ECG", synthetic([]string{"I", "II"}, 250, 5, 1, 0), FormatGeneral, writer{}},
		{"150 Hz is General ECG", synthetic(twelve, 150, 10, 4.88, 0), FormatGeneral, writer{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.rec.Format = tc.format
			data, err := encode(tc.rec, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if !Sniff(data) {
				t.Fatal("Sniff rejects what Encode wrote")
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			sameRecord(t, got, tc.rec)
		})
	}
	t.Run("no time, no patient, local zone", func(t *testing.T) {
		rec := synthetic(twelve, 500, 2, 4.88, 0)
		rec.Patient, rec.Device, rec.Acquired = ecg12.Patient{Sex: "U"}, ecg12.Device{}, time.Time{}
		rec.Measurements, rec.Statements = nil, nil
		data, err := Encode(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, rec)
		rec.Acquired = time.Date(2023, 12, 31, 23, 59, 58, 0, local)
		if data, err = Encode(rec); err != nil {
			t.Fatal(err)
		}
		if got, err = Decode(data); err != nil {
			t.Fatal(err)
		}
		if !got.Acquired.Equal(rec.Acquired) {
			t.Errorf("acquired %v, want %v", got.Acquired, rec.Acquired)
		}
		if _, off := got.Acquired.Zone(); off != 3600 {
			t.Errorf("zone offset %d s, want 3600", off)
		}
	})
}

// A scale that needs more than the 16 characters of a DS comes back within
// a part in 10^13; counts and baselines stay exact.
func TestLongScale(t *testing.T) {
	rec := synthetic(twelve, 500, 2, 2000.0/65535*1000/7, 100)
	data, err := Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range got.Leads {
		w := rec.Leads[i]
		if math.Abs(l.Scale-w.Scale)/w.Scale > 1e-13 || l.Baseline != w.Baseline || !reflect.DeepEqual(l.Samples, w.Samples) {
			t.Fatalf("lead %s: scale %v base %d, want %v %d", l.Label, l.Scale, l.Baseline, w.Scale, w.Baseline)
		}
	}
}

// The writer's derived-lead flag is not kept, and an 8-lead file (I, II,
// V1–V6) comes back with III, aVR, aVL, aVF derived.
func TestEightLeadsDerive(t *testing.T) {
	rec := synthetic([]string{"I", "II", "V1", "V2", "V3", "V4", "V5", "V6"}, 500, 10, 4.88, 0)
	data, err := Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Leads) != 12 {
		t.Fatalf("%d leads", len(got.Leads))
	}
	for i, l := range got.Leads {
		derived := l.Label == "III" || l.Label[0] == 'a'
		if l.Label != twelve[i] || l.Derived != derived {
			t.Errorf("lead %d = %s derived %v", i, l.Label, l.Derived)
		}
	}
	I, II, III := got.Leads[0].Samples, got.Leads[1].Samples, got.Leads[2].Samples
	for k := range I {
		if III[k] != II[k]-I[k] {
			t.Fatalf("III[%d] = %d, want %d", k, III[k], II[k]-I[k])
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(*ecg12.Record)
	}{
		{"sample beyond 16 bits", func(r *ecg12.Record) { r.Leads[3].Samples[7] = 40000 }},
		{"no leads", func(r *ecg12.Record) { r.Leads = nil }},
		{"no samples", func(r *ecg12.Record) {
			for i := range r.Leads {
				r.Leads[i].Samples = nil
			}
		}},
		{"zero rate", func(r *ecg12.Record) { r.SampleRate = 0 }},
		{"uneven leads", func(r *ecg12.Record) { r.Leads[1].Samples = r.Leads[1].Samples[:10] }},
		{"infinite measurement", func(r *ecg12.Record) { r.Measurements[0].Value = math.Inf(1) }},
		{"median without rate", func(r *ecg12.Record) { withMedian(r, 100); r.MedianRate = 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := synthetic(twelve, 500, 2, 4.88, 0)
			tc.edit(rec)
			if data, err := Encode(rec); err == nil {
				t.Fatalf("Encode wrote %d bytes", len(data))
			}
		})
	}
	if _, err := Encode(nil); err == nil {
		t.Error("Encode(nil) succeeded")
	}
}

// Every UID written is new, under 2.25, at most 64 characters.
func TestUIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u, err := newUID()
		if err != nil {
			t.Fatal(err)
		}
		if len(u) > 64 || u[:5] != "2.25." || seen[u] || (len(u) > 6 && u[5] == '0') {
			t.Fatalf("UID %q", u)
		}
		seen[u] = true
	}
}
