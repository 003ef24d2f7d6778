package edf

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// header is the fixed part of an EDF header and the per-signal columns, as
// read, before the data records.
type header struct {
	patient, recording string
	start              time.Time
	headerBytes        int
	reserved           string
	nrec               int64 // -1: unknown, count from the file size
	duration           *big.Rat
	signals            []signalHeader
}

type signalHeader struct {
	label, transducer, unit string
	physMin, physMax        float64
	digMin, digMax          int32
	prefilter               string
	spr                     int
	annotations             bool
}

func fieldErr(name, format string, a ...any) error {
	return &FormatError{Where: "header field '" + name + "'", Problem: fmt.Sprintf(format, a...), Err: ErrFormat}
}

func signalErr(i int, label, format string, a ...any) error {
	return &FormatError{Where: fmt.Sprintf("signal %d (%s)", i, label), Problem: fmt.Sprintf(format, a...), Err: ErrFormat}
}

// latin1 decodes a header field: EDF asks for ASCII, but some writers put
// Latin-1 bytes (°, µ) in units, which are kept as their characters.
func latin1(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.TrimSpace(string(b))
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return strings.TrimSpace(sb.String())
}

// parseFixed reads the first 256 bytes.
func parseFixed(b []byte) (header, int, error) {
	var h header
	if v := latin1(b[0:8]); v != "0" {
		if b[0] == 0xff {
			return h, 0, fieldErr("version", "24-bit BDF files are not supported")
		}
		return h, 0, fieldErr("version", "%q, want \"0\"", v)
	}
	h.patient = latin1(b[8:88])
	h.recording = latin1(b[88:168])
	start, err := parseStart(string(b[168:176]), string(b[176:184]), h.recording)
	if err != nil {
		return h, 0, err
	}
	h.start = start
	ns, err := parseInt(b[252:256], "number of signals", 0, 9999)
	if err != nil {
		return h, 0, err
	}
	hb, err := parseInt(b[184:192], "number of bytes in header", 256, math.MaxInt32)
	if err != nil {
		return h, 0, err
	}
	if hb != 256*(ns+1) {
		return h, 0, fieldErr("number of bytes in header", "%d, but %d signals need %d", hb, ns, 256*(ns+1))
	}
	h.headerBytes = int(hb)
	h.reserved = latin1(b[192:236])
	h.nrec, err = parseInt(b[236:244], "number of data records", -1, 99999999)
	if err != nil {
		return h, 0, err
	}
	h.duration, err = parseDecimal(strings.TrimSpace(string(b[244:252])))
	if err != nil || h.duration.Sign() < 0 {
		return h, 0, fieldErr("duration of a data record", "%q is not a non-negative number", strings.TrimSpace(string(b[244:252])))
	}
	return h, int(ns), nil
}

func parseInt(b []byte, name string, lo, hi int64) (int64, error) {
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fieldErr(name, "%q is not an integer", s)
	}
	if v < lo || v > hi {
		return 0, fieldErr(name, "%d outside %d..%d", v, lo, hi)
	}
	return v, nil
}

