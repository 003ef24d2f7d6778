// Package scpecg reads and writes SCP-ECG files (EN 1064, ISO/IEEE
// 11073-91064), the binary format resting-ECG carts (Schiller, Mortara,
// Contec and others) export. Versions 1.x, 2.x and 3.0 headers are read.
//
// A file is a CRC-protected record of numbered sections: 0 points at the
// others, 1 holds patient and acquisition tags, 2 Huffman tables, 3 the
// lead definitions, 4 the QRS locations, 5 the reference (median) beat, 6 the
// rhythm data, 7 the global measurements, 8 and 11 the interpretation
// statements and 10 the per-lead measurements. Every CRC is checked; a bad
// one is an error naming the section, never repaired.
//
// Rhythm data may be Huffman coded (the standard's default table or tables
// of the file's own), first- or second-difference coded, and stored with the
// reference beat subtracted inside the QRS zones of section 4; all of that
// is undone. High compression (bimodal or decimated rhythm data) is refused
// with ErrUnsupported.
//
// SCP-ECG dates have no time zone unless tag 34 gives one: Acquired is then
// the cart's clock time in time.UTC, meaning "local time, zone unknown".
package scpecg

import (
	"errors"
	"fmt"

	"telewave/formats/ecg12"
)

// ErrUnsupported is wrapped (with ecg12.ErrFormat) when a file uses a
// feature of the standard this package does not decode; the message names it.
var ErrUnsupported = errors.New("SCP-ECG feature not supported")

// FormatError says where a file departs from SCP-ECG: the section (-1 for
// the file header) and the byte offset in the file.
type FormatError struct {
	Section int
	Offset  int
	Problem string
	Err     error // ecg12.ErrFormat, or ErrUnsupported
}

func (e *FormatError) Error() string {
	where := "file header"
	if e.Section >= 0 {
		where = fmt.Sprintf("section %d", e.Section)
	}
	return fmt.Sprintf("scp-ecg: %s at byte %d: %s", where, e.Offset, e.Problem)
}

// Unwrap lets errors.Is find ecg12.ErrFormat for every error, and
// ErrUnsupported for features not decoded.
func (e *FormatError) Unwrap() []error {
	if e.Err != nil && e.Err != ecg12.ErrFormat {
		return []error{ecg12.ErrFormat, e.Err}
	}
	return []error{ecg12.ErrFormat}
}

func formatErr(section, offset int, format string, a ...any) error {
	return &FormatError{Section: section, Offset: offset, Problem: fmt.Sprintf(format, a...), Err: ecg12.ErrFormat}
}

func unsupported(section, offset int, format string, a ...any) error {
	return &FormatError{Section: section, Offset: offset, Problem: fmt.Sprintf(format, a...) + " is not supported", Err: ErrUnsupported}
}

// Sniff reports whether the first bytes of a file look like SCP-ECG: a
// section 0 header right after the 6-byte file header, marked "SCPECG" (or,
// for version 1.x files that leave the mark out, a plausible pointer table).
func Sniff(head []byte) bool {
	if len(head) < 22 || le16(head[6+2:]) != 0 {
		return false
	}
	if string(head[6+10:6+16]) == "SCPECG" {
		return true
	}
	if len(head) < 32 {
		return false
	}
	n := le32(head[6+4:])
	return n >= headerLen+pointerLen && (n-headerLen)%pointerLen == 0 &&
		head[6+9] >= 10 && head[6+9] <= 13 && le16(head[22:]) == 0 && le32(head[28:]) == 7
}

// Decode reads a whole SCP-ECG file into the common ECG record. Errors wrap
// ecg12.ErrFormat and name the section and byte at fault; no partial record
// is returned.
func Decode(data []byte) (*ecg12.Record, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return f.Record, nil
}
