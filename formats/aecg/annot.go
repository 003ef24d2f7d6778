package aecg

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"telewave/formats/ecg12"
)

// mdcMeasurements pairs the MDC codes of global measurements with the
// names every reader in formats/ uses. Codes not listed keep their MDC code
// as the name, and Encode writes such names back as codes.
var mdcMeasurements = []struct{ code, name string }{
	{"MDC_ECG_HEART_RATE", "VentricularRate"},
	{"MDC_ECG_TIME_PD_PR", "PRInterval"},
	{"MDC_ECG_TIME_PD_QRS", "QRSDuration"},
	{"MDC_ECG_TIME_PD_QT", "QTInterval"},
	{"MDC_ECG_TIME_PD_QTc", "QTc"},
	{"MDC_ECG_TIME_PD_P", "PDuration"},
	{"MDC_ECG_TIME_PD_RR", "RRInterval"},
	{"MDC_ECG_TIME_PD_PP", "PPInterval"},
	{"MDC_ECG_ANGLE_P_FRONT", "PAxis"},
	{"MDC_ECG_ANGLE_QRS_FRONT", "QRSAxis"},
	{"MDC_ECG_ANGLE_T_FRONT", "TAxis"},
}

func measurementName(code string) string {
	for _, m := range mdcMeasurements {
		if m.code == code {
			return m.name
		}
	}
	for _, m := range mdcMeasurements {
		if strings.EqualFold(m.code, code) {
			return m.name
		}
	}
	return code
}

func measurementCode(name string) string {
	for _, m := range mdcMeasurements {
		if m.name == name {
			return m.code
		}
	}
	return name
}

// interpretation codes carry the cart's or reader's statements.
const (
	interpretationCode = "MDC_ECG_INTERPRETATION"
	statementCode      = "MDC_ECG_INTERPRETATION_STATEMENT"
	rhythmCode         = "MDC_ECG_RHY"
)

// readAnnotations fills the record's measurements and statements from the
// annotation sets, in file order. Global measurements are PQ-valued
// annotations (MDC or the vendor's own codes) outside beats (MDC_ECG_BEAT…) and not bound to one lead; the
// first of each name is kept, since carts repeat them per beat and per
// series. Statements are the text (ST) or display name (CE) of
// MDC_ECG_INTERPRETATION… annotations and of rhythm statements (MDC_ECG_RHY).
func readAnnotations(sets []xAnnotationSet, rec *ecg12.Record) error {
	seen := map[string]bool{}
	var walk func(path string, a *xAnnotation) error
	walk = func(path string, a *xAnnotation) error {
		code := strings.TrimSpace(a.Code.Code)
		upper := strings.ToUpper(code)
		if strings.HasPrefix(upper, "MDC_ECG_BEAT") || strings.HasPrefix(upper, "MDC_ECG_WAVC") || boundToLead(a) {
			return nil
		}
		v := &a.Value
		switch kind := v.kind(); {
		case kind == "PQ" && code != "":
			m, err := measurement(code, v)
			if err != nil {
				return fmt.Errorf("%s %s: %w", path, code, err)
			}
			if !seen[m.Name] {
				seen[m.Name] = true
				rec.Measurements = append(rec.Measurements, m)
			}
		case strings.HasPrefix(upper, interpretationCode) || upper == rhythmCode:
			text := strings.TrimSpace(v.Text)
			if kind == "CE" || kind == "CD" {
				text = strings.TrimSpace(v.DisplayName)
				if text == "" {
					text = strings.TrimSpace(v.Code)
				}
			}
			if text != "" && kind != "PQ" {
				rec.Statements = append(rec.Statements, strings.Join(strings.Fields(text), " "))
			}
		}
		for k := range a.Annotations {
			if err := walk(fmt.Sprintf("%s/annotation %d", path, k+1), &a.Annotations[k]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range sets {
		for k := range sets[i].Annotations {
			if err := walk(fmt.Sprintf("annotationSet %d annotation %d", i+1, k+1), &sets[i].Annotations[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

func boundToLead(a *xAnnotation) bool {
	for _, c := range a.Support {
		if strings.HasPrefix(strings.ToUpper(c.Code), leadPrefix) {
			return true
		}
	}
	return false
}

// unitNames maps the units carts write to UCUM.
var unitNames = map[string]string{"bpm": "/min", "1/min": "/min", "beats/min": "/min", "degrees": "deg"}

func measurement(code string, v *xValue) (ecg12.Measurement, error) {
	m := ecg12.Measurement{Name: measurementName(code), Unit: strings.TrimSpace(v.Unit), Value: math.NaN()}
	if u, ok := unitNames[strings.ToLower(m.Unit)]; ok {
		m.Unit = u
	}
	if v.NullFlavor != "" || strings.TrimSpace(v.Value) == "" {
		return m, nil
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return m, fmt.Errorf("value %q: not a number", v.Value)
	}
	if m.Unit == "s" {
		x, m.Unit = x*1000, "ms"
	}
	m.Value = x
	return m, nil
}
