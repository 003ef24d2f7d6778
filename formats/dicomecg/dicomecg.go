// Package dicomecg reads and writes resting ECGs stored as DICOM waveform
// objects: 12-Lead ECG Waveform Storage and General ECG Waveform Storage
// (PS3.3 A.34), in a DICOM Part 10 file.
//
// It carries its own small DICOM codec (no third-party DICOM library): the
// 128-byte preamble and "DICM", the file meta group, and data sets in
// explicit or implicit VR little endian with sequences of defined or
// undefined length. Big endian, deflated and compressed transfer syntaxes
// are refused with ErrUnsupported.
//
// Decode picks the rhythm multiplex group (labelled RHYTHM, else the first
// ORIGINAL group with at least 8 channels) into Record.Leads and a median
// beat group into Record.Median; the waveform annotations give the cart's
// measurements and statements. Encode writes a 12-Lead ECG object (General
// ECG when the record is not 12 leads of at most 16 s) in explicit VR little
// endian with new UIDs.
package dicomecg

import "bytes"

// SOP classes.
const (
	SOPTwelveLeadECG = "1.2.840.10008.5.1.4.1.1.9.1.1"
	SOPGeneralECG    = "1.2.840.10008.5.1.4.1.1.9.1.2"
	SOPAmbulatoryECG = "1.2.840.10008.5.1.4.1.1.9.1.3"
)

// Format names written into ecg12.Record.Format.
const (
	FormatTwelveLead = "DICOM 12-Lead ECG"
	FormatGeneral    = "DICOM General ECG"
	FormatAmbulatory = "DICOM Ambulatory ECG"
)

// Sniff reports whether head (the first 132 bytes or more of a file) is a
// DICOM Part 10 file: "DICM" after the 128-byte preamble. It says nothing
// about whether the object inside is an ECG.
func Sniff(head []byte) bool {
	return len(head) >= preambleLen+4 && bytes.Equal(head[preambleLen:preambleLen+4], []byte("DICM"))
}
