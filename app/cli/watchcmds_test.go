package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sierraDemo is a real Philips demo ECG kept in the repository (MIT, see
// testdata/README.md) whose patient id is 9999.
func sierraDemo(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "formats", "sierra", "testdata", "1_04_3191723_ZZDEMOPTONLY_1-04_orig.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runWatch(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	env, out, _ := testEnv(vars)
	err := RunWatch(context.Background(), env, args)
	return out.String(), err
}

func TestWatchCommand(t *testing.T) {
	vars := storeVars(t)
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "9999", "--name", "Demo Patient")
	dir := t.TempDir()
	ecg := sierraDemo(t)
	os.WriteFile(filepath.Join(dir, "ecg.xml"), ecg, 0o600)

	out, err := runWatch(t, vars, dir, "--once", "--interval", "10ms")
	if err != nil || !strings.Contains(out, "imported ecg.xml (Philips Sierra XML) as record") {
		t.Fatalf("first run: %q, %v", out, err)
	}
	// Copied back in under another name, beside a foreign file; --json.
	os.WriteFile(filepath.Join(dir, "again.xml"), ecg, 0o600)
	os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("stick contents\n"), 0o600)
	out, err = runWatch(t, vars, dir, "--once", "--interval", "10ms", "--json")
	if err == nil || !strings.Contains(err.Error(), "1 file(s) not imported") {
		t.Fatalf("second run error %v, want one file not imported", err)
	}
	got := map[string]watchLine{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var w watchLine
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got[filepath.Base(w.Path)] = w
	}
	if w := got["again.xml"]; w.Outcome != "duplicate" || w.RecordingID == 0 {
		t.Errorf("the copy: %+v", w)
	}
	if w := got["readme.txt"]; w.Outcome != "rejected" || w.Reason == "" {
		t.Errorf("the text file: %+v", w)
	}
	if w := got["ecg.xml"]; w.Outcome != "duplicate" || len(got) != 3 {
		t.Errorf("lines %+v: want the first file skipped too, three lines", got)
	}
	// Served for a while (the SIGINT path, ended by --for), with --move.
	os.Remove(filepath.Join(dir, "readme.txt"))
	out, err = runWatch(t, vars, dir, "--interval", "10ms", "--for", "2s", "--move")
	if err != nil {
		t.Fatalf("served: %v", err)
	}
	if n := strings.Count(out, "skipped"); n != 2 {
		t.Errorf("served: %q, want both files skipped as duplicates", out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "done", "*.xml")); len(left) != 2 {
		t.Errorf("moved to done/: %v", left)
	}
}

func TestWatchCommandUsage(t *testing.T) {
	vars := storeVars(t)
	for _, args := range [][]string{{}, {"a", "b"}, {"a", "--interval", "0s"}, {"a", "--interval", "2h"}} {
		if _, err := runWatch(t, vars, args...); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// A file for no known patient is held for a clinician: --once says so and
// exits non-zero, so a script does not take it for imported.
func TestWatchOnceHeldFileIsNotImported(t *testing.T) {
	vars := storeVars(t)
	runOK(t, vars, "store", "init")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ecg.xml"), sierraDemo(t), 0o600)
	out, err := runWatch(t, vars, dir, "--once", "--interval", "10ms")
	if err == nil || !strings.Contains(err.Error(), "1 waiting for a clinician to choose the patient") {
		t.Fatalf("held file: %q, error %v", out, err)
	}
}
