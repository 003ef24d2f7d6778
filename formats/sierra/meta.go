package sierra

import (
	"math"
	"strconv"
	"strings"
	"time"

	"telewave/formats/ecg12"
)

func readPatient(doc *document, rec *ecg12.Record) {
	p := &doc.Patient
	rec.Patient.ID = strings.TrimSpace(p.ID)
	rec.Patient.FamilyName = strings.TrimSpace(p.Name.Last)
	rec.Patient.GivenName = strings.TrimSpace(p.Name.First)
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(p.BirthDate)); err == nil {
		rec.Patient.BirthDate = t
	}
	switch strings.ToLower(strings.TrimSpace(p.Sex)) {
	case "male", "m":
		rec.Patient.Sex = "M"
	case "female", "f":
		rec.Patient.Sex = "F"
	case "unspecified", "unknown", "u":
		rec.Patient.Sex = "U"
	}
}

// readDevice takes the cart from dataacquisition/machine, whose text is the
// model, machineid the cart's own id and detaildescription (1.04)
// "manufacturer:product number:software".
func readDevice(doc *document, rec *ecg12.Record) {
	a := &doc.Acquisition
	m := &a.Machine
	rec.Device = ecg12.Device{Manufacturer: "Philips", Model: strings.TrimSpace(m.Name), Serial: strings.TrimSpace(m.ID)}
	if parts := strings.Split(m.Detail, ":"); len(parts) == 3 {
		if s := strings.TrimSpace(parts[0]); s != "" {
			rec.Device.Manufacturer = s
		}
		rec.Device.Software = strings.TrimSpace(parts[2])
	}
	stamp := strings.TrimSpace(a.Date) + " " + strings.TrimSpace(a.Time)
	if t, err := time.Parse("2006-01-02 15:04:05", stamp); err == nil {
		rec.Acquired = t
	} else if t, err := time.Parse("2006-01-02", strings.TrimSpace(a.Date)); err == nil {
		rec.Acquired = t
	}
}

// measurementNames maps the cart's element names, in the 1.04 and 1.03
// spellings, to ecg12 measurement names and UCUM units.
var measurementNames = map[string]struct{ name, unit string }{
	"heartrate":    {"VentricularRate", "/min"},
	"meanventrate": {"VentricularRate", "/min"},
	"atrialrate":   {"AtrialRate", "/min"},
	"rrint":        {"RRInterval", "ms"},
	"meanrrint":    {"RRInterval", "ms"},
	"pdur":         {"PDuration", "ms"},
	"print":        {"PRInterval", "ms"},
	"meanprint":    {"PRInterval", "ms"},
	"qrsdur":       {"QRSDuration", "ms"},
	"meanqrsdur":   {"QRSDuration", "ms"},
	"qtint":        {"QTInterval", "ms"},
	"meanqtint":    {"QTInterval", "ms"},
	"qtcb":         {"QTc", "ms"},
	"meanqtc":      {"QTc", "ms"},
	"qtcf":         {"QTcF", "ms"},
	"pfrontaxis":   {"PAxis", "deg"},
	"qrsfrontaxis": {"QRSAxis", "deg"},
	"tfrontaxis":   {"TAxis", "deg"},
}

// readInterpretation takes the measurements and statements of the first
// interpretation, falling back to the measurement program's own global
// measurements when the interpretation has none.
func readInterpretation(doc *document, rec *ecg12.Record) {
	var sources []elements
	if len(doc.Interpretations) > 0 {
		in := &doc.Interpretations[0]
		sources = append(sources, in.Global, in.Measurements)
		for _, s := range in.Statements {
			left, right := oneLine(s.Left), oneLine(s.Right)
			switch {
			case left != "" && right != "":
				rec.Statements = append(rec.Statements, left+" ("+right+")")
			case left != "" || right != "":
				rec.Statements = append(rec.Statements, left+right)
			}
		}
		if sev := oneLine(in.Severity); sev != "" {
			rec.Statements = append(rec.Statements, sev)
		}
	}
	sources = append(sources, doc.CrossLead, doc.Measurements103)
	for _, src := range sources {
		if len(src.Items) == 0 {
			continue
		}
		seen := map[string]bool{}
		for _, it := range src.Items {
			m, ok := measurementNames[it.XMLName.Local]
			if !ok || seen[m.name] {
				continue
			}
			seen[m.name] = true
			v, err := strconv.ParseFloat(strings.TrimSpace(it.Value), 64)
			if err != nil || math.IsInf(v, 0) {
				v = math.NaN() // "Indeterminate", "Failed", empty
			}
			rec.Measurements = append(rec.Measurements, ecg12.Measurement{Name: m.name, Value: v, Unit: m.unit})
		}
		if len(rec.Measurements) > 0 {
			return
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
