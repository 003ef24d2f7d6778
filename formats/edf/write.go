package edf

import (
	"bufio"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// maxRecordBytes is the data record size EDF+ recommends not to exceed.
const maxRecordBytes = 61440

// candidateDurations are the record durations Write tries, best first:
// each is exact in the header's 8 characters.
var candidateDurations = []time.Duration{
	time.Second, 500 * time.Millisecond, 250 * time.Millisecond, 200 * time.Millisecond,
	125 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond, 40 * time.Millisecond,
	25 * time.Millisecond, 20 * time.Millisecond, 10 * time.Millisecond, 8 * time.Millisecond,
	5 * time.Millisecond, 4 * time.Millisecond, 2 * time.Millisecond, time.Millisecond,
	2 * time.Second, 4 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second,
	30 * time.Second, 60 * time.Second,
}

// WriteOptions change how Write lays out the data records.
type WriteOptions struct {
	// Pad lets signals end part-way through the last data record: their
	// last sample is repeated to fill it, so reading the file back gives
	// those signals a few more samples. Without Pad such a recording is
	// an error.
	Pad bool
}

// Write writes rec as EDF+C with WriteOptions{}; see WriteWith.
func Write(w io.Writer, rec Recording) error { return WriteWith(w, rec, WriteOptions{}) }

// WriteWith writes rec as an EDF+C file: its signals, then an "EDF
// Annotations" signal carrying each record's timekeeping annotation and
// rec.Annotations, each in the record its onset falls in.
//
// The record duration is rec.RecordDuration when set, else the first of
// 1 s, 0.5 s, 0.25 s … 1 ms, 2 s … 60 s for which every signal's
// SampleRate × duration is a whole number of samples, every signal fills
// a whole number of records (unless opt.Pad) and a record stays within
// 61440 bytes when possible. The header has one-second resolution: a
// Start with a fraction of a second is written truncated, with that
// fraction added to the record onsets and annotation onsets, so absolute
// times are kept. Header text is ASCII; Latin-1 characters (°, µ) are
// written as single bytes, as some EDF writers do, anything else is an
// error. Signals' DigMin/DigMax of 0/0 mean −32768/32767, and PhysMin/PhysMax
// of 0/0 then mean the digital range. Counts outside the digital range are
// an error. rec.Format and rec.RecordOnsets are ignored.
func WriteWith(w io.Writer, rec Recording, opt WriteOptions) error {
	sigs := make([]signalHeader, 0, len(rec.Signals)+1)
	for i, s := range rec.Signals {
		sh, err := signalHeaderOf(i, s)
		if err != nil {
			return err
		}
		sigs = append(sigs, sh)
	}
	lay, err := chooseLayout(rec.Signals, rec.RecordDuration, opt.Pad, len(rec.Annotations) > 0)
	if err != nil {
		return err
	}
	for i := range sigs {
		sigs[i].spr = lay.spr[i]
	}
	if len(rec.Annotations) > 0 && lay.nrec == 0 {
		return fieldErr("number of data records", "annotations need at least one data record, and the signals have no samples")
	}
	for i, a := range rec.Annotations {
		if a.Text == "" || strings.ContainsAny(a.Text, "\x00\x14\x15") {
			return &FormatError{Where: fmt.Sprintf("annotation %d", i), Problem: fmt.Sprintf("text %q is empty or holds 0x00, 0x14 or 0x15", a.Text), Err: ErrFormat}
		}
		if a.Duration < 0 {
			return &FormatError{Where: fmt.Sprintf("annotation %d", i), Problem: fmt.Sprintf("negative duration %v", a.Duration), Err: ErrFormat}
		}
	}
	start := rec.Start.Truncate(time.Second)
	shift := rec.Start.Sub(start)
	tals := talsPerRecord(rec.Annotations, lay, shift)
	annBytes := 0
	for _, t := range tals {
		annBytes = max(annBytes, len(t))
	}
	sigs = append(sigs, signalHeader{label: annotationLabel, physMin: -1, physMax: 1, digMin: -32768, digMax: 32767, spr: (annBytes + 1) / 2, annotations: true})

	bw := bufio.NewWriterSize(w, 1<<16)
	if err := writeHeader(bw, rec, start, lay, sigs); err != nil {
		return err
	}
	for k := 0; k < lay.nrec; k++ {
		if err := writeRecord(bw, rec.Signals, sigs, k, tals[k]); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("edf: write: %w", err)
	}
	return nil
}

func signalHeaderOf(i int, s Signal) (signalHeader, error) {
	sh := signalHeader{label: s.Label, transducer: s.Transducer, unit: s.Unit, prefilter: s.Prefilter,
		physMin: s.PhysMin, physMax: s.PhysMax, digMin: s.DigMin, digMax: s.DigMax}
	if sh.digMin == 0 && sh.digMax == 0 {
		sh.digMin, sh.digMax = -32768, 32767
		if sh.physMin == 0 && sh.physMax == 0 {
			sh.physMin, sh.physMax = -32768, 32767
		}
	}
	switch {
	case s.Label == annotationLabel:
		return sh, signalErr(i, s.Label, "the label %q is reserved for annotations", annotationLabel)
	case sh.digMin < -32768 || sh.digMax > 32767 || sh.digMax <= sh.digMin:
		return sh, signalErr(i, s.Label, "digital range %d..%d is not an increasing 16-bit range", sh.digMin, sh.digMax)
	case sh.physMin == sh.physMax:
		return sh, signalErr(i, s.Label, "physical minimum and maximum are both %v", sh.physMin)
	case !(s.SampleRate > 0):
		return sh, signalErr(i, s.Label, "sample rate %v", s.SampleRate)
	}
	for j, v := range s.Samples {
		if v < sh.digMin || v > sh.digMax {
			return sh, signalErr(i, s.Label, "sample %d: count %d outside the digital range %d..%d", j, v, sh.digMin, sh.digMax)
		}
	}
	return sh, nil
}

// layout is the data record structure Write chose.
type layout struct {
	dur  time.Duration
	spr  []int // per ordinary signal
	nrec int
}

func chooseLayout(sigs []Signal, given time.Duration, pad, annotations bool) (layout, error) {
	if len(sigs) == 0 {
		n := 0
		if annotations {
			n = 1
		}
		return layout{nrec: n}, nil
	}
	cands := candidateDurations
	if given != 0 {
		cands = []time.Duration{given}
	}
	var fallback *layout
	for _, d := range cands {
		lay, whole, ok := tryDuration(sigs, d)
		if !ok || !(whole || pad) {
			continue
		}
		bytes := 0
		for _, n := range lay.spr {
			bytes += 2 * n
		}
		if bytes <= maxRecordBytes {
			return lay, nil
		}
		if fallback == nil {
			fallback = &lay
		}
	}
	if fallback != nil {
		return *fallback, nil
	}
	if given != 0 {
		return layout{}, fieldErr("duration of a data record", "%v does not hold a whole number of samples of every signal (or of records%s)", given, padHint(pad))
	}
	return layout{}, fieldErr("duration of a data record", "no duration from 1 ms to 60 s holds a whole number of samples of every signal and of records%s", padHint(pad))
}

func padHint(pad bool) string {
	if pad {
		return ""
	}
	return "; WriteOptions.Pad allows a padded last record"
}

// tryDuration reports the layout for d, whether every signal fills whole
// records, and whether every rate gives whole samples that read back as
// exactly that rate.
func tryDuration(sigs []Signal, d time.Duration) (layout, bool, bool) {
	ds := formatSeconds(d)
	dr, err := parseDecimal(ds)
	if d <= 0 || len(ds) > 8 || err != nil {
		return layout{}, false, false
	}
	lay := layout{dur: d, spr: make([]int, len(sigs))}
	whole := true
	for i, s := range sigs {
		x, _ := new(big.Rat).Mul(dr, new(big.Rat).SetFloat64(s.SampleRate)).Float64()
		n := int(x + 0.5)
		if n < 1 || n > 99999999 || rate(n, dr) != s.SampleRate {
			return layout{}, false, false
		}
		lay.spr[i] = n
		recs := (len(s.Samples) + n - 1) / n
		if len(s.Samples)%n != 0 {
			whole = false
		}
		if i > 0 && recs != lay.nrec {
			whole = false
		}
		lay.nrec = max(lay.nrec, recs)
	}
	return lay, whole, lay.nrec <= 99999999
}

// talsPerRecord builds each record's annotation bytes: its timekeeping TAL,
// then the annotations whose onset falls in it (the first and last
// records take those before and after the recording).
func talsPerRecord(anns []Annotation, lay layout, shift time.Duration) [][]byte {
	tals := make([][]byte, lay.nrec)
	for k := range tals {
		tals[k] = appendTimekeeping(nil, shift+time.Duration(k)*lay.dur)
	}
	for _, a := range anns {
		k := 0
		if lay.dur > 0 && a.Onset > 0 {
			k = min(int(a.Onset/lay.dur), lay.nrec-1)
		}
		if lay.nrec == 0 {
			continue
		}
		a.Onset += shift
		tals[k] = appendTAL(tals[k], a)
	}
	return tals
}
