package dicomecg

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"telewave/formats/ecg12"
)

// Limits of the 12-Lead ECG IOD (PS3.3 A.34.3.4, as remembered: up to 16384
// samples a channel at 200–1000 Hz); beyond them, or with other than 12
// leads or more than 16 s, Encode writes General ECG.
const (
	twelveLeadMaxSamples = 16384
	twelveLeadMinRate    = 200
	twelveLeadMaxRate    = 1000
	twelveLeadMaxSeconds = 16
)

// Encode writes rec as a DICOM Part 10 file in explicit VR little endian: a
// 12-Lead ECG Waveform Storage object (General ECG when the record is not
// 12 leads of at most 16 s at 200–1000 Hz) with new study, series and
// instance UIDs under 2.25. The modules written are Patient, General Study,
// General Series, General Equipment, Waveform Identification, Waveform (a
// RHYTHM group, and a MEDIAN BEAT group when rec has a median), Acquisition
// Context (empty), Waveform Annotation (measurements and statements) and
// SOP Common, in UTF-8 (ISO_IR 192).
//
// Samples must fit 16 bits (the IODs allow only 16-bit SS); text longer than
// its VR allows is cut, and Lead.Derived is not kept.
func Encode(rec *ecg12.Record) ([]byte, error) {
	return encode(rec, writer{})
}

func encode(rec *ecg12.Record, w writer) ([]byte, error) {
	ds, sop, instance, err := buildDataset(rec)
	if err != nil {
		return nil, fmt.Errorf("dicom encode: %w", err)
	}
	out, err := w.file(sop, instance, ds)
	if err != nil {
		return nil, fmt.Errorf("dicom encode: %w", err)
	}
	return out, nil
}

// buildDataset makes the data set of rec, its SOP class and instance UID.
func buildDataset(rec *ecg12.Record) (ds *dataset, sop, instance string, err error) {
	if rec == nil {
		return nil, "", "", fmt.Errorf("nil record")
	}
	if err := rec.Validate(); err != nil {
		return nil, "", "", err
	}
	if len(rec.Median) > 0 {
		med := ecg12.Record{Leads: rec.Median, SampleRate: rec.MedianRate}
		if err := med.Validate(); err != nil {
			return nil, "", "", fmt.Errorf("median beat: %w", err)
		}
	}
	sop = SOPGeneralECG
	if twelveLeadFits(rec) {
		sop = SOPTwelveLeadECG
	}
	var uids [3]string
	for i := range uids {
		if uids[i], err = newUID(); err != nil {
			return nil, "", "", err
		}
	}
	g, err := waveformGroup(rec.Leads, rec.SampleRate, "ORIGINAL", "RHYTHM")
	if err != nil {
		return nil, "", "", fmt.Errorf("rhythm: %w", err)
	}
	groups := []*dataset{g}
	if len(rec.Median) > 0 {
		g, err := waveformGroup(rec.Median, rec.MedianRate, "DERIVED", "MEDIAN BEAT")
		if err != nil {
			return nil, "", "", fmt.Errorf("median beat: %w", err)
		}
		groups = append(groups, g)
	}
	notes, err := annotationItems(rec)
	if err != nil {
		return nil, "", "", err
	}
	ds = &dataset{elems: []element{
		text(tagCharacterSet, "CS", "ISO_IR 192"),
		uid(tagSOPClass, sop),
		uid(tagSOPInstance, uids[2]),
		text(tagAccessionNumber, "SH", ""),
		text(tagModality, "CS", "ECG"),
		text(tagManufacturer, "LO", rec.Device.Manufacturer),
		text(tagReferringPhysician, "PN", ""),
		text(tagModelName, "LO", rec.Device.Model),
		text(tagPatientName, "PN", personName(rec.Patient)),
		text(tagPatientID, "LO", rec.Patient.ID),
		text(tagPatientBirthDate, "DA", formatDA(rec.Patient.BirthDate)),
		text(tagPatientSex, "CS", dicomSex(rec.Patient.Sex)),
		uid(tagStudyInstance, uids[0]),
		uid(tagSeriesInstance, uids[1]),
		text(tagStudyID, "SH", "1"),
		text(tagSeriesNumber, "IS", "1"),
		text(tagInstanceNumber, "IS", "1"),
		seq(tagAcquisitionContext),
		seq(tagWaveformSeq, groups...),
	}}
	if rec.Device.Serial != "" {
		ds.elems = append(ds.elems, text(tagDeviceSerial, "LO", rec.Device.Serial))
	}
	if rec.Device.Software != "" {
		ds.elems = append(ds.elems, text(tagSoftwareVersions, "LO", rec.Device.Software))
	}
	ds.elems = append(ds.elems, timeElements(rec.Acquired)...)
	if len(notes) > 0 {
		ds.elems = append(ds.elems, seq(tagAnnotationSeq, notes...))
	}
	return ds, sop, uids[2], nil
}

