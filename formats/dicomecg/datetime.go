package dicomecg

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDA reads a DA value, YYYYMMDD (or the old YYYY.MM.DD).
func parseDA(s string) (time.Time, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", "")
	if len(s) != 8 {
		return time.Time{}, fmt.Errorf("date %q is not YYYYMMDD", s)
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: %w", s, err)
	}
	return t, nil
}

// parseTM reads a TM value, HH[MM[SS[.F{1,6}]]] (or the old HH:MM:SS.F),
// as an offset from midnight.
func parseTM(s string) (time.Duration, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
	}
	if len(s) < 2 || len(s) > 6 || len(s)%2 != 0 || len(frac) > 6 {
		return 0, fmt.Errorf("time %q is not HHMMSS.FFFFFF", s)
	}
	var parts [3]int
	for k := 0; k*2 < len(s); k++ {
		n, err := strconv.Atoi(s[k*2 : k*2+2])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("time %q is not HHMMSS.FFFFFF", s)
		}
		parts[k] = n
	}
	if parts[0] > 23 || parts[1] > 59 || parts[2] > 60 {
		return 0, fmt.Errorf("time %q out of range", s)
	}
	d := time.Duration(parts[0])*time.Hour + time.Duration(parts[1])*time.Minute + time.Duration(parts[2])*time.Second
	if frac != "" {
		n, err := strconv.Atoi(frac)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("time fraction %q is not digits", frac)
		}
		for range 9 - len(frac) {
			n *= 10
		}
		d += time.Duration(n)
	}
	return d, nil
}

// parseDT reads a DT value, YYYYMMDDHHMMSS.FFFFFF&ZZXX (components after
// the year may be left off), in the zone it names, else in loc.
func parseDT(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		z, err := parseOffset(s[i:])
		if err != nil {
			return time.Time{}, fmt.Errorf("date-time %q: %w", s, err)
		}
		s, loc = s[:i], z
	}
	date, clock := s, ""
	if len(s) > 8 {
		date, clock = s[:8], s[8:]
	}
	switch len(date) {
	case 4:
		date += "0101"
	case 6:
		date += "01"
	}
	day, err := parseDA(date)
	if err != nil {
		return time.Time{}, fmt.Errorf("date-time %q: %w", s, err)
	}
	var d time.Duration
	if clock != "" {
		if d, err = parseTM(clock); err != nil {
			return time.Time{}, fmt.Errorf("date-time %q: %w", s, err)
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(d), nil
}

// parseOffset reads a zone offset, ±HHMM (DT suffix, or Timezone Offset
// From UTC, 0008,0201).
func parseOffset(z string) (*time.Location, error) {
	if len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return nil, fmt.Errorf("zone %q is not ±HHMM", z)
	}
	h, err1 := strconv.Atoi(z[1:3])
	m, err2 := strconv.Atoi(z[3:5])
	if err1 != nil || err2 != nil || h < 0 || h > 14 || m < 0 || m > 59 {
		return nil, fmt.Errorf("zone %q is not ±HHMM", z)
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	if off == 0 {
		return time.UTC, nil
	}
	return time.FixedZone("", off), nil
}

// formatDT writes t as DT, with its zone offset unless it is UTC.
func formatDT(t time.Time) string {
	s := t.Format("20060102150405")
	if ns := t.Nanosecond(); ns != 0 {
		s += fmt.Sprintf(".%06d", ns/1000)
	}
	if t.Location() != time.UTC {
		s += t.Format("-0700")
	}
	return s
}

// splitPN splits a person name, Family^Given^Middle^Prefix^Suffix, taking
// the alphabetic group (before any '=').
func splitPN(s string) (family, given string) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, "^")
	family = strings.TrimSpace(parts[0])
	if len(parts) > 1 {
		given = strings.TrimSpace(parts[1])
	}
	return family, given
}
