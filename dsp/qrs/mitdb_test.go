package qrs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"telewave/dsp/ec57"
	"telewave/formats/wfdb"
)

// mitdbDir returns ../shared/data/mitdb beside the repository root, or
// skips the test, naming the path, when it is absent.
func mitdbDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the package")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", "mitdb")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("SKIPPED: %s is absent (the shared MIT-BIH copy); this test reads it", p)
	}
	return p
}

type mitRecord struct {
	name    string
	rate    float64
	leads   [][]float64
	ref     []int64
	exclude []ec57.Interval
}

func loadMIT(tb testing.TB, dir, name string) mitRecord {
	tb.Helper()
	rec, err := wfdb.Read(os.DirFS(dir), name)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".atr"))
	if err != nil {
		tb.Fatal(err)
	}
	anns, err := wfdb.ReadAnnotations(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	r := mitRecord{name: name, rate: rec.Freq}
	for i, s := range rec.Samples {
		x := make([]float64, len(s))
		for j, v := range s {
			x[j] = rec.Signals[i].Physical(v)
		}
		r.leads = append(r.leads, x)
	}
	r.ref, r.exclude = ec57.Reference(anns, int64(len(rec.Samples[0])))
	return r
}

func mitNames(tb testing.TB, dir string) []string {
	m, err := filepath.Glob(filepath.Join(dir, "*.atr"))
	if err != nil || len(m) == 0 {
		tb.Fatalf("no records in %s", dir)
	}
	var names []string
	for _, f := range m {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".atr"))
	}
	sort.Strings(names)
	return names
}

func detectAll(p params, r mitRecord, nleads int) []int64 {
	d := newDetector(r.rate, nleads, p)
	var out []int64
	const chunk = 360
	n := len(r.leads[0])
	for i := 0; i < n; i += chunk {
		j := min(n, i+chunk)
		in := make([][]float64, nleads)
		for l := range in {
			in[l] = r.leads[l][i:j]
		}
		for _, b := range d.Push(in...) {
			out = append(out, b.Sample)
		}
	}
	for _, b := range d.Flush() {
		out = append(out, b.Sample)
	}
	return out
}

// evalMIT scores the detector on every record and returns the table.
func evalMIT(tb testing.TB, p params, nleads int) (string, ec57.Result) {
	dir := mitdbDir(tb)
	var sb strings.Builder
	var all []ec57.Result
	for _, name := range mitNames(tb, dir) {
		r := loadMIT(tb, dir, name)
		got := detectAll(p, r, nleads)
		res := ec57.Score(r.ref, got, r.rate, int64(ec57.StartSeconds*r.rate), r.exclude)
		all = append(all, res)
		fmt.Fprintf(&sb, "%s %6d %4d %4d  %7.3f %7.3f\n", name, res.TP, res.FN, res.FP, 100*res.Se, 100*res.PP)
	}
	g := ec57.Gross(all)
	fmt.Fprintf(&sb, "gross %6d %4d %4d  %7.3f %7.3f\n", g.TP, g.FN, g.FP, 100*g.Se, 100*g.PP)
	return sb.String(), g
}

// The acceptance figure: gross Se and +P of at least 99.8 % over the
// shared MIT-BIH records, scored per EC57, with both leads.
func TestMITBIHGross(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: -short; reads 24 half-hour records")
	}
	table, g := evalMIT(t, defaults, 2)
	t.Logf("record TP FN FP Se +P\n%s", table)
	if g.Se < 0.998 || g.PP < 0.998 {
		t.Errorf("gross Se %.3f %% +P %.3f %%, want both ≥ 99.8 %%", 100*g.Se, 100*g.PP)
	}
}
