package muse

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"telewave/formats/ecg12"
	"telewave/formats/wfdb"
)

// sharedData finds ../shared/data beside the repository root, or skips
// loudly: the MUSE sample is GPL (R package EGM), so it is not copied here.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	p, err := sharedPath(rel)
	if err != nil {
		tb.Skipf("SKIPPED: %v; this test reads files that may not be copied into testdata", err)
	}
	return p
}

// sharedPath is ../shared/data/rel beside the repository root, if it is
// there.
func sharedPath(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no repository root above the test; shared data %s not read", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared data %s is absent (%v)", p, err)
	}
	return p, nil
}

const museSinus = "ecg12/ge-muse/EGM_muse-sinus.xml"

func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(sharedData(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// EGM's MUSE sample: a MUSE 9 export of a 10 s, 500 Hz resting ECG from an
// MV360 cart, 4.88 µV a count, de-identified as JOHN DOE.
func TestDecodeMuseSinus(t *testing.T) {
	rec, err := Decode(readShared(t, museSinus))
	if err != nil {
		t.Fatal(err)
	}
	if rec.SampleRate != 500 || rec.Duration() != 10*time.Second || !rec.Acquired.Equal(time.Date(2023, 4, 29, 22, 41, 16, 0, time.UTC)) {
		t.Errorf("rate %v duration %v acquired %v", rec.SampleRate, rec.Duration(), rec.Acquired)
	}
	wantP := ecg12.Patient{ID: "081486213", FamilyName: "DOE", GivenName: "JOHN", Sex: "M", BirthDate: time.Date(1979, 7, 8, 0, 0, 0, 0, time.UTC)}
	wantD := ecg12.Device{Model: "MV360", Serial: "74", Software: "1.02 SP05"}
	if rec.Patient != wantP || rec.Device != wantD {
		t.Errorf("patient %+v device %+v", rec.Patient, rec.Device)
	}
	if len(rec.Leads) != 12 || len(rec.Median) != 12 || rec.MedianRate != 500 || len(rec.Median[0].Samples) != 600 {
		t.Errorf("%d leads, median %d leads × %d at %v Hz", len(rec.Leads), len(rec.Median), len(rec.Median[0].Samples), rec.MedianRate)
	}
	want := map[string]float64{"VentricularRate": 90, "AtrialRate": 90, "PRInterval": 144, "QRSDuration": 86, "QTInterval": 402, "QTc": 491, "PAxis": 48, "QRSAxis": 0, "TAxis": 111, "QOnset": 438, "QTcFridericia": 460}
	got := map[string]float64{}
	for _, m := range rec.Measurements {
		got[m.Name] = m.Value
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %v, want %v", name, got[name], v)
		}
	}
	wantS := []string{"Normal Sinus rhythm", "Anterior infarct, age undetermined", "T wave abnormality, consider lateral ischemia", "Abnormal ECG", "When compared with ECG of 30-MAR-2023 09:09,", "Questionable change in The axis"}
	if !reflect.DeepEqual(rec.Statements, wantS) {
		t.Errorf("statements %q", rec.Statements)
	}
}

// EGM also ships the same ECG converted to WFDB. Its digits are the MUSE
// values rounded to whole µV (its header says 200 adu/mV, which would make
// lead V4's S wave 8 mV; the digits only make sense as µV, so the test
// reads them so). Stored leads must agree within half a WFDB step
// (0.5 µV); derived leads add our half-count rounding of (I+II)/2 and the
// like (0.5 × 4.88 µV), so within 2.94 µV.
func TestMuseSinusAgainstWFDB(t *testing.T) {
	rec, err := Decode(readShared(t, museSinus))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(sharedData(t, "ecg12/ge-muse/muse-sinus.hea"))
	w, err := wfdb.Read(os.DirFS(dir), "muse-sinus")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Signals) != 12 || w.Freq != rec.SampleRate {
		t.Fatalf("WFDB: %d signals at %v Hz", len(w.Signals), w.Freq)
	}
	seen := map[string]bool{}
	for i, s := range w.Signals {
		label := ecg12.NormalizeLabel(s.Description)
		l, ok := rec.Lead(label)
		if !ok || len(l.Samples) != len(w.Samples[i]) {
			t.Errorf("WFDB lead %s: no MUSE lead of %d samples", s.Description, len(w.Samples[i]))
			continue
		}
		seen[label] = true
		bound := 0.5
		if l.Derived {
			bound = 0.5 + l.Scale/2
		}
		worst := 0.0
		uv := l.Microvolts()
		for k, d := range w.Samples[i] {
			worst = max(worst, math.Abs(float64(d-s.Baseline)-uv[k]))
		}
		if worst > bound+1e-9 {
			t.Errorf("lead %s (derived %v): WFDB and MUSE differ by up to %.3f µV, bound %.3f", label, l.Derived, worst, bound)
		}
		t.Logf("lead %-3s derived %-5v worst %.2f µV", label, l.Derived, worst)
	}
	if len(seen) != 12 {
		t.Errorf("compared %d leads", len(seen))
	}
}
