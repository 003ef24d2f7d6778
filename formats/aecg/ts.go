package aecg

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseTS reads an HL7 v3 TS: YYYY[MM[DD[HH[MM[SS[.F…]]]]]][±ZZzz]. A time
// without an offset is taken as UTC wall-clock time, as the other readers
// in formats/ do, since the cart's zone is not in the file.
func parseTS(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	loc := time.UTC
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		z := s[i+1:]
		if len(z) != 4 || !allDigits(z) {
			return time.Time{}, fmt.Errorf("timestamp %q: zone", s)
		}
		h, _ := strconv.Atoi(z[:2])
		m, _ := strconv.Atoi(z[2:])
		off := h*3600 + m*60
		if s[i] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
		s = s[:i]
	}
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if len(s) != 14 || frac == "" || len(frac) > 9 || !allDigits(frac) {
			return time.Time{}, fmt.Errorf("timestamp %q: fraction", s+"."+frac)
		}
	}
	if len(s) < 4 || len(s) > 14 || len(s)%2 != 0 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("timestamp %q", s)
	}
	f := [6]int{0, 1, 1, 0, 0, 0}
	f[0], _ = strconv.Atoi(s[:4])
	for k := 1; 4+2*k <= len(s); k++ {
		f[k], _ = strconv.Atoi(s[2+2*k : 4+2*k])
	}
	ns := 0
	if frac != "" {
		ns, _ = strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], ns, loc)
	if t.Month() != time.Month(f[1]) || t.Day() != f[2] || t.Hour() != f[3] || t.Minute() != f[4] || t.Second() != f[5] {
		return time.Time{}, fmt.Errorf("timestamp %q: no such date", s)
	}
	return t, nil
}

// formatTS writes t to the precision it carries (seconds, or the fraction
// needed, at least milliseconds), with an offset unless it is in UTC.
func formatTS(t time.Time) string {
	s := t.Format("20060102150405")
	if ns := t.Nanosecond(); ns != 0 {
		f := strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
		for len(f) < 3 {
			f += "0"
		}
		s += "." + f
	}
	if _, off := t.Zone(); t.Location() != time.UTC || off != 0 {
		s += t.Format("-0700")
	}
	return s
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
