package muse

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"telewave/formats/ecg12"
)

// museMeasurements maps RestingECGMeasurements elements to the names and
// UCUM units every reader in formats/ uses. onset marks the fiducial
// points MUSE gives in samples of the median beat at ECGSampleBase; the
// reader turns them into ms from the median's start.
var museMeasurements = map[string]struct {
	name, unit string
	onset      bool
}{
	"VentricularRate": {"VentricularRate", "/min", false},
	"AtrialRate":      {"AtrialRate", "/min", false},
	"PRInterval":      {"PRInterval", "ms", false},
	"QRSDuration":     {"QRSDuration", "ms", false},
	"QTInterval":      {"QTInterval", "ms", false},
	"QTCorrected":     {"QTc", "ms", false},
	"QTcFrederica":    {"QTcFridericia", "ms", false},
	"PAxis":           {"PAxis", "deg", false},
	"RAxis":           {"QRSAxis", "deg", false},
	"TAxis":           {"TAxis", "deg", false},
	"QRSCount":        {"QRSCount", "", false},
	"POnset":          {"POnset", "ms", true},
	"POffset":         {"POffset", "ms", true},
	"QOnset":          {"QOnset", "ms", true},
	"QOffset":         {"QOffset", "ms", true},
	"TOffset":         {"TOffset", "ms", true},
}

// readMeasurements keeps the listed elements, in file order; an empty one
// is a measurement not made (NaN). Other numeric elements keep their MUSE
// name without a unit; ECGSampleBase and ECGSampleExponent only scale the
// fiducial points.
func readMeasurements(fields []xField, medianRate float64) ([]ecg12.Measurement, error) {
	rate := medianRate
	var base, exp float64
	for _, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f.Value), 64)
		switch f.XMLName.Local {
		case "ECGSampleBase":
			if err != nil || !(v > 0) || v > 1e6 {
				return nil, fmt.Errorf("ECGSampleBase %q: not a sampling rate", f.Value)
			}
			base = v
		case "ECGSampleExponent":
			if err != nil || v < -3 || v > 3 {
				return nil, fmt.Errorf("ECGSampleExponent %q: not an exponent within ±3", f.Value)
			}
			exp = v
		}
	}
	if base > 0 {
		rate = base * math.Pow(10, exp)
	}
	var out []ecg12.Measurement
	for _, f := range fields {
		tag := f.XMLName.Local
		if tag == "ECGSampleBase" || tag == "ECGSampleExponent" {
			continue
		}
		s := strings.TrimSpace(f.Value)
		v, err := strconv.ParseFloat(s, 64)
		if err == nil && (math.IsInf(v, 0) || math.IsNaN(v)) {
			err = fmt.Errorf("not finite")
		}
		known, ok := museMeasurements[tag]
		switch {
		case !ok && err != nil:
			continue // text MUSE adds that is not a measurement
		case !ok:
			out = append(out, ecg12.Measurement{Name: tag, Value: v})
		case s == "":
			out = append(out, ecg12.Measurement{Name: known.name, Value: math.NaN(), Unit: known.unit})
		case err != nil:
			return nil, fmt.Errorf("%s %q: not a number", tag, f.Value)
		case known.onset:
			if !(rate > 0) {
				continue // no rate to turn samples into ms
			}
			out = append(out, ecg12.Measurement{Name: known.name, Value: v * 1000 / rate, Unit: known.unit})
		default:
			out = append(out, ecg12.Measurement{Name: known.name, Value: v, Unit: known.unit})
		}
	}
	return out, nil
}

// joinStatements turns MUSE diagnosis fragments into lines: a fragment
// without the ENDSLINE flag continues on the next one (MUSE prints
// "Anterior infarct" and ", age undetermined" as one line).
func joinStatements(stmts []xStatement) []string {
	var out []string
	line := ""
	for _, s := range stmts {
		text := strings.Join(strings.Fields(s.Text), " ")
		switch {
		case text == "":
		case line == "":
			line = text
		case strings.ContainsRune(",.;:)", rune(text[0])):
			line += text
		default:
			line += " " + text
		}
		for _, f := range s.Flags {
			if strings.EqualFold(strings.TrimSpace(f), "ENDSLINE") && line != "" {
				out = append(out, line)
				line = ""
			}
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}
