package edf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// field encodes s into exactly width bytes, space padded: ASCII, with
// Latin-1 characters as one byte each.
func field(name, s string, width int) ([]byte, error) {
	b := make([]byte, 0, width)
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r > 0xff || (r >= 0x80 && r < 0xa0) {
			return nil, fieldErr(name, "%q holds a character EDF cannot store (%q)", s, r)
		}
		b = append(b, byte(r))
	}
	if len(b) > width {
		return nil, fieldErr(name, "%q is longer than %d characters", s, width)
	}
	for len(b) < width {
		b = append(b, ' ')
	}
	return b, nil
}

// formatNumber writes v in at most 8 characters, as precisely as fits.
func formatNumber(name string, v float64) (string, error) {
	if s := strconv.FormatFloat(v, 'f', -1, 64); len(s) <= 8 {
		return s, nil
	}
	for prec := 7; prec >= 0; prec-- {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if len(s) <= 8 {
			if p, _ := strconv.ParseFloat(s, 64); p == 0 && v != 0 {
				break
			}
			return s, nil
		}
	}
	if s := strconv.FormatFloat(v, 'g', 3, 64); len(s) <= 8 && !math.IsInf(v, 0) && !math.IsNaN(v) {
		return s, nil
	}
	return "", fieldErr(name, "%v does not fit in 8 characters", v)
}

// recordingField is the EDF+ recording field: rec.RecordingID when it
// already starts with "Startdate" (its date set to start's), else
// "Startdate dd-MMM-yyyy X X <id>" with the id's spaces as '_'.
func recordingField(id string, start time.Time) string {
	date := fmt.Sprintf("%02d-%s-%04d", start.Day(), months[start.Month()-1], start.Year())
	f := strings.Fields(id)
	if len(f) >= 2 && f[0] == "Startdate" {
		return "Startdate " + date + strings.TrimPrefix(strings.TrimPrefix(id, "Startdate"), " "+f[1])
	}
	eq := strings.ReplaceAll(strings.TrimSpace(id), " ", "_")
	if eq == "" {
		eq = "X"
	}
	return "Startdate " + date + " X X " + eq
}

func writeHeader(w *bufio.Writer, rec Recording, start time.Time, lay layout, sigs []signalHeader) error {
	if y := start.Year(); y < 1985 || y > 2084 {
		return fieldErr("startdate of recording", "year %d outside 1985..2084", y)
	}
	patient := rec.Patient
	if strings.TrimSpace(patient) == "" {
		patient = "X X X X"
	}
	type part struct {
		name, value string
		width       int
	}
	parts := []part{
		{"version", "0", 8},
		{"local patient identification", patient, 80},
		{"local recording identification", recordingField(rec.RecordingID, start), 80},
		{"startdate of recording", start.Format("02.01.06"), 8},
		{"starttime of recording", start.Format("15.04.05"), 8},
		{"number of bytes in header", strconv.Itoa(256 * (len(sigs) + 1)), 8},
		{"reserved", "EDF+C", 44},
		{"number of data records", strconv.Itoa(lay.nrec), 8},
		{"duration of a data record", formatSeconds(lay.dur), 8},
		{"number of signals", strconv.Itoa(len(sigs)), 4},
	}
	cols := []struct {
		name  string
		width int
		get   func(s signalHeader) (string, error)
	}{
		{"label", 16, func(s signalHeader) (string, error) { return s.label, nil }},
		{"transducer type", 80, func(s signalHeader) (string, error) { return s.transducer, nil }},
		{"physical dimension", 8, func(s signalHeader) (string, error) { return s.unit, nil }},
		{"physical minimum", 8, func(s signalHeader) (string, error) { return formatNumber("physical minimum", s.physMin) }},
		{"physical maximum", 8, func(s signalHeader) (string, error) { return formatNumber("physical maximum", s.physMax) }},
		{"digital minimum", 8, func(s signalHeader) (string, error) { return strconv.Itoa(int(s.digMin)), nil }},
		{"digital maximum", 8, func(s signalHeader) (string, error) { return strconv.Itoa(int(s.digMax)), nil }},
		{"prefiltering", 80, func(s signalHeader) (string, error) { return s.prefilter, nil }},
		{"number of samples in each data record", 8, func(s signalHeader) (string, error) { return strconv.Itoa(s.spr), nil }},
		{"reserved", 32, func(signalHeader) (string, error) { return "", nil }},
	}
	for _, c := range cols {
		for i, s := range sigs {
			v, err := c.get(s)
			if err != nil {
				return fmt.Errorf("signal %d (%s): %w", i, s.label, err)
			}
			parts = append(parts, part{fmt.Sprintf("%s of signal %d", c.name, i), v, c.width})
		}
	}
	for _, p := range parts {
		b, err := field(p.name, p.value, p.width)
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("edf: write header: %w", err)
		}
	}
	return nil
}

// writeRecord writes data record k; signals short of it repeat their last
// sample (the layout only allows that when padding was asked for).
func writeRecord(w *bufio.Writer, signals []Signal, sigs []signalHeader, k int, tal []byte) error {
	var b [2]byte
	for i, s := range signals {
		n := sigs[i].spr
		for j := k * n; j < (k+1)*n; j++ {
			var v int32
			switch {
			case j < len(s.Samples):
				v = s.Samples[j]
			case len(s.Samples) > 0:
				v = s.Samples[len(s.Samples)-1]
			default:
				v = max(sigs[i].digMin, min(sigs[i].digMax, 0))
			}
			binary.LittleEndian.PutUint16(b[:], uint16(int16(v)))
			if _, err := w.Write(b[:]); err != nil {
				return fmt.Errorf("edf: write data record %d: %w", k, err)
			}
		}
	}
	ann := make([]byte, 2*sigs[len(sigs)-1].spr)
	copy(ann, tal)
	if _, err := w.Write(ann); err != nil {
		return fmt.Errorf("edf: write data record %d: %w", k, err)
	}
	return nil
}
