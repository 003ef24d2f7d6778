package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"telewave/app"
	"telewave/storage/sqlite"
)

func copyRecord(t *testing.T, dir string) string {
	t.Helper()
	for _, ext := range []string{".hea", ".dat", ".atr"} {
		b, err := os.ReadFile("../../testdata/mitdb/100" + ext)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "100"+ext), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "100")
}

// Import MIT-BIH 100, export it as WFDB, EDF+ and CSV: each read back
// equals the stored samples. Then the patient's name and MRN are nowhere
// in the database, its WAL or the temp directory.
func TestImportExportRoundTripsAndLeavesNoClearText(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	vars := storeVars(t)
	vars["TELEWAVE_STORE"] = filepath.Join(tmp, "store")
	const name, mrn = "Philomena Quackenbush", "QZ-990011"
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", mrn, "--name", name)
	out := runOK(t, vars, "import", copyRecord(t, t.TempDir()), "--patient", mrn, "--start", "2026-11-21T08:00:00Z")
	if !strings.Contains(out, "signals=2 samples=1300000 annotations=2274") {
		t.Fatalf("import printed %q", out)
	}
	recID := strings.TrimPrefix(strings.Fields(out)[0], "recording=")

	ctx := context.Background()
	s, err := sqlite.Open(ctx, vars["TELEWAVE_STORE"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unlock(ctx, vars["TELEWAVE_USER"], []byte(vars["TELEWAVE_PASSPHRASE"])); err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseInt(recID, 10, 64)
	_, stored, err := app.ReadTracks(ctx, s, id)
	s.Close()
	if err != nil || len(stored) != 2 || len(stored[0].Samples) != 650000 {
		t.Fatalf("stored tracks: %d, %v", len(stored), err)
	}

	outDir := t.TempDir()
	runOK(t, vars, "export", "--recording", recID, "--format", "wfdb", "--out", filepath.Join(outDir, "back"))
	runOK(t, vars, "export", "--recording", recID, "--format", "edf", "--out", filepath.Join(outDir, "back.edf"))
	runOK(t, vars, "export", "--recording", recID, "--format", "csv", "--out", filepath.Join(outDir, "back.csv"))

	w, _, err := app.ReadWFDB(filepath.Join(outDir, "back"))
	if err != nil {
		t.Fatal(err)
	}
	e, _, _, err := app.ReadEDF(filepath.Join(outDir, "back.edf"))
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := readCSV(filepath.Join(outDir, "back.csv"), time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for format, got := range map[string][]app.Track{"wfdb": w, "edf": e, "csv": c} {
		for i := range stored {
			g := got[i].Samples
			if format == "edf" { // EDF+ pads the last data record with the last sample
				g = g[:min(len(g), len(stored[i].Samples))]
			}
			if !slices.Equal(g, stored[i].Samples) {
				t.Errorf("%s export: signal %d differs from the stored samples (%d vs %d samples)", format, i, len(g), len(stored[i].Samples))
			}
		}
	}

	// No clear text of the patient at rest or in temp files.
	secrets := [][]byte{[]byte(name), []byte(mrn), []byte("Quackenbush")}
	err = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, sec := range secrets {
			if bytes.Contains(b, sec) {
				return errors.New(path + " contains " + string(sec))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(vars["TELEWAVE_STORE"], "telewave.db")); err != nil {
		t.Fatalf("the scan did not cover the store: %v", err)
	}
	audit := runOK(t, vars, "store", "audit")
	if strings.Count(audit, " export ") < 3 || !strings.Contains(audit, " import ") {
		t.Errorf("imports and exports not audited:\n%s", audit)
	}
}
