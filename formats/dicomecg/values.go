package dicomecg

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// values turns element bytes into Go values, knowing the file's character
// set (Specific Character Set, 0008,0005).
type values struct {
	latin1 bool // ISO_IR 100; otherwise UTF-8 (ISO_IR 192) or ASCII
}

func newValues(ds *dataset) values {
	cs := ""
	if e := ds.find(tagCharacterSet); e != nil {
		cs = strings.ToUpper(strings.TrimSpace(string(e.value)))
	}
	return values{latin1: strings.Contains(cs, "ISO_IR 100")}
}

// text is the value of a text element, decoded to UTF-8, with the padding
// and surrounding spaces removed; "" when absent.
func (v values) text(ds *dataset, t tag) string {
	e := ds.find(t)
	if e == nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimRight(v.decode(e.value), "\x00"))
}

func (v values) decode(b []byte) string {
	if !v.latin1 && utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c)) // Latin-1 bytes are the first 256 code points
	}
	return sb.String()
}

// firstValue is the first of the backslash-separated values of s.
func firstValue(s string) string {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// uint reads an unsigned integer attribute: binary US/UL (or UN of 2 or 4
// bytes, as in implicit VR), or text IS. ok is false when absent or empty.
func (v values) uint(ds *dataset, t tag) (n uint32, ok bool, err error) {
	e := ds.find(t)
	if e == nil || len(e.value) == 0 {
		return 0, false, nil
	}
	switch e.vr {
	case "US", "SS":
		if len(e.value) < 2 {
			return 0, false, formatErr("element %s at offset %d: %d bytes for %s", t, e.offset, len(e.value), e.vr)
		}
		return uint32(binary.LittleEndian.Uint16(e.value)), true, nil
	case "UL", "SL":
		if len(e.value) < 4 {
			return 0, false, formatErr("element %s at offset %d: %d bytes for %s", t, e.offset, len(e.value), e.vr)
		}
		return binary.LittleEndian.Uint32(e.value), true, nil
	case "UN":
		switch len(e.value) {
		case 2:
			return uint32(binary.LittleEndian.Uint16(e.value)), true, nil
		case 4:
			return binary.LittleEndian.Uint32(e.value), true, nil
		}
		return 0, false, formatErr("element %s at offset %d: %d bytes of unknown VR, not a number", t, e.offset, len(e.value))
	case "IS", "DS":
		s := firstValue(string(e.value))
		n, err := strconv.ParseUint(strings.TrimRight(s, "\x00 "), 10, 32)
		if err != nil {
			return 0, false, formatErr("element %s at offset %d: %q is not an unsigned integer", t, e.offset, s)
		}
		return uint32(n), true, nil
	}
	return 0, false, formatErr("element %s at offset %d: VR %s where a number was expected", t, e.offset, e.vr)
}

// float reads a decimal string (DS) attribute: its first value. ok is false
// when absent or empty.
func (v values) float(ds *dataset, t tag) (f float64, ok bool, err error) {
	e := ds.find(t)
	if e == nil {
		return 0, false, nil
	}
	s := firstValue(strings.TrimRight(string(e.value), "\x00 "))
	if s == "" {
		return 0, false, nil
	}
	f, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, formatErr("element %s at offset %d: %q is not a decimal number", t, e.offset, s)
	}
	return f, true, nil
}

// code is one item of a code sequence.
type code struct {
	scheme, value, meaning string
}

func (v values) code(item *dataset) code {
	if item == nil {
		return code{}
	}
	return code{
		scheme:  strings.ToUpper(v.text(item, tagCodingScheme)),
		value:   v.text(item, tagCodeValue),
		meaning: v.text(item, tagCodeMeaning),
	}
}

// formatDS writes f as a DICOM decimal string: at most 16 characters, with
// as many significant digits as fit.
func formatDS(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	for prec := 15; len(s) > 16 && prec > 0; prec-- {
		s = strconv.FormatFloat(f, 'g', prec, 64)
	}
	return s
}
