// Package sierra reads the Philips "Sierra ECG" XML that PageWriter carts,
// TraceMaster and HeartStart MRx write (documentversion 1.03 and 1.04; root
// element restingecgdata in the namespace http://www3.medical.philips.com).
//
// The rhythm leads are Base64 text of XLI-compressed chunks, one per lead
// (see xli.go); III, aVR, aVL and aVF are stored as residuals against their
// values computed from I and II. Version 1.04 files are usually UTF-16 with
// a byte-order mark. The representative beats (repbeats), when present, are
// plain little-endian int16 and become Record.Median.
package sierra

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"telewave/formats/ecg12"
)

// maxSamples bounds what one file may make us allocate, over all leads.
const maxSamples = 64 << 20

// Sniff reports whether the first bytes of a file look like Sierra XML: a
// restingecgdata root, in UTF-8 or UTF-16.
func Sniff(head []byte) bool {
	text, err := toUTF8(head, true)
	if err != nil {
		return false
	}
	if len(text) > 4096 {
		text = text[:4096]
	}
	return bytes.Contains(text, []byte("<restingecgdata"))
}

// Decode reads a whole Sierra XML file.
func Decode(data []byte) (*ecg12.Record, error) {
	text, err := toUTF8(data, false)
	if err != nil {
		return nil, fmt.Errorf("%w: sierra: %w", ecg12.ErrFormat, err)
	}
	var doc document
	if err := parse(fromLatin1(text), &doc); err != nil {
		return nil, fmt.Errorf("%w: sierra: parse XML: %w", ecg12.ErrFormat, err)
	}
	if doc.XMLName.Local != "restingecgdata" {
		return nil, fmt.Errorf("%w: sierra: root element %q, want restingecgdata", ecg12.ErrFormat, doc.XMLName.Local)
	}
	rec := &ecg12.Record{Format: "Philips Sierra XML"}
	if v := strings.TrimSpace(doc.Info.Version); v != "" {
		rec.Format += " " + v
	}
	if err := readRhythm(&doc, rec); err != nil {
		return nil, fmt.Errorf("%w: sierra: parsedwaveforms: %w", ecg12.ErrFormat, err)
	}
	if err := readMedian(&doc, rec); err != nil {
		return nil, fmt.Errorf("%w: sierra: repbeats: %w", ecg12.ErrFormat, err)
	}
	readPatient(&doc, rec)
	readDevice(&doc, rec)
	readInterpretation(&doc, rec)
	if err := rec.Validate(); err != nil {
		return nil, fmt.Errorf("sierra: %w", err)
	}
	return rec, nil
}

func parse(text []byte, doc *document) error {
	dec := xml.NewDecoder(bytes.NewReader(text))
	dec.CharsetReader = charsetReader
	return dec.Decode(doc)
}
