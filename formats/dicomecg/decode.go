package dicomecg

import (
	"fmt"
	"math"
	"strings"
	"time"

	"telewave/formats/ecg12"
)

// Decode reads a DICOM Part 10 file holding a 12-lead, general or
// ambulatory ECG waveform object. Errors wrap ecg12.ErrFormat (and
// ErrUnsupported for encodings it does not read) and name the element and
// offset at fault; on error the record is nil.
func Decode(data []byte) (*ecg12.Record, error) {
	f, err := parseFile(data)
	if err != nil {
		return nil, fmt.Errorf("dicom: %w", err)
	}
	rec, err := decodeRecord(f.ds)
	if err != nil {
		return nil, fmt.Errorf("dicom: %w", err)
	}
	return rec, nil
}

func decodeRecord(ds *dataset) (*ecg12.Record, error) {
	v := newValues(ds)
	rec := &ecg12.Record{}
	switch sop := trimUID(valueOf(ds, tagSOPClass)); sop {
	case SOPTwelveLeadECG:
		rec.Format = FormatTwelveLead
	case SOPGeneralECG, "":
		rec.Format = FormatGeneral
	case SOPAmbulatoryECG:
		rec.Format = FormatAmbulatory
	default:
		return nil, formatErr("SOP class %s %s is not an ECG waveform", tagSOPClass, sop)
	}
	groups, err := v.multiplexes(ds)
	if err != nil {
		return nil, err
	}
	r := pickRhythm(groups)
	if rec.Leads, err = v.leads(groups[r]); err != nil {
		return nil, fmt.Errorf("waveform group %d (%s): %w", groups[r].index, groups[r].label, err)
	}
	rec.SampleRate = groups[r].rate
	if m := pickMedian(groups, r); m >= 0 {
		if rec.Median, err = v.leads(groups[m]); err != nil {
			return nil, fmt.Errorf("waveform group %d (%s): %w", groups[m].index, groups[m].label, err)
		}
		rec.MedianRate = groups[m].rate
	}
	if onlyIndependentLeads(rec.Leads) {
		rec.DeriveLimbLeads()
	}
	if err := v.demographics(ds, rec); err != nil {
		return nil, err
	}
	if err := v.annotations(ds, rec); err != nil {
		return nil, err
	}
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	if len(rec.Median) > 0 {
		med := ecg12.Record{Leads: rec.Median, SampleRate: rec.MedianRate}
		if err := med.Validate(); err != nil {
			return nil, fmt.Errorf("median beat: %w", err)
		}
	}
	return rec, nil
}

func valueOf(ds *dataset, t tag) []byte {
	if e := ds.find(t); e != nil {
		return e.value
	}
	return nil
}

// onlyIndependentLeads reports whether the leads are exactly I, II and
// V1–V6, the eight a cart may store without the limb leads it can derive.
func onlyIndependentLeads(leads []ecg12.Lead) bool {
	want := map[string]bool{"I": true, "II": true, "V1": true, "V2": true, "V3": true, "V4": true, "V5": true, "V6": true}
	if len(leads) != len(want) {
		return false
	}
	for _, l := range leads {
		if !want[l.Label] {
			return false
		}
		delete(want, l.Label)
	}
	return true
}

// demographics fills patient, device and acquisition time.
func (v values) demographics(ds *dataset, rec *ecg12.Record) error {
	rec.Patient.FamilyName, rec.Patient.GivenName = splitPN(v.text(ds, tagPatientName))
	rec.Patient.ID = v.text(ds, tagPatientID)
	if s := v.text(ds, tagPatientBirthDate); s != "" {
		d, err := parseDA(s)
		if err != nil {
			return formatErr("Patient's Birth Date %s: %v", tagPatientBirthDate, err)
		}
		rec.Patient.BirthDate = d
	}
	switch s := strings.ToUpper(v.text(ds, tagPatientSex)); s {
	case "M", "F":
		rec.Patient.Sex = s
	case "O":
		rec.Patient.Sex = "U"
	}
	rec.Device = ecg12.Device{
		Manufacturer: v.text(ds, tagManufacturer),
		Model:        v.text(ds, tagModelName),
		Serial:       v.text(ds, tagDeviceSerial),
		Software:     v.text(ds, tagSoftwareVersions),
	}
	loc := time.UTC
	if z := v.text(ds, tagTimezoneOffset); z != "" {
		l, err := parseOffset(z)
		if err != nil {
			return formatErr("Timezone Offset From UTC %s: %v", tagTimezoneOffset, err)
		}
		loc = l
	}
	if s := v.text(ds, tagAcquisitionDateTime); s != "" {
		t, err := parseDT(s, loc)
		if err != nil {
			return formatErr("Acquisition DateTime %s: %v", tagAcquisitionDateTime, err)
		}
		rec.Acquired = t
		return nil
	}
	for _, p := range [][2]tag{{tagAcquisitionDate, tagAcquisitionTime}, {tagContentDate, tagContentTime}} {
		d := strings.ReplaceAll(v.text(ds, p[0]), ".", "") // old YYYY.MM.DD
		if d == "" {
			continue
		}
		t, err := parseDT(d+v.text(ds, p[1]), loc)
		if err != nil {
			return formatErr("date %s and time %s: %v", p[0], p[1], err)
		}
		rec.Acquired = t
		return nil
	}
	return nil
}

// annotations reads the Waveform Annotation Sequence: free text becomes a
// statement, a coded concept (Concept Code Sequence) a statement of its
// meaning, and a named numeric value that points at no time a measurement.
// Annotations of points in time (fiducials) are skipped.
func (v values) annotations(ds *dataset, rec *ecg12.Record) error {
	for i, it := range ds.items(tagAnnotationSeq) {
		if s := v.text(it, tagUnformattedText); s != "" {
			rec.Statements = append(rec.Statements, s)
			continue
		}
		if it.find(tagTemporalRangeType) != nil || it.find(tagReferencedSamplePos) != nil ||
			it.find(tagReferencedTimeOffs) != nil || it.find(tagReferencedDateTime) != nil {
			continue
		}
		if c := v.code(it.first(tagConceptCodeSeq)); c.meaning != "" {
			rec.Statements = append(rec.Statements, c.meaning)
			continue
		}
		name := v.code(it.first(tagConceptNameSeq))
		if name == (code{}) {
			continue
		}
		m := ecg12.Measurement{Name: measurementName(name), Value: math.NaN()}
		val, ok, err := v.float(it, tagNumericValue)
		if err != nil {
			return fmt.Errorf("annotation %d (%s): %w", i+1, m.Name, err)
		}
		if ok {
			m.Value = val
		}
		m.Unit = normalizeUnit(v.code(it.first(tagMeasurementUnitsSeq)).value)
		rec.Measurements = append(rec.Measurements, m)
	}
	return nil
}