// parseDecimal reads a plain decimal number exactly ("0.001250" is 1/800).
func parseDecimal(s string) (*big.Rat, error) {
	if s == "" || len(s) > 32 || strings.ContainsAny(s, "eE/_") {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	return r, nil
}

var months = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// parseStart reads "dd.mm.yy" and "hh.mm.ss". Two-digit years 85–99 are
// 1985–1999 and 00–84 are 2000–2084; an EDF+ "Startdate dd-MMM-yyyy" in the
// recording field on the same day gives the full year (needed after 2084).
func parseStart(date, clock, recording string) (time.Time, error) {
	d, err := threeNumbers(date)
	if err != nil {
		return time.Time{}, fieldErr("startdate of recording", "%q: %v", date, err)
	}
	c, err := threeNumbers(clock)
	if err != nil {
		return time.Time{}, fieldErr("starttime of recording", "%q: %v", clock, err)
	}
	year := 2000 + d[2]
	if d[2] >= 85 {
		year = 1900 + d[2]
	}
	if f := strings.Fields(recording); len(f) >= 2 && f[0] == "Startdate" {
		if day, mon, y, ok := plusDate(f[1]); ok && day == d[0] && mon == d[1] && y%100 == d[2] {
			year = y
		}
	}
	if d[1] < 1 || d[1] > 12 || d[0] < 1 || d[0] > 31 || c[0] > 23 || c[1] > 59 || c[2] > 59 {
		return time.Time{}, fieldErr("startdate of recording", "%q %q is not a date and time", date, clock)
	}
	t := time.Date(year, time.Month(d[1]), d[0], c[0], c[1], c[2], 0, time.UTC)
	if t.Day() != d[0] {
		return time.Time{}, fieldErr("startdate of recording", "%q is not a date", date)
	}
	return t, nil
}

func threeNumbers(s string) ([3]int, error) {
	var out [3]int
	if len(s) != 8 || s[2] != s[5] || (s[2] != '.' && s[2] != ':' && s[2] != '-') {
		return out, fmt.Errorf("want two digits, '.', two digits, '.', two digits")
	}
	for i := range out {
		a, b := s[3*i], s[3*i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return out, fmt.Errorf("want digits")
		}
		out[i] = int(a-'0')*10 + int(b-'0')
	}
	return out, nil
}

// plusDate reads EDF+ "dd-MMM-yyyy".
func plusDate(s string) (day, month, year int, ok bool) {
	if len(s) != 11 || s[2] != '-' || s[6] != '-' {
		return 0, 0, 0, false
	}
	day, err1 := strconv.Atoi(s[0:2])
	year, err2 := strconv.Atoi(s[7:11])
	for i, m := range months {
		if strings.EqualFold(s[3:6], m) {
			month = i + 1
		}
	}
	return day, month, year, err1 == nil && err2 == nil && month > 0
}

// parseSignals reads the ns×256 bytes of signal columns.
func parseSignals(b []byte, ns int, plus bool) ([]signalHeader, error) {
	widths := [...]int{16, 80, 8, 8, 8, 8, 8, 80, 8, 32}
	cols := make([][]string, len(widths))
	off := 0
	for c, w := range widths {
		cols[c] = make([]string, ns)
		for i := 0; i < ns; i++ {
			cols[c][i] = latin1(b[off : off+w])
			off += w
		}
	}
	sigs := make([]signalHeader, ns)
	for i := range sigs {
		s := &sigs[i]
		s.label, s.transducer, s.unit, s.prefilter = cols[0][i], cols[1][i], cols[2][i], cols[7][i]
		s.annotations = plus && s.label == annotationLabel
		var err error
		if s.physMin, err = parseFloatField(cols[3][i]); err != nil {
			return nil, signalErr(i, s.label, "physical minimum %q is not a number", cols[3][i])
		}
		if s.physMax, err = parseFloatField(cols[4][i]); err != nil {
			return nil, signalErr(i, s.label, "physical maximum %q is not a number", cols[4][i])
		}
		dmin, err1 := strconv.ParseInt(cols[5][i], 10, 32)
		dmax, err2 := strconv.ParseInt(cols[6][i], 10, 32)
		if err1 != nil || err2 != nil {
			return nil, signalErr(i, s.label, "digital minimum %q or maximum %q is not an integer", cols[5][i], cols[6][i])
		}
		s.digMin, s.digMax = int32(dmin), int32(dmax)
		spr, err := strconv.ParseInt(cols[8][i], 10, 64)
		if err != nil || spr < 0 || spr > 99999999 {
			return nil, signalErr(i, s.label, "number of samples in each data record %q", cols[8][i])
		}
		s.spr = int(spr)
		if s.annotations {
			continue
		}
		if s.digMax <= s.digMin {
			return nil, signalErr(i, s.label, "digital maximum %d is not above digital minimum %d", s.digMax, s.digMin)
		}
		if s.physMax == s.physMin {
			return nil, signalErr(i, s.label, "physical minimum and maximum are both %v", s.physMin)
		}
	}
	return sigs, nil
}

func parseFloatField(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsInf(v, 0) || math.IsNaN(v)) {
		err = fmt.Errorf("not finite")
	}
	return v, err
}
