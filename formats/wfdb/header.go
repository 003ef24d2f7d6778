// Package wfdb reads PhysioNet WFDB records: the .hea header and the
// signal files in formats 212 and 16. It is the source of the MIT-BIH
// playback that drives the simulated ECG board.
package wfdb

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrHeader is wrapped by every header parse error.
var ErrHeader = errors.New("bad wfdb header")

// Header is a record's .hea file.
type Header struct {
	Name     string
	Freq     float64 // samples per second per signal
	NSamples int     // per signal; 0 if the header does not say
	Signals  []SignalSpec
	Comments []string
}

// SignalSpec is one signal line of a header.
type SignalSpec struct {
	File        string
	Format      int
	Gain        float64 // ADC units per physical unit; 200 when the header says 0
	Baseline    int32
	Units       string // "mV" when not given
	ADCRes      int
	ADCZero     int32
	InitValue   int32
	Checksum    int16
	Description string
}

// Physical converts an ADC value of this signal to its units.
func (s SignalSpec) Physical(v int32) float64 { return float64(v-s.Baseline) / s.Gain }

// ParseHeader reads a header. Comment lines (#) are kept; blank lines skipped.
func ParseHeader(r io.Reader) (Header, error) {
	var h Header
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<16)
	nsig := -1
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			h.Comments = append(h.Comments, strings.TrimSpace(line[1:]))
			continue
		}
		f := strings.Fields(line)
		if nsig < 0 {
			n, err := parseRecordLine(&h, f)
			if err != nil {
				return h, err
			}
			nsig = n
			continue
		}
		if len(h.Signals) == nsig {
			continue // extra lines (info strings) after the signals
		}
		s, err := parseSignalLine(f)
		if err != nil {
			return h, fmt.Errorf("%w: signal %d: %v", ErrHeader, len(h.Signals), err)
		}
		h.Signals = append(h.Signals, s)
	}
	if err := sc.Err(); err != nil {
		return h, fmt.Errorf("read header: %w", err)
	}
	if nsig < 0 {
		return h, fmt.Errorf("%w: no record line", ErrHeader)
	}
	if len(h.Signals) != nsig {
		return h, fmt.Errorf("%w: %d signal lines for %d signals", ErrHeader, len(h.Signals), nsig)
	}
	return h, nil
}

func parseRecordLine(h *Header, f []string) (int, error) {
	if len(f) < 2 {
		return 0, fmt.Errorf("%w: record line has %d fields", ErrHeader, len(f))
	}
	name, _, multi := strings.Cut(f[0], "/")
	if multi {
		return 0, fmt.Errorf("%w: multi-segment records are not supported", ErrHeader)
	}
	h.Name = name
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 0 || n > 4096 {
		return 0, fmt.Errorf("%w: signal count %q", ErrHeader, f[1])
	}
	h.Freq = 250
	if len(f) > 2 {
		fs := f[2]
		if i := strings.IndexAny(fs, "/("); i >= 0 {
			fs = fs[:i]
		}
		v, err := strconv.ParseFloat(fs, 64)
		if err != nil || !(v > 0 && v < 1e7) {
			return 0, fmt.Errorf("%w: sampling frequency %q", ErrHeader, f[2])
		}
		h.Freq = v
	}
	if len(f) > 3 {
		v, err := strconv.Atoi(f[3])
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%w: sample count %q", ErrHeader, f[3])
		}
		h.NSamples = v
	}
	return n, nil
}

func parseSignalLine(f []string) (SignalSpec, error) {
	s := SignalSpec{Gain: 200, Units: "mV", ADCRes: 12}
	if len(f) < 2 {
		return s, fmt.Errorf("%d fields", len(f))
	}
	s.File = f[0]
	fmtField := f[1]
	if i := strings.IndexAny(fmtField, "x:+"); i >= 0 {
		if fmtField[i] != '+' || strings.ContainsAny(fmtField[:i], "x:") {
			return s, fmt.Errorf("format %q: skew and multiple samples per frame are not supported", fmtField)
		}
		return s, fmt.Errorf("format %q: byte offsets are not supported", fmtField)
	}
	v, err := strconv.Atoi(fmtField)
	if err != nil {
		return s, fmt.Errorf("format %q", fmtField)
	}
	s.Format = v
	gainSet := false
	if len(f) > 2 {
		g := f[2]
		if i := strings.IndexByte(g, '/'); i >= 0 {
			s.Units = g[i+1:]
			g = g[:i]
		}
		if i := strings.IndexByte(g, '('); i >= 0 {
			j := strings.IndexByte(g, ')')
			if j < i {
				return s, fmt.Errorf("gain %q", f[2])
			}
			b, err := strconv.ParseInt(g[i+1:j], 10, 32)
			if err != nil {
				return s, fmt.Errorf("baseline in %q", f[2])
			}
			s.Baseline = int32(b)
			gainSet = true
			g = g[:i]
		}
		gv, err := strconv.ParseFloat(g, 64)
		if err != nil || gv < 0 || gv > 1e12 {
			return s, fmt.Errorf("gain %q", f[2])
		}
		if gv > 0 {
			s.Gain = gv
		}
	}
	ints := []*int32{nil, &s.ADCZero, &s.InitValue}
	for k := 3; k < len(f) && k < 6; k++ {
		n, err := strconv.ParseInt(f[k], 10, 32)
		if err != nil {
			return s, fmt.Errorf("field %d %q", k, f[k])
		}
		if k == 3 {
			s.ADCRes = int(n)
			continue
		}
		*ints[k-3] = int32(n)
	}
	if !gainSet {
		s.Baseline = s.ADCZero
	}
	if len(f) > 6 {
		c, err := strconv.ParseInt(f[6], 10, 32)
		if err != nil {
			return s, fmt.Errorf("checksum %q", f[6])
		}
		s.Checksum = int16(c)
	}
	if len(f) > 8 {
		s.Description = strings.Join(f[8:], " ")
	}
	return s, nil
}