// twelveLeadFits reports whether rec fits the 12-Lead ECG IOD.
func twelveLeadFits(rec *ecg12.Record) bool {
	fits := func(leads []ecg12.Lead, rate float64) bool {
		n := len(leads[0].Samples)
		return rate >= twelveLeadMinRate && rate <= twelveLeadMaxRate && n <= twelveLeadMaxSamples &&
			float64(n)/rate <= twelveLeadMaxSeconds
	}
	return len(rec.Leads) == 12 && fits(rec.Leads, rec.SampleRate) &&
		(len(rec.Median) == 0 || fits(rec.Median, rec.MedianRate))
}

// waveformGroup is one Waveform Sequence item: channel definitions and the
// interleaved 16-bit samples.
func waveformGroup(leads []ecg12.Lead, rate float64, originality, label string) (*dataset, error) {
	n := len(leads[0].Samples)
	if n == 0 {
		return nil, fmt.Errorf("no samples")
	}
	if len(leads) > 0xFFFF || uint64(n) > math.MaxUint32 || uint64(n)*uint64(len(leads)) > maxSamples {
		return nil, fmt.Errorf("%d leads × %d samples is too large", len(leads), n)
	}
	defs := make([]*dataset, len(leads))
	for i, l := range leads {
		defs[i] = channelDefinition(l)
	}
	data := make([]byte, 0, 2*n*len(leads))
	for k := range n {
		for _, l := range leads {
			c := l.Samples[k]
			if c < math.MinInt16 || c > math.MaxInt16 {
				return nil, fmt.Errorf("lead %s sample %d is %d counts, outside 16 bits", l.Label, k, c)
			}
			data = binary.LittleEndian.AppendUint16(data, uint16(int16(c)))
		}
	}
	return item(
		text(tagOriginality, "CS", originality),
		us(tagNumChannels, uint16(len(leads))),
		ul(tagNumSamples, uint32(n)),
		text(tagSamplingFrequency, "DS", formatDS(rate)),
		text(tagMultiplexGroupLabel, "SH", label),
		seq(tagChannelDefSeq, defs...),
		us(tagBitsAllocated, 16),
		text(tagSampleInterpretation, "CS", "SS"),
		element{tag: tagWaveformData, vr: "OW", value: data},
	), nil
}

