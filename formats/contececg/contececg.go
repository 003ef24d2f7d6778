// Package contececg reads the native .ECG file the Contec ECG90A cart
// stores on its microSD card.
//
// The layout was established by comparing the two public files byte for
// byte with the EDF and SCP-ECG conversions of the same recording (and
// agrees with the format notes its author published):
//
//	header  43 bytes: case number (8, NUL-terminated) · 2 unknown · "yyyy-mm-dd hh:mm:ss" (20, NUL-terminated) ·
//	        2 unknown · patient name (8, NUL-terminated) · sex (0 F, 1 M, 255 blank) · age in years · weight in kg
//	records 16 bytes each, one per 1/800 s: eight uint16 LE words, II, III, V1…V6
//	trailer 37 bytes: zeros, but in one file byte 27 is 0x16 (meaning unknown)
//
// Each word holds a 12-bit sample offset by 2048 in its low bits and flags
// in its top four: an unconnected chest lead reads 0x6800 (flags 6, value
// 0) throughout, and is left out. I is II − III; aVR, aVL and aVF are
// derived from I and II. One count is 5 µV, the scale the SCP-ECG
// conversion of the same recording declares (its EDF conversion declares
// about 30.5 µV, which would make a 1.4 mV QRS 8.4 mV).
package contececg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"telewave/formats/ecg12"
)

const (
	headerSize  = 43
	trailerSize = 37
	recordSize  = 16
	// SampleRate is the cart's fixed sampling rate in samples per second.
	SampleRate = 800
	// Scale is one count in microvolts.
	Scale      = 5.0
	zeroCount  = 2048
	maxRecords = 64 << 20 / 8
)

// storedLabels are the leads of the eight words of a record, in order.
var storedLabels = [8]string{"II", "III", "V1", "V2", "V3", "V4", "V5", "V6"}

// Header is what the 43-byte header says.
type Header struct {
	CaseNumber string // the cart's running number of the recording, e.g. "0000050"
	Acquired   time.Time
	Name       string // the patient's name as typed on the cart (at most 7 characters)
	Sex        string // "M", "F" or "" when blank
	AgeYears   int    // 0 when not entered
	WeightKg   int    // 0 when not entered
}

// Sniff reports whether head starts like an ECG90A file: a case number of
// digits and a timestamp where the header keeps them.
func Sniff(head []byte) bool {
	if len(head) < headerSize {
		return false
	}
	_, err := ReadHeader(head)
	return err == nil
}

// ReadHeader reads the header of a file (its first 43 bytes suffice).
func ReadHeader(data []byte) (Header, error) {
	if len(data) < headerSize {
		return Header{}, fmt.Errorf("%w: contec: %d bytes, shorter than the %d-byte header", ecg12.ErrFormat, len(data), headerSize)
	}
	var h Header
	h.CaseNumber = cString(data[0:8])
	if h.CaseNumber == "" || !allDigits(h.CaseNumber) {
		return Header{}, fmt.Errorf("%w: contec: case number %q at offset 0 is not digits", ecg12.ErrFormat, data[0:8])
	}
	stamp := cString(data[10:30])
	t, err := time.Parse("2006-01-02 15:04:05", stamp)
	if err != nil {
		return Header{}, fmt.Errorf("%w: contec: timestamp %q at offset 10", ecg12.ErrFormat, stamp)
	}
	h.Acquired = t
	h.Name = cString(data[32:40])
	switch data[40] {
	case 0:
		h.Sex = "F"
	case 1:
		h.Sex = "M"
	}
	h.AgeYears, h.WeightKg = int(data[41]), int(data[42])
	return h, nil
}

// Decode reads a whole ECG90A file.
func Decode(data []byte) (*ecg12.Record, error) {
	h, err := ReadHeader(data)
	if err != nil {
		return nil, err
	}
	body := len(data) - headerSize - trailerSize
	if body <= 0 || body%recordSize != 0 {
		return nil, fmt.Errorf("%w: contec: file of %d bytes is not a %d-byte header, whole %d-byte records and a %d-byte trailer",
			ecg12.ErrFormat, len(data), headerSize, recordSize, trailerSize)
	}
	// A record cannot be all zeros (every lead at −10 mV, no flags), so
	// zeros where the trailer starts tell a whole file from one cut short
	// at a record boundary; the header holds no record count.
	if trailer := data[headerSize+body:]; !allZero(trailer[:recordSize]) {
		return nil, fmt.Errorf("%w: contec: the %d-byte trailer at offset %d does not start with %d zero bytes: truncated?",
			ecg12.ErrFormat, trailerSize, headerSize+body, recordSize)
	}
	n := body / recordSize
	if n > maxRecords {
		return nil, fmt.Errorf("%w: contec: %d records is more than %d", ecg12.ErrFormat, n, maxRecords)
	}
	words := data[headerSize : headerSize+body]
	rec := &ecg12.Record{
		Format:     "Contec ECG90A",
		SampleRate: SampleRate,
		Patient:    ecg12.Patient{FamilyName: h.Name, Sex: h.Sex},
		Device:     ecg12.Device{Manufacturer: "Contec", Model: "ECG90A"},
		Acquired:   h.Acquired,
	}
	stored := make([][]int32, len(storedLabels))
	for k := range storedLabels {
		if unconnected(words, k) {
			continue
		}
		s := make([]int32, n)
		for i := range s {
			w := binary.LittleEndian.Uint16(words[i*recordSize+2*k:])
			s[i] = int32(w&0x0FFF) - zeroCount
		}
		stored[k] = s
	}
	II, III := stored[0], stored[1]
	if II == nil || III == nil {
		return nil, fmt.Errorf("%w: contec: limb leads II and III are flagged unconnected throughout", ecg12.ErrFormat)
	}
	I := make([]int32, n)
	for i := range I {
		I[i] = II[i] - III[i]
	}
	rec.Leads = append(rec.Leads, ecg12.Lead{Label: "I", Samples: I, Scale: Scale, Derived: true})
	for k, s := range stored {
		if s != nil {
			rec.Leads = append(rec.Leads, ecg12.Lead{Label: storedLabels[k], Samples: s, Scale: Scale})
		}
	}
	rec.DeriveLimbLeads()
	if err := rec.Validate(); err != nil {
		return nil, fmt.Errorf("contec: %w", err)
	}
	return rec, nil
}

// unconnected reports whether word k of every record carries flags and
// the same value: a lead the cart did not record.
func unconnected(words []byte, k int) bool {
	first := binary.LittleEndian.Uint16(words[2*k:])
	if first>>12 == 0 {
		return false
	}
	for off := 2 * k; off < len(words); off += recordSize {
		if binary.LittleEndian.Uint16(words[off:]) != first {
			return false
		}
	}
	return true
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(string(bytes.TrimSpace(b)), "\uFFFD")
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
