package carts

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"telewave/formats/aecg"
	"telewave/formats/dicomecg"
	"telewave/formats/ecg12"
)

func synthetic() *ecg12.Record {
	rec := &ecg12.Record{SampleRate: 500, Patient: ecg12.Patient{ID: "MRN-77"}}
	for _, l := range []string{"I", "II", "V1", "V2", "V3", "V4", "V5", "V6"} {
		s := make([]int32, 5000)
		for i := range s {
			s[i] = int32((i*7 + len(l)*13) % 200)
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: l, Samples: s, Scale: 4.88})
	}
	rec.DeriveLimbLeads()
	return rec
}

// Files our writers make are recognised by the right reader and read back.
func TestDecodeRecognisesEachWriter(t *testing.T) {
	for name, enc := range map[string]func(*ecg12.Record) ([]byte, error){"HL7 aECG": aecg.Encode, "DICOM ECG": dicomecg.Encode} {
		b, err := enc(synthetic())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rec, f, err := Decode(b)
		if err != nil || f.Name != name || len(rec.Leads) != 12 || rec.Patient.ID != "MRN-77" {
			t.Fatalf("%s: format %q, err %v, rec %+v", name, f.Name, err, rec)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	if _, _, err := Decode([]byte("hello, not an ECG")); !errors.Is(err, ErrUnknown) {
		t.Fatalf("plain text: %v", err)
	}
	b, _ := aecg.Encode(synthetic())
	if rec, f, err := Decode(b[:len(b)/2]); err == nil || rec != nil || f.Name != "HL7 aECG" {
		t.Fatalf("a truncated aECG: rec %v, format %q, err %v", rec != nil, f.Name, err)
	}
}

// Every real cart file in ../shared/data/ecg12 is recognised and read.
func TestSharedCartFiles(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data", "ecg12")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIPPED: %s not found (the shared corpus is not beside the repository)", dir)
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".hea", ".dat", ".xyz", ".ecgpuwave":
			return nil // WFDB has its own import path
		}
		rec, f, err := ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			return nil
		}
		n++
		t.Logf("%-45s %-18s %2d leads × %5d at %g Hz, %d measurements, %d statements", filepath.Base(p), f.Name,
			len(rec.Leads), len(rec.Leads[0].Samples), rec.SampleRate, len(rec.Measurements), len(rec.Statements))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("read %d cart files, want every one of the ≥ 10 in %s", n, dir)
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := aecg.Encode(synthetic())
	f.Add(b)
	d, _ := dicomecg.Encode(synthetic())
	f.Add(d)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, _, err := Decode(data)
		if err == nil && rec.Validate() != nil {
			t.Fatalf("accepted an invalid record: %v", rec.Validate())
		}
	})
}