// channelDefinition writes a lead: its source code (MDC, with the SCPECG
// code as equivalent; a private code named by the label for leads without
// one), sensitivity = Scale µV, correction 1 and baseline = −Baseline ×
// Scale µV (the value of count 0).
func channelDefinition(l ecg12.Lead) *dataset {
	var src *dataset
	if lc, ok := leadByLabel(l.Label); ok {
		scp := codeItem("SCPECG", fmt.Sprintf("5.6.3-9-%d", lc.term), lc.scp, scpVersion)
		src = codeItem("MDC", fmt.Sprintf("2:%d", lc.term), lc.meaning, seq(tagEquivalentCodeSeq, scp))
	} else {
		src = codeItem(privateScheme, l.Label, l.Label)
	}
	base := -float64(l.Baseline) * l.Scale
	if base == 0 {
		base = 0 // not -0
	}
	return item(
		text(tagChannelLabel, "SH", l.Label),
		seq(tagChannelSourceSeq, src),
		text(tagChannelSensitivity, "DS", formatDS(l.Scale)),
		seq(tagChannelUnitsSeq, codeItem("UCUM", "uV", "microvolt")),
		text(tagChannelCorrection, "DS", "1"),
		text(tagChannelBaseline, "DS", formatDS(base)),
		text(tagChannelSampleSkew, "DS", "0"),
		us(tagWaveformBitsStored, 16),
	)
}

// scpVersion is the SCPECG coding scheme version DICOM's context groups
// name.
var scpVersion = text(tagCodingSchemeVersion, "SH", "1.3")

// annotationItems writes statements as free text and measurements as coded
// numeric values, all referring to every channel of group 1. A NaN value is
// written without Numeric Value.
func annotationItems(rec *ecg12.Record) ([]*dataset, error) {
	var out []*dataset
	all := us(tagReferencedChannels, 1, 0)
	for _, s := range rec.Statements {
		out = append(out, item(all, us(tagAnnotationGroup, 1), text(tagUnformattedText, "ST", s)))
	}
	for _, m := range rec.Measurements {
		if math.IsInf(m.Value, 0) {
			return nil, fmt.Errorf("measurement %s is %v", m.Name, m.Value)
		}
		name := codeItem(privateScheme, m.Name, m.Name)
		for _, c := range measureCodes {
			if c.name == m.Name {
				name = codeItem(c.scheme, c.value, c.meaning)
				if c.scheme == "SCPECG" {
					name.elems = append(name.elems, scpVersion)
				}
			}
		}
		it := item(all, us(tagAnnotationGroup, 2), seq(tagConceptNameSeq, name))
		if m.Unit != "" {
			it.elems = append(it.elems, seq(tagMeasurementUnitsSeq, codeItem("UCUM", m.Unit, unitMeaning(m.Unit))))
		}
		if !math.IsNaN(m.Value) {
			it.elems = append(it.elems, text(tagNumericValue, "DS", formatDS(m.Value)))
		}
		out = append(out, it)
	}
	return out, nil
}

// timeElements writes the acquisition time as Study, Content and
// Acquisition date/time (empty when unknown), with the zone offset when it
// is not UTC.
func timeElements(t time.Time) []element {
	if t.IsZero() {
		return []element{
			text(tagStudyDate, "DA", ""), text(tagStudyTime, "TM", ""),
			text(tagContentDate, "DA", ""), text(tagContentTime, "TM", ""),
			text(tagAcquisitionDateTime, "DT", ""),
		}
	}
	clock := t.Format("150405")
	if ns := t.Nanosecond(); ns != 0 {
		clock += fmt.Sprintf(".%06d", ns/1000)
	}
	out := []element{
		text(tagStudyDate, "DA", formatDA(t)), text(tagStudyTime, "TM", clock),
		text(tagContentDate, "DA", formatDA(t)), text(tagContentTime, "TM", clock),
		text(tagAcquisitionDateTime, "DT", formatDT(t)),
	}
	if t.Location() != time.UTC {
		out = append(out, text(tagTimezoneOffset, "SH", t.Format("-0700")))
	}
	return out
}

func formatDA(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("20060102")
}

// personName writes Family^Given; the separators may not appear inside.
func personName(p ecg12.Patient) string {
	clean := strings.NewReplacer("^", " ", "=", " ").Replace
	s := clean(p.FamilyName)
	if p.GivenName != "" {
		s += "^" + clean(p.GivenName)
	}
	return s
}

func dicomSex(s string) string {
	switch s {
	case "M", "F":
		return s
	case "U":
		return "O"
	}
	return ""
}
