package aecg

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"telewave/formats/ecg12"
)

// HL7 code systems the writer names.
const (
	actCodeSystem = "2.16.840.1.113883.5.4"
	mdcCodeSystem = "2.16.840.1.113883.6.24"
	sexCodeSystem = "2.16.840.1.113883.5.1"
)

// digitsPerLine is how many digits Encode writes on one line.
const digitsPerLine = 20

// Encode writes rec as an aECG: one RHYTHM series with a TIME_ABSOLUTE
// GLIST_TS (TIME_RELATIVE GLIST_PQ when rec.Acquired is zero) and an
// SLIST_PQ per lead (digits = counts, scale = Scale µV, origin =
// −Baseline × Scale µV); the median as a REPRESENTATIVE_BEAT derived
// series; patient, device and effective time; measurements as MDC
// annotations and statements as MDC_ECG_INTERPRETATION_STATEMENT text.
// Derived leads are written like stored ones. Decode(Encode(rec)) gives
// rec back, leads in standard order.
func Encode(rec *ecg12.Record) ([]byte, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: aECG encode: no record", ecg12.ErrFormat)
	}
	if err := rec.Validate(); err != nil {
		return nil, fmt.Errorf("aECG encode: %w", err)
	}
	if len(rec.Median) > 0 {
		if err := sameLength(rec.Median); err != nil {
			return nil, fmt.Errorf("%w: aECG encode: median: %w", ecg12.ErrFormat, err)
		}
		if !(rec.MedianRate > 0) || math.IsInf(rec.MedianRate, 0) {
			return nil, fmt.Errorf("%w: aECG encode: median rate %v", ecg12.ErrFormat, rec.MedianRate)
		}
	}
	for _, m := range rec.Measurements {
		if strings.TrimSpace(m.Name) == "" || math.IsInf(m.Value, 0) {
			return nil, fmt.Errorf("%w: aECG encode: measurement %q = %v", ecg12.ErrFormat, m.Name, m.Value)
		}
	}
	w := &xmlWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.start("AnnotatedECG", "xmlns", Namespace, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance", "classCode", "OBS", "moodCode", "EVN")
	w.empty("id", "root", documentID(rec))
	w.empty("code", "code", "93000", "codeSystem", "2.16.840.1.113883.6.12", "codeSystemName", "CPT-4")
	writeInterval(w, "effectiveTime", rec.Acquired, rec.Duration())
	writeSubject(w, rec)
	w.start("component")
	w.start("series")
	w.empty("code", "code", "RHYTHM", "codeSystem", actCodeSystem, "displayName", "Rhythm Waveforms")
	writeInterval(w, "effectiveTime", rec.Acquired, rec.Duration())
	writeAuthor(w, rec.Device)
	writeSequences(w, rec.SampleRate, rec.Acquired, rec.Leads)
	writeAnnotations(w, rec)
	if len(rec.Median) > 0 {
		w.start("derivation")
		w.start("derivedSeries")
		w.empty("code", "code", "REPRESENTATIVE_BEAT", "codeSystem", actCodeSystem, "displayName", "Representative Beat Waveforms")
		writeSequences(w, rec.MedianRate, time.Time{}, rec.Median)
		w.end("derivedSeries")
		w.end("derivation")
	}
	w.end("series")
	w.end("component")
	w.end("AnnotatedECG")
	return w.b.Bytes(), nil
}

