package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"telewave/dsp/ec57"
	"telewave/dsp/qrs"
	"telewave/formats/wfdb"
)

// Usage strings for the command table in cli.go.
const (
	usageQRS     = "qrs RECORD [--ann NAME] [--leads N]   (writes RECORD.NAME, default RECORD.qrs)"
	usageEvalQRS = "eval-qrs DIR [--ref atr] [--leads N] [--json]   (EC57 beat-by-beat table)"
)

// runQRS detects the beats of a WFDB record (a path without extension)
// and writes them beside it as an MIT-format annotation file, every beat
// labelled N on channel 0. The annotator name defaults to "qrs".
func runQRS(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("qrs", flag.ContinueOnError)
	ann := fs.String("ann", "qrs", "annotator name: the output file's extension")
	leads := fs.Int("leads", 2, "leads to use (the first N signals)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one RECORD expected")
	}
	if *ann == "" || strings.ContainsAny(*ann, `/\.`) {
		return usagef("--ann %q: a plain annotator name, like qrs", *ann)
	}
	rec, err := readRecord(pos[0])
	if err != nil {
		return err
	}
	beats, _, err := detectRecord(ctx, rec, *leads)
	if err != nil {
		return err
	}
	anns := make([]wfdb.Annotation, len(beats))
	for i, b := range beats {
		anns[i] = wfdb.Annotation{Sample: b, Code: wfdb.CodeNormal}
	}
	var buf bytes.Buffer
	if err := wfdb.WriteAnnotations(&buf, anns); err != nil {
		return fmt.Errorf("encode %s annotations: %w", pos[0], err)
	}
	out := pos[0] + "." + *ann
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s: %d beats\n", out, len(beats))
	return nil
}

// evalRow is one record of the eval-qrs table.
type evalRow struct {
	Record  string  `json:"record"`
	RefBeat int     `json:"ref_beats"` // scored reference beats (TP + FN)
	TP      int     `json:"tp"`
	FN      int     `json:"fn"`
	FP      int     `json:"fp"`
	Se      float64 `json:"se"` // percent
	PP      float64 `json:"pp"` // percent
	Seconds float64 `json:"seconds"`
}

func newEvalRow(name string, r ec57.Result, secs float64) evalRow {
	return evalRow{Record: name, RefBeat: r.TP + r.FN, TP: r.TP, FN: r.FN, FP: r.FP,
		Se: 100 * r.Se, PP: 100 * r.PP, Seconds: secs}
}

// runEvalQRS scores the detector on every record of DIR that has
// reference annotations (RECORD.atr), per ANSI/AAMI EC57: 150 ms match
// window, from 5:00 to the end, ventricular flutter episodes left out.
func runEvalQRS(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("eval-qrs", flag.ContinueOnError)
	ref := fs.String("ref", "atr", "reference annotator")
	leads := fs.Int("leads", 2, "leads to use (the first N signals)")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one DIR expected")
	}
	names, err := annotatedRecords(pos[0], *ref)
	if err != nil {
		return err
	}
	var rows []evalRow
	var results []ec57.Result
	var total float64
	for _, name := range names {
		base := filepath.Join(pos[0], name)
		rec, err := readRecord(base)
		if err != nil {
			return err
		}
		refAnns, err := readAnnotationFile(base + "." + *ref)
		if err != nil {
			return err
		}
		beats, took, err := detectRecord(ctx, rec, *leads)
		if err != nil {
			return err
		}
		refBeats, exclude := ec57.Reference(refAnns, int64(len(rec.Samples[0])))
		r := ec57.Score(refBeats, beats, rec.Freq, int64(ec57.StartSeconds*rec.Freq), exclude)
		results = append(results, r)
		rows = append(rows, newEvalRow(name, r, took.Seconds()))
		total += took.Seconds()
	}
	gross := newEvalRow("gross", ec57.Gross(results), total)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		return enc.Encode(struct {
			Records []evalRow `json:"records"`
			Gross   evalRow   `json:"gross"`
		}{rows, gross})
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "record\tref beats\tTP\tFN\tFP\tSe %\t+P %\tdetector s\t")
	for _, r := range append(rows, gross) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", r.Record, r.RefBeat, r.TP, r.FN, r.FP, r.Se, r.PP, r.Seconds)
	}
	return tw.Flush()
}

// annotatedRecords lists the records in dir with a header and a ref
// annotation file, sorted by name.
func annotatedRecords(dir, ref string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	have := map[string]bool{}
	for _, e := range ents {
		have[e.Name()] = true
	}
	var names []string
	for n := range have {
		if base, ok := strings.CutSuffix(n, ".hea"); ok && have[base+"."+ref] {
			names = append(names, base)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no records with .%s annotations in %s", ref, dir)
	}
	sort.Strings(names)
	return names, nil
}

// readRecord reads a WFDB record named by its path without extension.
func readRecord(path string) (*wfdb.Record, error) {
	rec, err := wfdb.Read(os.DirFS(filepath.Dir(path)), filepath.Base(path))
	if err != nil {
		return nil, err
	}
	if len(rec.Samples) == 0 || len(rec.Samples[0]) == 0 {
		return nil, fmt.Errorf("record %s has no samples", path)
	}
	return rec, nil
}

func readAnnotationFile(path string) ([]wfdb.Annotation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read reference annotations: %w", err)
	}
	anns, err := wfdb.ReadAnnotations(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return anns, nil
}

// detectRecord runs the detector over the record's first n leads, one
// second at a time as a live feed would, and returns the R-peak samples
// and the detector's own time (conversion to physical units excluded).
func detectRecord(ctx context.Context, rec *wfdb.Record, n int) ([]int64, time.Duration, error) {
	n = max(1, min(n, len(rec.Signals)))
	leads := make([][]float64, n)
	for l := range leads {
		s, spec := rec.Samples[l], rec.Signals[l]
		leads[l] = make([]float64, len(s))
		for i, v := range s {
			leads[l][i] = spec.Physical(v)
		}
	}
	start := time.Now()
	d := qrs.NewLeads(rec.Freq, n)
	var beats []int64
	step := max(1, int(rec.Freq))
	total := len(leads[0])
	in := make([][]float64, n)
	for i := 0; i < total; i += step {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		j := min(total, i+step)
		for l := range in {
			in[l] = leads[l][i:j]
		}
		for _, b := range d.Push(in...) {
			beats = append(beats, b.Sample)
		}
	}
	for _, b := range d.Flush() {
		beats = append(beats, b.Sample)
	}
	return beats, time.Since(start), nil
}
