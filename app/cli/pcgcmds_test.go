package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"telewave/dsp/pcg"
)

// copyCirCor copies testdata/circor/69067_PV (.wav and .tsv) into a fresh
// folder.
func copyCirCor(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, ext := range []string{"wav", "tsv"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/circor", "69067_PV."+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "69067_PV."+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readTSVFile(t *testing.T, path string) []pcg.Interval {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ivs, err := pcg.ReadTSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return ivs
}

func TestPCGWritesTheSegmentation(t *testing.T) {
	dir := copyCirCor(t)
	out := filepath.Join(dir, "out.tsv")
	env, stdout, _ := testEnv(nil)
	if err := runPCG(context.Background(), env, []string{filepath.Join(dir, "69067_PV.wav"), "--tsv", out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "heart rate") || !strings.Contains(stdout.String(), "bpm") {
		t.Errorf("output %q", stdout.String())
	}
	det := readTSVFile(t, out)
	ref := readTSVFile(t, filepath.Join(dir, "69067_PV.tsv"))
	sc := pcg.Evaluate(ref, det, 0)
	if sc.S1.F1() < 0.8 || sc.S2.F1() < 0.8 {
		t.Errorf("written segmentation scores S1 %+v S2 %+v against the reference", sc.S1, sc.S2)
	}
	for _, iv := range det {
		if iv.State < pcg.S1 || iv.State > pcg.Diastole {
			t.Fatalf("state %d in the output", iv.State)
		}
	}

	// --tsv - writes the file to stdout and the summary to stderr.
	env, stdout, stderr := testEnv(nil)
	if err := runPCG(context.Background(), env, []string{"--tsv", "-", filepath.Join(dir, "69067_PV.wav")}); err != nil {
		t.Fatal(err)
	}
	if got, err := pcg.ReadTSV(strings.NewReader(stdout.String())); err != nil || len(got) != len(det) {
		t.Errorf("stdout holds %d intervals (%v), the file %d", len(got), err, len(det))
	}
	if !strings.Contains(stderr.String(), "bpm") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestPCGErrors(t *testing.T) {
	dir := copyCirCor(t)
	notWav := filepath.Join(dir, "69067_PV.tsv")
	for _, tc := range []struct {
		args  []string
		usage bool
	}{
		{nil, true},
		{[]string{"a.wav", "b.wav"}, true},
		{[]string{filepath.Join(dir, "missing.wav")}, false},
		{[]string{notWav}, false},
	} {
		env, _, _ := testEnv(nil)
		err := runPCG(context.Background(), env, tc.args)
		if err == nil || errors.Is(err, ErrUsage) != tc.usage {
			t.Errorf("%v: error %v", tc.args, err)
		}
	}
}

func TestEvalPCG(t *testing.T) {
	dir := copyCirCor(t)
	// 69067 is the only patient here, so it is the evaluation half.
	env, out, _ := testEnv(nil)
	if err := runEvalPCG(context.Background(), env, []string{dir}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "69067_PV") ||
		!strings.HasPrefix(strings.TrimSpace(lines[2]), "overall (1, eval half)") || !strings.HasPrefix(lines[3], "heart rate:") {
		t.Fatalf("table:\n%s", out.String())
	}

	env, out, _ = testEnv(nil)
	if err := runEvalPCG(context.Background(), env, []string{dir, "--json", "--half", "all"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Records []struct {
			Record string  `json:"record"`
			S1F1   float64 `json:"s1_f1"`
			RefHR  float64 `json:"ref_hr_bpm"`
		} `json:"records"`
		Overall struct {
			Records int        `json:"records"`
			S1      pcg.Counts `json:"s1"`
			S2F1    float64    `json:"s2_f1"`
		} `json:"overall"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if len(got.Records) != 1 || got.Records[0].Record != "69067_PV" || got.Overall.Records != 1 ||
		got.Overall.S1.TP == 0 || got.Records[0].RefHR < 60 || got.Records[0].RefHR > 140 {
		t.Errorf("%+v", got)
	}

	// The tuning half of a one-patient folder is empty.
	env, _, _ = testEnv(nil)
	if err := runEvalPCG(context.Background(), env, []string{dir, "--half", "tune"}); err == nil {
		t.Error("no error for an empty half")
	}
	env, _, _ = testEnv(nil)
	if err := runEvalPCG(context.Background(), env, []string{dir, "--half", "odd"}); !errors.Is(err, ErrUsage) {
		t.Errorf("--half odd: %v", err)
	}
}

// A recording with no sound to score gives null F1s, which JSON can hold.
func TestEvalPCGNothingToScore(t *testing.T) {
	dir := copyCirCor(t)
	if err := os.WriteFile(filepath.Join(dir, "69067_PV.tsv"), []byte("0\t11\t0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out, _ := testEnv(nil)
	if err := runEvalPCG(context.Background(), env, []string{dir, "--json"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"s1_f1":null`) {
		t.Errorf("%s", out.String())
	}
}

// eval-pcg on the whole shared CirCor subset, when it is there: the
// evaluation half scores well above chance.
func TestEvalPCGShared(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "heart-sounds", "circor")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIPPED: %s is absent (%v)", dir, err)
	}
	env, out, _ := testEnv(nil)
	if err := runEvalPCG(context.Background(), env, []string{dir, "--json"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Overall struct {
			Records    int     `json:"records"`
			S1F1, S2F1 float64 `json:"-"`
			S1         float64 `json:"s1_f1"`
			S2         float64 `json:"s2_f1"`
		} `json:"overall"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Overall.Records < 10 || got.Overall.S1 < 0.6 || got.Overall.S2 < 0.5 {
		t.Errorf("%+v", got.Overall)
	}
}
