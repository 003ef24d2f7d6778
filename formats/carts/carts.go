// Package carts recognises and reads the files ECG carts export, whatever
// the format: it sniffs the first bytes and hands the file to the reader
// of that format (formats/scpecg, aecg, dicomecg, muse, sierra,
// contececg). EDF, WFDB and CSV have their own import paths.
package carts

import (
	"errors"
	"fmt"
	"os"

	"telewave/formats/aecg"
	"telewave/formats/contececg"
	"telewave/formats/dicomecg"
	"telewave/formats/ecg12"
	"telewave/formats/muse"
	"telewave/formats/scpecg"
	"telewave/formats/sierra"
)

// MaxFile bounds what is read of a cart file: a 10 s 12-lead is well under
// 5 MiB in every format; a larger file is refused rather than read.
const MaxFile = 64 << 20

// ErrUnknown is returned for a file no reader recognises.
var ErrUnknown = errors.New("not a known ECG cart file")

// Format is one cart format's reader.
type Format struct {
	Name   string
	Sniff  func(head []byte) bool
	Decode func(data []byte) (*ecg12.Record, error)
}

// Formats lists the readers in the order they are tried. XML formats sniff
// their root element, binary ones their magic, so no file matches two.
func Formats() []Format {
	return []Format{
		{"SCP-ECG", scpecg.Sniff, scpecg.Decode},
		{"DICOM ECG", dicomecg.Sniff, dicomecg.Decode},
		{"HL7 aECG", aecg.Sniff, aecg.Decode},
		{"GE MUSE XML", muse.Sniff, muse.Decode},
		{"Philips Sierra XML", sierra.Sniff, sierra.Decode},
		{"Contec ECG90A", contececg.Sniff, contececg.Decode},
	}
}

// Sniff returns the format whose reader recognises head.
func Sniff(head []byte) (Format, bool) {
	for _, f := range Formats() {
		if f.Sniff(head) {
			return f, true
		}
	}
	return Format{}, false
}

// Decode reads a whole cart file. The record is complete or nil: a
// damaged file yields the reader's error, which names what was wrong.
func Decode(data []byte) (*ecg12.Record, Format, error) {
	f, ok := Sniff(data[:min(len(data), 4096)])
	if !ok {
		return nil, Format{}, ErrUnknown
	}
	rec, err := f.Decode(data)
	if err != nil {
		return nil, f, fmt.Errorf("%s: %w", f.Name, err)
	}
	return rec, f, nil
}

// ReadFile reads a cart file from disk.
func ReadFile(path string) (*ecg12.Record, Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, Format{}, err
	}
	if st.Size() > MaxFile {
		return nil, Format{}, fmt.Errorf("%s: %d bytes is more than any ECG cart file (%d)", path, st.Size(), MaxFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Format{}, err
	}
	rec, f, err := Decode(data)
	if err != nil {
		return nil, f, fmt.Errorf("%s: %w", path, err)
	}
	return rec, f, nil
}
