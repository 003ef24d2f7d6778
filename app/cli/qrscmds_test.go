package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"telewave/dsp/ec57"
)

// copyRecord100 copies testdata/mitdb/100 into a fresh folder.
func copyRecord100(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, ext := range []string{"hea", "dat", "atr"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/mitdb", "100."+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "100."+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestQRSWritesAnnotationsBesideTheRecord(t *testing.T) {
	dir := copyRecord100(t)
	rec := filepath.Join(dir, "100")
	for _, tc := range []struct {
		args []string
		file string
	}{
		{[]string{rec}, rec + ".qrs"},
		{[]string{"--ann", "tw", rec}, rec + ".tw"},
	} {
		env, out, _ := testEnv(nil)
		if err := runQRS(context.Background(), env, tc.args); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tc.file) {
			t.Errorf("output %q does not name %s", out.String(), tc.file)
		}
		got, err := readAnnotationFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := readAnnotationFile(rec + ".atr")
		if err != nil {
			t.Fatal(err)
		}
		refBeats, ex := ec57.Reference(ref, 650000)
		var test []int64
		for _, a := range got {
			test = append(test, a.Sample)
		}
		r := ec57.Score(refBeats, test, 360, 360*300, ex)
		if r.Se < 0.998 || r.PP < 0.998 {
			t.Errorf("%s scores %+v against 100.atr", tc.file, r)
		}
	}
}

func TestEvalQRS(t *testing.T) {
	dir := copyRecord100(t)
	env, out, _ := testEnv(nil)
	if err := runEvalQRS(context.Background(), env, []string{dir}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "100") || !strings.HasPrefix(strings.TrimSpace(lines[2]), "gross") {
		t.Fatalf("table:\n%s", out.String())
	}

	env, out, _ = testEnv(nil)
	if err := runEvalQRS(context.Background(), env, []string{dir, "--json"}); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Records []evalRow
		Gross   evalRow
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	// Record 100 holds 1902 beats from 5:00 to its end.
	if len(res.Records) != 1 || res.Gross.RefBeat != res.Records[0].RefBeat || res.Gross.RefBeat < 1850 ||
		res.Gross.Se < 99.8 || res.Gross.PP < 99.8 {
		t.Errorf("json = %+v", res)
	}
}

func TestQRSCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		run   func(context.Context, Env, []string) error
		args  []string
		usage bool
	}{
		{"qrs without record", runQRS, nil, true},
		{"qrs bad annotator", runQRS, []string{"--ann", "a/b", "x"}, true},
		{"qrs missing record", runQRS, []string{filepath.Join(dir, "nothing")}, false},
		{"eval without dir", runEvalQRS, nil, true},
		{"eval empty dir", runEvalQRS, []string{dir}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, _, _ := testEnv(nil)
			err := tc.run(context.Background(), env, tc.args)
			if err == nil || errors.Is(err, ErrUsage) != tc.usage {
				t.Fatalf("err = %v, usage error wanted: %v", err, tc.usage)
			}
		})
	}
}
