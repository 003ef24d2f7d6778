package edf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EDF+ time-stamped annotation lists (TALs): "+onset[\x15duration]\x14text\x14…\x00".
const (
	talDuration = 0x15
	talText     = 0x14
	talEnd      = 0x00
)

// maxSeconds keeps onsets inside time.Duration (about 292 years).
const maxSeconds = 9_000_000_000

// parseTALs decodes the annotation bytes of one signal in one data record.
// When timekeeping is set the first TAL must be the record's timekeeping
// TAL (an empty first text); its onset is returned as the record onset.
func parseTALs(b []byte, timekeeping bool) (onset time.Duration, anns []Annotation, err error) {
	first := true
	for len(b) > 0 {
		if b[0] == talEnd { // padding after (or between) TALs
			b = b[1:]
			continue
		}
		end := bytes.IndexByte(b, talEnd)
		if end < 0 {
			return 0, nil, fmt.Errorf("annotation %q not ended by a 0x00 byte", clip(b))
		}
		tal := b[:end]
		b = b[end+1:]
		head, texts, ok := bytes.Cut(tal, []byte{talText})
		if !ok {
			return 0, nil, fmt.Errorf("annotation %q has no 0x14 after its onset", clip(tal))
		}
		onsetField, durField, hasDur := bytes.Cut(head, []byte{talDuration})
		on, err := parseOnset(string(onsetField))
		if err != nil {
			return 0, nil, err
		}
		var dur time.Duration
		if hasDur {
			if dur, err = parseSeconds(string(durField)); err != nil {
				return 0, nil, fmt.Errorf("duration %q: %v", durField, err)
			}
		}
		parts := bytes.Split(texts, []byte{talText})
		if len(parts) > 1 && len(parts[len(parts)-1]) == 0 {
			parts = parts[:len(parts)-1] // the closing 0x14
		}
		if first && timekeeping {
			if len(parts) == 0 || len(parts[0]) != 0 {
				return 0, nil, fmt.Errorf("first annotation %q is not a timekeeping annotation", clip(tal))
			}
			onset, parts = on, parts[1:]
		}
		first = false
		for _, p := range parts {
			if len(p) == 0 {
				continue
			}
			anns = append(anns, Annotation{Onset: on, Duration: dur, Text: strings.ToValidUTF8(string(p), "\uFFFD")})
		}
	}
	if first && timekeeping {
		return 0, nil, fmt.Errorf("no timekeeping annotation")
	}
	return onset, anns, nil
}

func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

func parseOnset(s string) (time.Duration, error) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("onset %q does not start with + or -", s)
	}
	d, err := parseSeconds(s[1:])
	if err != nil {
		return 0, fmt.Errorf("onset %q: %v", s, err)
	}
	if s[0] == '-' {
		d = -d
	}
	return d, nil
}

// parseSeconds reads "ddd[.ddd]" seconds to the nanosecond; further digits
// are dropped.
func parseSeconds(s string) (time.Duration, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("not a number of seconds")
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 10 {
		return 0, fmt.Errorf("too large")
	}
	sec, _ := strconv.ParseInt("0"+whole, 10, 64)
	if sec > maxSeconds {
		return 0, fmt.Errorf("too large")
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	ns, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	return time.Duration(sec)*time.Second + time.Duration(ns), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatSeconds writes d as decimal seconds with no trailing zeros.
func formatSeconds(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	s := strconv.FormatInt(int64(d/time.Second), 10)
	if ns := int64(d % time.Second); ns != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
	}
	if neg {
		return "-" + s
	}
	return s
}

// appendTAL encodes one annotation as a TAL.
func appendTAL(b []byte, a Annotation) []byte {
	if a.Onset < 0 {
		b = append(b, formatSeconds(a.Onset)...)
	} else {
		b = append(b, '+')
		b = append(b, formatSeconds(a.Onset)...)
	}
	if a.Duration > 0 {
		b = append(b, talDuration)
		b = append(b, formatSeconds(a.Duration)...)
	}
	b = append(b, talText)
	b = append(b, a.Text...)
	return append(b, talText, talEnd)
}

// appendTimekeeping encodes a record's timekeeping TAL.
func appendTimekeeping(b []byte, onset time.Duration) []byte {
	if onset >= 0 {
		b = append(b, '+')
	}
	b = append(b, formatSeconds(onset)...)
	return append(b, talText, talText, talEnd)
}
