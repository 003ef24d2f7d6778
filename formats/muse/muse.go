// Package muse reads GE MUSE RestingECG XML exports: demographics, the
// cart and acquisition time, MUSE's measurements and diagnosis statements,
// and the two waveforms (Rhythm → Record.Leads, Median → Record.Median),
// each lead Base64 of little-endian int16 counts at LeadAmplitudeUnitsPerBit
// µV. MUSE stores I, II and V1–V6; III, aVR, aVL and aVF are derived
// (Derived = true). Files may be UTF-16 or declare ISO-8859-1.
package muse

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"telewave/formats/ecg12"
	"telewave/formats/internal/xmltext"
)

// FormatName is the Record.Format of what Decode returns.
const FormatName = "GE MUSE XML"

// maxSamples bounds the samples of one file, both waveforms together.
const maxSamples = 64 << 20

// Decode reads a whole MUSE XML file. Errors wrap ecg12.ErrFormat and name
// the element at fault; no partial record is returned.
func Decode(data []byte) (*ecg12.Record, error) {
	text, err := xmltext.UTF8(data)
	if err != nil {
		return nil, fmt.Errorf("%w: MUSE: %v", ecg12.ErrFormat, err)
	}
	var doc xRestingECG
	dec := xml.NewDecoder(bytes.NewReader(text))
	dec.CharsetReader = xmltext.CharsetReader
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: MUSE xml: %w", ecg12.ErrFormat, err)
	}
	if doc.XMLName.Local != "RestingECG" {
		return nil, fmt.Errorf("%w: MUSE: root element %q, want RestingECG", ecg12.ErrFormat, doc.XMLName.Local)
	}
	rec, err := decodeDocument(&doc)
	if err != nil {
		return nil, fmt.Errorf("%w: MUSE: %w", ecg12.ErrFormat, err)
	}
	return rec, nil
}

func decodeDocument(doc *xRestingECG) (*ecg12.Record, error) {
	rec := &ecg12.Record{Format: FormatName}
	budget := maxSamples
	var haveRhythm, haveMedian bool
	for i := range doc.Waveforms {
		w := &doc.Waveforms[i]
		kind := strings.TrimSpace(w.Type)
		switch {
		case strings.EqualFold(kind, "Rhythm") && !haveRhythm:
			rate, leads, err := readWaveform(w, &budget)
			if err != nil {
				return nil, fmt.Errorf("Waveform %d (Rhythm): %w", i+1, err)
			}
			rec.SampleRate, rec.Leads, haveRhythm = rate, leads, true
			rec.DeriveLimbLeads()
		case strings.EqualFold(kind, "Median") && !haveMedian:
			rate, leads, err := readWaveform(w, &budget)
			if err != nil {
				return nil, fmt.Errorf("Waveform %d (Median): %w", i+1, err)
			}
			m := ecg12.Record{SampleRate: rate, Leads: leads}
			m.DeriveLimbLeads()
			if err := m.Validate(); err != nil {
				return nil, fmt.Errorf("Waveform %d (Median): %w", i+1, err)
			}
			rec.Median, rec.MedianRate, haveMedian = m.Leads, rate, true
		}
	}
	if !haveRhythm {
		return nil, fmt.Errorf("no Waveform with WaveformType Rhythm (%d waveforms)", len(doc.Waveforms))
	}
	if err := readDemographics(doc, rec); err != nil {
		return nil, err
	}
	var err error
	if rec.Measurements, err = readMeasurements(doc.Measurements.Fields, rec.MedianRate); err != nil {
		return nil, fmt.Errorf("RestingECGMeasurements: %w", err)
	}
	rec.Statements = joinStatements(doc.Diagnosis)
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	return rec, nil
}

func readDemographics(doc *xRestingECG, rec *ecg12.Record) error {
	p := doc.Patient
	rec.Patient = ecg12.Patient{
		ID:         strings.TrimSpace(p.ID),
		FamilyName: strings.TrimSpace(p.LastName),
		GivenName:  strings.TrimSpace(p.FirstName),
	}
	switch strings.ToUpper(strings.TrimSpace(p.Gender)) {
	case "MALE", "M":
		rec.Patient.Sex = "M"
	case "FEMALE", "F":
		rec.Patient.Sex = "F"
	case "UNKNOWN", "U":
		rec.Patient.Sex = "U"
	}
	if s := strings.TrimSpace(p.DateOfBirth); s != "" {
		d, err := parseDate(s)
		if err != nil {
			return fmt.Errorf("PatientDemographics/DateofBirth: %w", err)
		}
		rec.Patient.BirthDate = d
	}
	t := doc.Test
	rec.Device = ecg12.Device{
		Model:    strings.TrimSpace(t.Device),
		Serial:   strings.TrimSpace(t.CartNumber),
		Software: strings.TrimSpace(t.SoftwareVersion),
	}
	if s := strings.TrimSpace(t.Date); s != "" {
		d, err := parseDate(s)
		if err != nil {
			return fmt.Errorf("TestDemographics/AcquisitionDate: %w", err)
		}
		if s := strings.TrimSpace(t.Time); s != "" {
			c, err := parseClock(s)
			if err != nil {
				return fmt.Errorf("TestDemographics/AcquisitionTime: %w", err)
			}
			d = d.Add(c)
		}
		rec.Acquired = d
	}
	return nil
}

// parseDate reads MUSE's MM-DD-YYYY (and the ISO and slashed forms some
// exports use) as a UTC date.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"01-02-2006", "2006-01-02", "01/02/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: want MM-DD-YYYY", s)
}

// parseClock reads HH:MM[:SS] as the time since midnight; the zone is not
// in the file, so the acquisition is UTC wall-clock time like the other
// readers'.
func parseClock(s string) (time.Duration, error) {
	for _, layout := range []string{"15:04:05", "15:04"} {
		if c, err := time.Parse(layout, s); err == nil {
			return time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second, nil
		}
	}
	return 0, fmt.Errorf("time %q: want HH:MM:SS", s)
}