// documentID is a name-based UUID of the samples and acquisition time, so
// that encoding the same record twice gives the same file.
func documentID(rec *ecg12.Record) string {
	h := sha256.New()
	h.Write([]byte(rec.Acquired.UTC().Format(time.RFC3339Nano)))
	buf := make([]byte, 0, 4096)
	for _, l := range rec.Leads {
		h.Write([]byte(l.Label))
		for _, c := range l.Samples {
			if buf = binary.LittleEndian.AppendUint32(buf, uint32(c)); len(buf) == cap(buf) {
				h.Write(buf)
				buf = buf[:0]
			}
		}
	}
	h.Write(buf)
	s := h.Sum(nil)
	s[6] = s[6]&0x0F | 0x50
	s[8] = s[8]&0x3F | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

func writeInterval(w *xmlWriter, name string, start time.Time, d time.Duration) {
	if start.IsZero() {
		w.empty(name, "nullFlavor", "NI")
		return
	}
	w.start(name)
	w.empty("low", "value", formatTS(start), "inclusive", "true")
	w.empty("high", "value", formatTS(start.Add(d)), "inclusive", "false")
	w.end(name)
}

func writeSubject(w *xmlWriter, rec *ecg12.Record) {
	p := rec.Patient
	w.start("componentOf")
	w.start("timepointEvent")
	w.empty("code", "code", "UNSCHEDULED", "codeSystem", "2.16.840.1.113883.3.5", "displayName", "Resting ECG")
	w.start("componentOf")
	w.start("subjectAssignment")
	w.start("subject")
	w.start("trialSubject")
	if p.ID != "" {
		w.empty("id", "root", "2.16.840.1.113883.3.5", "extension", p.ID)
	} else {
		w.empty("id", "nullFlavor", "NI")
	}
	w.start("subjectDemographicPerson")
	if p.FamilyName != "" || p.GivenName != "" {
		w.start("name")
		w.text("given", p.GivenName)
		w.text("family", p.FamilyName)
		w.end("name")
	}
	if sex := map[string]string{"M": "M", "F": "F", "U": "UN"}[p.Sex]; sex != "" {
		w.empty("administrativeGenderCode", "code", sex, "codeSystem", sexCodeSystem)
	}
	if !p.BirthDate.IsZero() {
		w.empty("birthTime", "value", p.BirthDate.Format("20060102"))
	}
	w.end("subjectDemographicPerson")
	w.end("trialSubject")
	w.end("subject")
	w.start("componentOf")
	w.start("clinicalTrial")
	w.empty("id", "root", "2.16.840.1.113883.3.5", "extension", "TELEWAVE")
	w.end("clinicalTrial")
	w.end("componentOf")
	w.end("subjectAssignment")
	w.end("componentOf")
	w.end("timepointEvent")
	w.end("componentOf")
}

func writeAuthor(w *xmlWriter, d ecg12.Device) {
	w.start("author")
	w.start("seriesAuthor")
	w.start("manufacturedSeriesDevice")
	if d.Serial != "" {
		w.empty("id", "extension", d.Serial)
	} else {
		w.empty("id", "nullFlavor", "NI")
	}
	w.text("manufacturerModelName", d.Model)
	w.text("softwareName", d.Software)
	w.end("manufacturedSeriesDevice")
	if d.Manufacturer != "" {
		w.start("manufacturerOrganization")
		w.text("name", d.Manufacturer)
		w.end("manufacturerOrganization")
	}
	w.end("seriesAuthor")
	w.end("author")
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func writeSequences(w *xmlWriter, rate float64, start time.Time, leads []ecg12.Lead) {
	w.start("component")
	w.start("sequenceSet")
	w.start("component")
	w.start("sequence")
	inc := num(1 / rate)
	if start.IsZero() {
		w.empty("code", "code", "TIME_RELATIVE", "codeSystem", actCodeSystem, "displayName", "Relative Time")
		w.start("value", "xsi:type", "GLIST_PQ")
		w.empty("head", "value", "0", "unit", "s")
	} else {
		w.empty("code", "code", "TIME_ABSOLUTE", "codeSystem", actCodeSystem, "displayName", "Absolute Time")
		w.start("value", "xsi:type", "GLIST_TS")
		w.empty("head", "value", formatTS(start))
	}
	w.empty("increment", "value", inc, "unit", "s")
	w.end("value")
	w.end("sequence")
	w.end("component")
	for _, l := range leads {
		w.start("component")
		w.start("sequence")
		w.empty("code", "code", leadCode(l.Label), "codeSystem", mdcCodeSystem, "codeSystemName", "MDC")
		w.start("value", "xsi:type", "SLIST_PQ")
		w.empty("origin", "value", num(-float64(l.Baseline)*l.Scale), "unit", "uV")
		w.empty("scale", "value", num(l.Scale), "unit", "uV")
		w.indent()
		w.b.WriteString("<digits>")
		var digit []byte
		for k, c := range l.Samples {
			if k > 0 {
				if k%digitsPerLine == 0 {
					w.b.WriteByte('\n')
				} else {
					w.b.WriteByte(' ')
				}
			}
			digit = strconv.AppendInt(digit[:0], int64(c), 10)
			w.b.Write(digit)
		}
		w.b.WriteString("</digits>\n")
		w.end("value")
		w.end("sequence")
		w.end("component")
	}
	w.end("sequenceSet")
	w.end("component")
}

func writeAnnotations(w *xmlWriter, rec *ecg12.Record) {
	if len(rec.Measurements) == 0 && len(rec.Statements) == 0 {
		return
	}
	w.start("subjectOf")
	w.start("annotationSet")
	for _, m := range rec.Measurements {
		w.start("component")
		w.start("annotation")
		if code := measurementCode(m.Name); strings.HasPrefix(code, "MDC_") {
			w.empty("code", "code", code, "codeSystem", mdcCodeSystem, "codeSystemName", "MDC")
		} else {
			w.empty("code", "code", code)
		}
		if math.IsNaN(m.Value) {
			w.empty("value", "xsi:type", "PQ", "nullFlavor", "NA", "unit", m.Unit)
		} else {
			w.empty("value", "xsi:type", "PQ", "value", num(m.Value), "unit", m.Unit)
		}
		w.end("annotation")
		w.end("component")
	}
	if len(rec.Statements) > 0 {
		w.start("component")
		w.start("annotation")
		w.empty("code", "code", interpretationCode, "codeSystem", mdcCodeSystem, "codeSystemName", "MDC")
		for _, s := range rec.Statements {
			w.start("component")
			w.start("annotation")
			w.empty("code", "code", statementCode, "codeSystem", mdcCodeSystem, "codeSystemName", "MDC")
			w.text("value", s, "xsi:type", "ST")
			w.end("annotation")
			w.end("component")
		}
		w.end("annotation")
		w.end("component")
	}
	w.end("annotationSet")
	w.end("subjectOf")
}
