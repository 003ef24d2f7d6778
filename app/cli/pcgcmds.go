package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"telewave/dsp/pcg"
	"telewave/formats/wav"
)

// Usage strings for the command table in cli.go.
const (
	usagePCG     = "pcg FILE.wav [--tsv OUT|-]   (S1/systole/S2/diastole in CirCor .tsv layout; prints the heart rate)"
	usageEvalPCG = "eval-pcg DIR [--half eval|tune|all] [--json]   (heart-sound segmentation against the .tsv files, F1 per sound)"
)

// runPCG segments a heart-sound recording and writes the segmentation in
// the CirCor layout (start s, end s, state 0–4) to --tsv, "-" for stdout.
func runPCG(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("pcg", flag.ContinueOnError)
	out := fs.String("tsv", "", "write the segmentation here (- for stdout)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one FILE.wav expected")
	}
	samples, rate, err := readPCG(pos[0])
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ivs, hr := pcg.Segment(samples, rate)
	if ivs == nil {
		return fmt.Errorf("%s: %.1f s at %d Hz is too short to segment", pos[0], float64(len(samples))/float64(rate), rate)
	}
	beats := 0
	for _, iv := range ivs {
		if iv.State == pcg.S1 {
			beats++
		}
	}
	summary := env.Stdout
	switch *out {
	case "":
	case "-":
		if err := pcg.WriteTSV(env.Stdout, ivs); err != nil {
			return err
		}
		summary = env.Stderr
	default:
		var buf bytes.Buffer
		if err := pcg.WriteTSV(&buf, ivs); err != nil {
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write segmentation: %w", err)
		}
	}
	fmt.Fprintf(summary, "%s: %d S1, heart rate %.0f bpm\n", pos[0], beats, hr)
	return nil
}

// readPCG reads a WAVE file as one channel.
func readPCG(path string) ([]float32, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("open recording: %w", err)
	}
	defer f.Close()
	a, err := wav.Read(f)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return a.Mono(), a.Rate, nil
}

// pcgRow is one recording of the eval-pcg table.
type pcgRow struct {
	Record  string     `json:"record"`
	S1      pcg.Counts `json:"s1"`
	S2      pcg.Counts `json:"s2"`
	S1F1    number     `json:"s1_f1"`
	S2F1    number     `json:"s2_f1"`
	HR      number     `json:"hr_bpm"`
	RefHR   number     `json:"ref_hr_bpm"`
	HRErr   number     `json:"hr_abs_error_bpm"`
	Seconds float64    `json:"seconds"`
}

// number is a float that encodes NaN (nothing to score) as JSON null.
type number float64

// MarshalJSON writes null for NaN and infinities.
func (n number) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// pcgTotal sums the table.
type pcgTotal struct {
	Records     int        `json:"records"`
	Half        string     `json:"half"`
	S1          pcg.Counts `json:"s1"`
	S2          pcg.Counts `json:"s2"`
	S1F1        number     `json:"s1_f1"`
	S2F1        number     `json:"s2_f1"`
	MeanHRErr   number     `json:"mean_hr_abs_error_bpm"`
	MedianHRErr number     `json:"median_hr_abs_error_bpm"`
	Within5     int        `json:"hr_within_5_bpm"`
	Seconds     float64    `json:"seconds"`
}

