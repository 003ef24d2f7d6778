package masimo

import (
	"fmt"

	"telewave/devices"
)

// EXC bits (exceptions) of the ASCII 1 line.
const (
	ExcNoSensor      uint32 = 0x001
	ExcDefective     uint32 = 0x002
	ExcLowPerfusion  uint32 = 0x004
	ExcPulseSearch   uint32 = 0x008
	ExcInterference  uint32 = 0x010
	ExcSensorOff     uint32 = 0x020
	ExcAmbientLight  uint32 = 0x040
	ExcUnrecognized  uint32 = 0x080
	ExcLowSIQ        uint32 = 0x400
	ExcSET           uint32 = 0x800 // Masimo SET processing: no fault
	excNoMeasurement        = ExcNoSensor | ExcDefective | ExcSensorOff | ExcUnrecognized
	excQuestionable         = ExcLowPerfusion | ExcPulseSearch | ExcInterference | ExcAmbientLight | ExcLowSIQ
)

// excEvents names each EXC bit's event, in bit order; ExcSET raises none.
var excEvents = []struct {
	bit  uint32
	code string
	text string
	prio devices.Priority
}{
	{ExcNoSensor, devices.EventSensorOff, "no sensor connected", devices.Low},
	{ExcDefective, "sensor-defective", "defective sensor", devices.Medium},
	{ExcLowPerfusion, "low-perfusion", "low perfusion", devices.Low},
	{ExcPulseSearch, "pulse-search", "searching for a pulse", devices.Info},
	{ExcInterference, "interference", "interference detected", devices.Low},
	{ExcSensorOff, devices.EventSensorOff, "sensor off the patient", devices.Low},
	{ExcAmbientLight, "ambient-light", "too much ambient light", devices.Low},
	{ExcUnrecognized, "unrecognized-sensor", "unrecognized sensor", devices.Medium},
	{ExcLowSIQ, "low-signal-iq", "low signal IQ", devices.Info},
}

// Not numerics: the serial number, the alarm and exception flags.
var notNumeric = map[string]bool{"SN": true, "ALARM": true, "EXC": true, "EXC1": true}

// known maps the keys with a meaning to their label, unit and MDC code.
var known = map[string]struct {
	label string
	unit  string
	code  uint32
}{
	"SPO2":    {"SpO2", "%", devices.MDCPulsOximSatO2},
	"BPM":     {"PR", "/min", devices.MDCPulsOximPulsRt},
	"PI":      {"PI", "%", devices.MDCPulsOximPerfRel},
	"SPCO":    {"SpCO", "%", 0},
	"SPMET":   {"SpMet", "%", 0},
	"DESAT":   {"Desat", "%", 0},
	"PIDELTA": {"PI delta", "%", 0},
	"PVI":     {"PVI", "%", 0},
	"SPHB":    {"SpHb", "g/dL", 0},
	"SPOC":    {"SpOC", "mL/dL", 0},
}

// LineNumerics returns the numerics of a line in line order, without
// times: every field but SN, ALARM, EXC and EXC1 whose value is a number
// or dashes. Keys without an MDC code (SpCO, SpMet, PVI, SpHb, …, and keys
// this package does not know) come with Code 0 and RawCode set to the key;
// unknown keys take the key as their label and "%" or "1" as unit. Dashes
// make a value unavailable, as does an EXC saying there is no usable
// sensor; a poor-signal EXC makes the values questionable.
func LineNumerics(l Line) []devices.Numeric {
	exc := l.Hex("EXC")
	var out []devices.Numeric
	for _, f := range l.Fields {
		if notNumeric[f.Key] {
			continue
		}
		v, ok := ParseValue(f.Raw)
		if !ok {
			continue
		}
		k, isKnown := known[f.Key]
		if !isKnown {
			k.label, k.unit = f.Key, "1"
			if v.Percent {
				k.unit = "%"
			}
		}
		st := devices.Valid
		switch {
		case v.Invalid || exc&excNoMeasurement != 0:
			st = devices.Unavailable
		case exc&excQuestionable != 0:
			st = devices.QuestionableValue
		}
		out = append(out, devices.Numeric{Code: k.code, Label: k.label, Value: v.V, Unit: k.unit, Status: st, RawCode: f.Key})
	}
	return out
}

// excText describes EXC bits this package does not name.
func excText(bits uint32) string { return fmt.Sprintf("exception bits %06X", bits) }
