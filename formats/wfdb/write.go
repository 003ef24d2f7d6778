package wfdb

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// WriteHeader writes h as a .hea file that ParseHeader reads back as h:
// the record line, one line per signal with every field up to the
// description, then the comments. Gains are written as given (ParseHeader
// reads a gain of 0 as 200, so write 200 for "unspecified"); the baseline
// is written only where it differs from the ADC zero, and the units only
// where they are not "mV", ParseHeader's default. Runs of white space in a
// description are written as one space, as ParseHeader reads them.
func WriteHeader(w io.Writer, h Header) error {
	if err := checkToken("record name", h.Name); err != nil {
		return err
	}
	if !(h.Freq > 0 && h.Freq < 1e7) {
		return fmt.Errorf("%w: write: sampling frequency %v", ErrHeader, h.Freq)
	}
	if h.NSamples < 0 {
		return fmt.Errorf("%w: write: sample count %d", ErrHeader, h.NSamples)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s %d %s", h.Name, len(h.Signals), strconv.FormatFloat(h.Freq, 'f', -1, 64))
	if h.NSamples > 0 {
		fmt.Fprintf(bw, " %d", h.NSamples)
	}
	bw.WriteByte('\n')
	for i, s := range h.Signals {
		line, err := signalLine(s)
		if err != nil {
			return fmt.Errorf("%w: write signal %d: %v", ErrHeader, i, err)
		}
		bw.WriteString(line)
	}
	for i, c := range h.Comments {
		if strings.ContainsAny(c, "\n") {
			return fmt.Errorf("%w: write comment %d: holds a line break", ErrHeader, i)
		}
		fmt.Fprintf(bw, "# %s\n", c)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write header %s: %w", h.Name, err)
	}
	return nil
}

func signalLine(s SignalSpec) (string, error) {
	if err := checkToken("file name", s.File); err != nil {
		return "", err
	}
	if !(s.Gain > 0 && s.Gain <= 1e12) {
		return "", fmt.Errorf("gain %v", s.Gain)
	}
	if strings.ContainsFunc(s.Units, unicode.IsSpace) {
		return "", fmt.Errorf("units %q hold a space", s.Units)
	}
	gain := strconv.FormatFloat(s.Gain, 'f', -1, 64)
	if s.Baseline != s.ADCZero {
		gain += "(" + strconv.Itoa(int(s.Baseline)) + ")"
	}
	if s.Units != "mV" {
		gain += "/" + s.Units
	}
	line := fmt.Sprintf("%s %d %s %d %d %d %d 0", s.File, s.Format, gain, s.ADCRes, s.ADCZero, s.InitValue, s.Checksum)
	if d := strings.Join(strings.Fields(s.Description), " "); d != "" {
		line += " " + d
	}
	return line + "\n", nil
}

// checkToken refuses names ParseHeader would read differently: empty,
// with spaces or '/', or starting with '#' (a comment).
func checkToken(what, s string) error {
	if s == "" || strings.ContainsFunc(s, unicode.IsSpace) || strings.ContainsAny(s, "/") || s[0] == '#' {
		return fmt.Errorf("%w: write: %s %q must be one word without '/' or a leading '#'", ErrHeader, what, s)
	}
	return nil
}