// runEvalPCG scores the segmentation on the recordings of DIR that have a
// .tsv beside their .wav: a detected S1 (S2) is found if its centre lies
// within 60 ms of an annotated one; unannotated stretches are not scored.
// --half picks CirCor's evaluation half (default: every second patient by
// name, the first included), the tuning half, or all.
func runEvalPCG(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("eval-pcg", flag.ContinueOnError)
	half := fs.String("half", "eval", "eval, tune or all")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one DIR expected")
	}
	names, err := segmentedRecordings(pos[0])
	if err != nil {
		return err
	}
	evalNames, tuneNames := pcg.SplitHalves(names)
	switch *half {
	case "eval":
		names = evalNames
	case "tune":
		names = tuneNames
	case "all":
	default:
		return usagef("--half %q: eval, tune or all", *half)
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: no recording with a .wav and a .tsv in the %s half", pos[0], *half)
	}
	var rows []pcgRow
	total := pcgTotal{Half: *half}
	var hrErrs []float64
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := evalPCGRecording(filepath.Join(pos[0], name))
		if err != nil {
			return err
		}
		row.Record = name
		rows = append(rows, row)
		total.Records++
		total.S1, total.S2 = total.S1.Add(row.S1), total.S2.Add(row.S2)
		total.Seconds += row.Seconds
		if e := float64(row.HRErr); !math.IsNaN(e) {
			hrErrs = append(hrErrs, e)
			if e <= 5 {
				total.Within5++
			}
		}
	}
	total.S1F1, total.S2F1 = number(total.S1.F1()), number(total.S2.F1())
	mean, median := meanMedian(hrErrs)
	total.MeanHRErr, total.MedianHRErr = number(mean), number(median)
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Records []pcgRow `json:"records"`
			Overall pcgTotal `json:"overall"`
		}{rows, total})
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "record\tS1 TP\tFP\tFN\tS1 F1\tS2 TP\tFP\tFN\tS2 F1\tHR\tref HR\tsegment s\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%d\t%d\t%d\t%.3f\t%.0f\t%.0f\t%.3f\t\n", r.Record,
			r.S1.TP, r.S1.FP, r.S1.FN, r.S1F1, r.S2.TP, r.S2.FP, r.S2.FN, r.S2F1, r.HR, r.RefHR, r.Seconds)
	}
	fmt.Fprintf(tw, "overall (%d, %s half)\t%d\t%d\t%d\t%.3f\t%d\t%d\t%d\t%.3f\t\t\t%.3f\t\n", total.Records, total.Half,
		total.S1.TP, total.S1.FP, total.S1.FN, total.S1F1, total.S2.TP, total.S2.FP, total.S2.FN, total.S2F1, total.Seconds)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "heart rate: mean |error| %.1f bpm, median %.1f bpm, %d of %d within 5 bpm\n",
		total.MeanHRErr, total.MedianHRErr, total.Within5, len(hrErrs))
	return nil
}

// evalPCGRecording segments base.wav and scores it against base.tsv.
func evalPCGRecording(base string) (pcgRow, error) {
	samples, rate, err := readPCG(base + ".wav")
	if err != nil {
		return pcgRow{}, err
	}
	f, err := os.Open(base + ".tsv")
	if err != nil {
		return pcgRow{}, fmt.Errorf("open reference: %w", err)
	}
	defer f.Close()
	ref, err := pcg.ReadTSV(f)
	if err != nil {
		return pcgRow{}, fmt.Errorf("read %s.tsv: %w", base, err)
	}
	start := time.Now()
	det, hr := pcg.Segment(samples, rate)
	took := time.Since(start)
	sc := pcg.Evaluate(ref, det, hr)
	return pcgRow{S1: sc.S1, S2: sc.S2, S1F1: number(sc.S1.F1()), S2F1: number(sc.S2.F1()), HR: number(hr),
		RefHR: number(sc.RefHR), HRErr: number(math.Abs(hr - sc.RefHR)), Seconds: took.Seconds()}, nil
}

// segmentedRecordings lists the names in dir that have both a .wav and a
// .tsv, sorted.
func segmentedRecordings(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	have := map[string]int{}
	for _, e := range ents {
		switch ext := filepath.Ext(e.Name()); ext {
		case ".wav", ".tsv":
			have[strings.TrimSuffix(e.Name(), ext)]++
		}
	}
	var names []string
	for n, k := range have {
		if k == 2 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

func meanMedian(x []float64) (mean, median float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	for _, v := range s {
		mean += v
	}
	return mean / float64(len(s)), s[len(s)/2]
}
