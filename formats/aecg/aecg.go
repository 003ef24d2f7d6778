// Package aecg reads and writes HL7 v3 Annotated ECG (aECG) files, the
// XML format the FDA takes for ECGs from clinical trials and that Mortara,
// GE and Philips carts export.
//
// The reader takes the first RHYTHM series as the record's leads and its
// REPRESENTATIVE_BEAT derived series as the median beat. Each lead is an
// SLIST_PQ: value = origin + scale × digit. Counts are the digits, Scale is
// the scale in µV and Baseline = −origin/scale; an origin that is not a
// whole number of scale steps is rounded to the nearest step, a constant
// offset under half a step (the HL7 example and every cart seen use 0).
package aecg

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
const FormatName = "HL7 aECG"

// Namespace is the HL7 v3 XML namespace of an aECG.
const Namespace = "urn:hl7-org:v3"

// maxSamples bounds the samples of one file (all leads, both series).
const maxSamples = 64 << 20

// Decode reads a whole aECG file. Errors wrap ecg12.ErrFormat and name the
// series, sequence or annotation at fault; no partial record is returned.
// Leads come in standard order (I, II, III, aVR, aVL, aVF, V1–V6, others in
// file order), in the record and in its median.
func Decode(data []byte) (*ecg12.Record, error) {
	text, err := xmltext.UTF8(data)
	if err != nil {
		return nil, fmt.Errorf("%w: aECG: %v", ecg12.ErrFormat, err)
	}
	var doc xDocument
	dec := xml.NewDecoder(bytes.NewReader(text))
	dec.CharsetReader = xmltext.CharsetReader
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: aECG xml: %w", ecg12.ErrFormat, err)
	}
	if doc.XMLName.Local != "AnnotatedECG" {
		return nil, fmt.Errorf("%w: aECG: root element %q, want AnnotatedECG", ecg12.ErrFormat, doc.XMLName.Local)
	}
	rec, err := decodeDocument(&doc)
	if err != nil {
		return nil, fmt.Errorf("%w: aECG: %w", ecg12.ErrFormat, err)
	}
	return rec, nil
}

func decodeDocument(doc *xDocument) (*ecg12.Record, error) {
	var rhythm *xSeries
	for i := range doc.Series {
		if strings.EqualFold(doc.Series[i].Code.Code, "RHYTHM") {
			rhythm = &doc.Series[i]
			break
		}
	}
	if rhythm == nil {
		return nil, fmt.Errorf("no component/series with code RHYTHM (%d series)", len(doc.Series))
	}
	budget := maxSamples
	main, err := readSeries(rhythm, &budget)
	if err != nil {
		return nil, fmt.Errorf("series RHYTHM: %w", err)
	}
	rec := &ecg12.Record{Format: FormatName, SampleRate: main.rate, Leads: main.leads, Acquired: main.start}
	sets := rhythm.AnnotationSets
	for i := range rhythm.Derived {
		d := &rhythm.Derived[i]
		if !strings.EqualFold(d.Code.Code, "REPRESENTATIVE_BEAT") {
			continue
		}
		sets = append(sets, d.AnnotationSets...)
		if rec.Median != nil {
			continue
		}
		med, err := readSeries(d, &budget)
		if err != nil {
			return nil, fmt.Errorf("series REPRESENTATIVE_BEAT: %w", err)
		}
		if err := sameLength(med.leads); err != nil {
			return nil, fmt.Errorf("series REPRESENTATIVE_BEAT: %w", err)
		}
		m := ecg12.Record{Leads: med.leads}
		m.SortLeads()
		rec.Median, rec.MedianRate = m.Leads, med.rate
	}
	if rec.Acquired.IsZero() {
		rec.Acquired = firstTime(rhythm.EffectiveTime, doc.EffectiveTime)
	}
	if err := readPatient(&doc.TrialSubject, &rec.Patient); err != nil {
		return nil, err
	}
	a := rhythm.Author
	rec.Device = ecg12.Device{
		Manufacturer: strings.TrimSpace(a.Manufacturer),
		Model:        strings.TrimSpace(a.Device.Model),
		Serial:       a.Device.ID.Extension,
		Software:     strings.TrimSpace(a.Device.Software),
	}
	if err := readAnnotations(sets, rec); err != nil {
		return nil, err
	}
	rec.SortLeads()
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	return rec, nil
}

// firstTime is the first timestamp found in the intervals (low, then
// center, then value); zero when none parses.
func firstTime(ivs ...xInterval) (t time.Time) {
	for _, iv := range ivs {
		for _, s := range []string{iv.Low.Value, iv.Center.Value, iv.Value} {
			if s == "" {
				continue
			}
			if t, err := parseTS(s); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

func readPatient(ts *xTrialSubject, p *ecg12.Patient) error {
	p.ID = strings.TrimSpace(ts.ID.String())
	n := ts.Person.Name
	if len(n.Family) > 0 || len(n.Given) > 0 {
		p.FamilyName = strings.TrimSpace(strings.Join(n.Family, " "))
		p.GivenName = strings.TrimSpace(strings.Join(n.Given, " "))
	} else {
		p.FamilyName = strings.TrimSpace(n.Text)
	}
	switch strings.ToUpper(strings.TrimSpace(ts.Person.Gender.Code)) {
	case "M":
		p.Sex = "M"
	case "F":
		p.Sex = "F"
	case "UN", "U":
		p.Sex = "U"
	}
	if v := ts.Person.BirthTime.Value; v != "" {
		t, err := parseTS(v)
		if err != nil {
			return fmt.Errorf("subjectDemographicPerson/birthTime: %w", err)
		}
		p.BirthDate = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return nil
}
