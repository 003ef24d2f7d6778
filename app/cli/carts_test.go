package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"telewave/app"
	"telewave/formats/aecg"
	"telewave/formats/dicomecg"
	"telewave/formats/ecg12"
	"telewave/storage/sqlite"
)

func cartRecord(mrn string) *ecg12.Record {
	rec := &ecg12.Record{SampleRate: 500, Patient: ecg12.Patient{ID: mrn},
		Measurements: []ecg12.Measurement{{Name: "VentricularRate", Value: 72, Unit: "/min"}},
		Statements:   []string{"Sinus rhythm"}}
	for k, l := range []string{"I", "II", "V1", "V2", "V3", "V4", "V5", "V6"} {
		s := make([]int32, 5000)
		for i := range s {
			s[i] = int32((i*(k+3))%400 - 200)
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: l, Samples: s, Scale: 4.88})
	}
	rec.DeriveLimbLeads()
	return rec
}

// A cart file imports by its own patient id, with the cart's measurements
// and statements beside the 12 leads; the samples stored are the file's.
func TestImportCartFiles(t *testing.T) {
	tmp := t.TempDir()
	vars := storeVars(t)
	vars["TELEWAVE_STORE"] = filepath.Join(tmp, "store")
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "CART-1", "--name", "Cart Patient")
	for name, enc := range map[string]func(*ecg12.Record) ([]byte, error){"ecg.xml": aecg.Encode, "ecg.dcm": dicomecg.Encode} {
		src := cartRecord("CART-1")
		b, err := enc(src)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out := runOK(t, vars, "import", path)
		if !strings.Contains(out, "signals=12 samples=60000 annotations=2") {
			t.Fatalf("%s: import printed %q", name, out)
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(strings.Fields(out)[0], "recording="), 10, 64)
		ctx := context.Background()
		s, err := sqlite.Open(ctx, vars["TELEWAVE_STORE"])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unlock(ctx, vars["TELEWAVE_USER"], []byte(vars["TELEWAVE_PASSPHRASE"])); err != nil {
			t.Fatal(err)
		}
		_, tracks, err := app.ReadTracks(ctx, s, id)
		s.Close()
		if err != nil || len(tracks) != 12 {
			t.Fatalf("%s: %d tracks, %v", name, len(tracks), err)
		}
		for i, tr := range tracks {
			want := src.Leads[i]
			if tr.Signal.ID != want.Label || len(tr.Samples) != len(want.Samples) || tr.Samples[1234] != want.Samples[1234] {
				t.Fatalf("%s: track %d %s differs from lead %s", name, i, tr.Signal.ID, want.Label)
			}
		}
	}
	// A file for a patient the store does not know is refused, nothing stored.
	b, _ := aecg.Encode(cartRecord("NOBODY-9"))
	path := filepath.Join(tmp, "other.xml")
	os.WriteFile(path, b, 0o600)
	runFails(t, vars, "matches no patient", "import", path)
	// A truncated file is a clear error.
	os.WriteFile(path, b[:len(b)/3], 0o600)
	runFails(t, vars, "HL7 aECG", "import", path, "--patient", "CART-1")
}
