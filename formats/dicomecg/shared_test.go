package dicomecg

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"telewave/formats/ecg12"
)

// sharedData finds ../shared/data beside the repository root, or skips
// loudly: the pydicom sample's origin is unstated, so it may not be copied
// into testdata.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skipf("SKIPPED: no repository root above the test; shared data %s not read", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("SKIPPED: shared data %s is absent (%v); this test reads files that may not be copied into testdata", p, err)
	}
	return p
}

const mortaraFile = "ecg12/dicom/pydicom_waveform_ecg.dcm"

func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(sharedData(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// The Mortara ELI 250 file as dcmdump shows it: 12 channels × 10000
// samples at 1000 Hz (RHYTHM) and a 1200-sample MEDIAN BEAT group, 1.25 µV
// per count, nine measurements and two statements. The first samples are
// those dcmdump prints for (5400,1010) and pydicom's waveform guide shows
// scaled (100, 112.5, 12.5 µV …).
func TestMortaraFile(t *testing.T) {
	rec, err := Decode(readShared(t, mortaraFile))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Format != FormatTwelveLead || rec.SampleRate != 1000 || len(rec.Leads) != 12 {
		t.Fatalf("%s %v Hz %d leads", rec.Format, rec.SampleRate, len(rec.Leads))
	}
	for i, l := range rec.Leads {
		if l.Label != ecg12.StandardOrder[i] || len(l.Samples) != 10000 || l.Scale != 1.25 || l.Baseline != 0 || l.Derived {
			t.Errorf("lead %d: %s %d samples scale %v baseline %d derived %v", i, l.Label, len(l.Samples), l.Scale, l.Baseline, l.Derived)
		}
	}
	first := []int32{80, 90, 10, -85, 35, 50, 40, 15, -10, -20, -55, -40}
	for i, want := range first {
		if got := rec.Leads[i].Samples[0]; got != want {
			t.Errorf("%s[0] = %d, want %d", rec.Leads[i].Label, got, want)
		}
	}
	if uv := rec.Leads[1].Microvolts()[0]; uv != 112.5 {
		t.Errorf("II[0] = %v µV, want 112.5", uv)
	}
	if len(rec.Median) != 12 || rec.MedianRate != 1000 || len(rec.Median[0].Samples) != 1200 || rec.Median[0].Label != "I" {
		t.Errorf("median: %d leads at %v Hz", len(rec.Median), rec.MedianRate)
	}
	wantP := ecg12.Patient{ID: "642341", FamilyName: "Anonymous", BirthDate: time.Date(1971, 1, 23, 0, 0, 0, 0, time.UTC), Sex: "F"}
	if rec.Patient != wantP {
		t.Errorf("patient %+v, want %+v", rec.Patient, wantP)
	}
	wantD := ecg12.Device{Manufacturer: "Mortara Instrument, Inc.", Model: "el250", Software: "0.0.0"}
	if rec.Device != wantD {
		t.Errorf("device %+v, want %+v", rec.Device, wantD)
	}
	if want := time.Date(2013, 1, 25, 10, 59, 19, 0, time.UTC); !rec.Acquired.Equal(want) {
		t.Errorf("acquired %v, want %v", rec.Acquired, want)
	}
	wantM := []ecg12.Measurement{meas("RRInterval", 982, "ms"), meas("PPInterval", 0, "ms"), meas("PRInterval", 161, "ms"),
		meas("QRSDuration", 75, "ms"), meas("QTInterval", 368, "ms"), meas("QTc", 370, "ms"),
		meas("PAxis", 74, "deg"), meas("QRSAxis", 52, "deg"), meas("TAxis", 57, "deg")}
	if len(rec.Measurements) != len(wantM) {
		t.Fatalf("measurements %v", rec.Measurements)
	}
	for i, m := range wantM {
		if rec.Measurements[i] != m {
			t.Errorf("measurement %d = %+v, want %+v", i, rec.Measurements[i], m)
		}
	}
	if len(rec.Statements) != 2 || rec.Statements[0] != "RITMO SINUSALE" || rec.Statements[1] != "ECG NORMALE" {
		t.Errorf("statements %q", rec.Statements)
	}
}

// In a real 12-lead ECG the limb leads obey Einthoven's and Goldberger's
// relations to within rounding: a check that channels were not swapped or
// de-interleaved wrongly.
func TestMortaraLimbLeads(t *testing.T) {
	rec, err := Decode(readShared(t, mortaraFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, leads := range [][]ecg12.Lead{rec.Leads, rec.Median} {
		I, II, III, aVR := leads[0].Samples, leads[1].Samples, leads[2].Samples, leads[3].Samples
		bad := 0
		for k := range I {
			if abs32(III[k]-(II[k]-I[k])) > 1 || math.Abs(float64(aVR[k])+float64(I[k]+II[k])/2) > 1.5 {
				bad++
			}
		}
		if bad > len(I)/100 {
			t.Errorf("%d of %d samples break III = II − I or aVR = −(I+II)/2", bad, len(I))
		}
	}
}

func abs32(v int32) int32 { return max(v, -v) }

func meas(name string, v float64, unit string) ecg12.Measurement {
	return ecg12.Measurement{Name: name, Value: v, Unit: unit}
}
