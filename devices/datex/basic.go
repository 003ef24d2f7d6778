package datex

import (
	"fmt"

	"telewave/devices"
)

// Value flags: a value at or below FlagLimit is not a measurement.
const (
	FlagLimit         int16 = -32001
	FlagInvalid       int16 = -32767
	FlagNotUpdated    int16 = -32766
	FlagDiscontinuity int16 = -32765
	FlagUnderRange    int16 = -32764
	FlagOverRange     int16 = -32763
	FlagNotCalibrated int16 = -32762
)

// Event codes the driver adds for flagged values.
const (
	EventUnderRange    = "under-range"
	EventOverRange     = "over-range"
	EventNotCalibrated = "not-calibrated"
)

// MDC codes this package maps values and waves to (ISO/IEEE 11073-10101).
const (
	mdcPressBldSys      uint32 = 150017 // invasive, site unspecified
	mdcPressBldDia      uint32 = 150018
	mdcPressBldMean     uint32 = 150019
	mdcPressBld         uint32 = 150016
	mdcNIBPSys          uint32 = 150021
	mdcNIBPDia          uint32 = 150022
	mdcNIBPMean         uint32 = 150023
	mdcPulsRateNonInv   uint32 = 149546
	mdcBldPulsRateInv   uint32 = 149522
	mdcTemp             uint32 = 150344
	mdcTThorRespRate    uint32 = 151578
	mdcConcAwayCO2      uint32 = 151700
	mdcConcAwayCO2ET    uint32 = 151708
	mdcConcAwayCO2Insp  uint32 = 151716
	mdcCO2RespRate      uint32 = 151594
	mdcAwayO2Insp       uint32 = 151752
	mdcVentRespRate     uint32 = 151586
	mdcPulsOximSatO2    uint32 = devices.MDCPulsOximSatO2
	mdcPulsOximPulsRate uint32 = devices.MDCPulsOximPulsRt
)

// Field is one value of a basic-class group: its name, the clinician's
// label, its MDC code (0 when there is no code we are sure of), the unit
// per count and its UCUM unit.
type Field struct {
	Name  string
	Label string
	MDC   uint32
	Scale float64
	Unit  string
}

// GroupDef is one group of the basic class in the documented order.
type GroupDef struct {
	Name   string
	Header bool // status u32 + label u16 precede the values
	Fields []Field
}

func pressureGroup(name, label string, sys, dia, mean, hr uint32) GroupDef {
	return GroupDef{Name: name, Header: true, Fields: []Field{
		{"sys", label + " sys", sys, 0.01, "mm[Hg]"},
		{"dia", label + " dia", dia, 0.01, "mm[Hg]"},
		{"mean", label + " mean", mean, 0.01, "mm[Hg]"},
		{"hr", label + " HR", hr, 1, "/min"},
	}}
}

func tempGroup(n int) GroupDef {
	return GroupDef{Name: fmt.Sprintf("t%d", n), Header: true, Fields: []Field{
		{"temp", fmt.Sprintf("T%d", n), mdcTemp, 0.01, "Cel"},
	}}
}

func invasive(n int) GroupDef {
	return pressureGroup(fmt.Sprintf("p%d", n), fmt.Sprintf("P%d", n), mdcPressBldSys, mdcPressBldDia, mdcPressBldMean, mdcBldPulsRateInv)
}

// BasicGroups is the layout of the basic class: 270 bytes, groups in this
// order. Scales follow the interface specification where it is public
// (most values in 0.01 of the unit, rates in 1/min); the flow/volume,
// cardiac-output and NMT scales are best knowledge and those values carry
// no MDC code.
var BasicGroups = []GroupDef{
	{Name: "ecg", Header: true, Fields: []Field{
		{"hr", "HR", devices.MDCECGHeartRate, 1, "/min"},
		{"st1", "ST1", 0, 0.01, "mm"},
		{"st2", "ST2", 0, 0.01, "mm"},
		{"st3", "ST3", 0, 0.01, "mm"},
		{"imp_rr", "RR imp", mdcTThorRespRate, 1, "/min"},
	}},
	invasive(1), invasive(2), invasive(3), invasive(4),
	pressureGroup("nibp", "NIBP", mdcNIBPSys, mdcNIBPDia, mdcNIBPMean, mdcPulsRateNonInv),
	tempGroup(1), tempGroup(2), tempGroup(3), tempGroup(4),
	{Name: "spo2", Header: true, Fields: []Field{
		{"spo2", "SpO2", mdcPulsOximSatO2, 0.01, "%"},
		{"pr", "PR", mdcPulsOximPulsRate, 1, "/min"},
		{"ir_amp", "Pleth amp", 0, 0.01, "%"},
		{"svo2", "SvO2 (oxi)", 0, 0.01, "%"},
	}},
	{Name: "co2", Header: true, Fields: []Field{
		{"et", "etCO2", mdcConcAwayCO2ET, 0.01, "%"},
		{"fi", "FiCO2", mdcConcAwayCO2Insp, 0.01, "%"},
		{"rr", "RR", mdcCO2RespRate, 1, "/min"},
		{"amb_press", "Amb press", 0, 0.1, "mm[Hg]"},
	}},
	{Name: "o2", Header: true, Fields: []Field{
		{"et", "etO2", 0, 0.01, "%"},
		{"fi", "FiO2", mdcAwayO2Insp, 0.01, "%"},
	}},
	{Name: "n2o", Header: true, Fields: []Field{
		{"et", "etN2O", 0, 0.01, "%"},
		{"fi", "FiN2O", 0, 0.01, "%"},
	}},
	{Name: "aa", Header: true, Fields: []Field{
		{"et", "etAA", 0, 0.01, "%"},
		{"fi", "FiAA", 0, 0.01, "%"},
		{"mac", "MAC", 0, 0.01, "1"},
	}},
	{Name: "flow_vol", Header: true, Fields: []Field{
		{"rr", "RR vent", mdcVentRespRate, 1, "/min"},
		{"ppeak", "Ppeak", 0, 0.01, "cm[H2O]"},
		{"peep", "PEEP", 0, 0.01, "cm[H2O]"},
		{"pplat", "Pplat", 0, 0.01, "cm[H2O]"},
		{"tv_insp", "TVinsp", 0, 0.1, "mL"},
		{"tv_exp", "TVexp", 0, 0.1, "mL"},
		{"compliance", "Compl", 0, 0.01, "mL/cm[H2O]"},
		{"mv_exp", "MVexp", 0, 0.01, "L/min"},
	}},
	{Name: "co_wedge", Header: true, Fields: []Field{
		{"co", "C.O.", 0, 1, "mL/min"},
		{"blood_temp", "Tblood", 0, 0.01, "Cel"},
		{"ref", "REF", 0, 1, "%"},
		{"pcwp", "PCWP", 0, 0.01, "mm[Hg]"},
	}},
	{Name: "nmt", Header: true, Fields: []Field{
		{"t1", "NMT T1", 0, 0.1, "%"},
		{"tratio", "TOF ratio", 0, 0.1, "%"},
		{"ptc", "PTC", 0, 1, "1"},
	}},
	{Name: "ecg_extra", Header: false, Fields: []Field{
		{"hr_ecg", "HR ECG", 0, 1, "/min"},
		{"hr_max", "HR max", 0, 1, "/min"},
		{"hr_min", "HR min", 0, 1, "/min"},
	}},
	{Name: "svo2", Header: true, Fields: []Field{
		{"svo2", "SvO2", 0, 0.01, "%"},
	}},
	invasive(5), invasive(6),
}

// Group indexes of BasicGroups that the driver and simulator name.
const (
	GroupECG = iota
	GroupP1
	GroupP2
	GroupP3
	GroupP4
	GroupNIBP
	GroupT1
	GroupT2
	GroupT3
	GroupT4
	GroupSpO2
	GroupCO2
	GroupO2
	GroupN2O
	GroupAA
	GroupFlowVol
	GroupCOWedge
	GroupNMT
	GroupECGExtra
	GroupSvO2
	GroupP5
	GroupP6
)

// RawCode names a basic-class value as "basic.<group>.<field>".
func RawCode(group, field int) string {
	return "basic." + BasicGroups[group].Name + "." + BasicGroups[group].Fields[field].Name
}

// FlagStatus returns the status of a value: Valid for a measurement,
// otherwise what its flag means, and the event code a flag raises ("" for
// none).
func FlagStatus(v int16) (devices.NumericStatus, string) {
	switch {
	case v > FlagLimit:
		return devices.Valid, ""
	case v == FlagDiscontinuity:
		return devices.QuestionableValue, ""
	case v == FlagUnderRange:
		return devices.Unavailable, EventUnderRange
	case v == FlagOverRange:
		return devices.Unavailable, EventOverRange
	case v == FlagNotCalibrated:
		return devices.Unavailable, EventNotCalibrated
	}
	return devices.Unavailable, "" // invalid, not updated, reserved flags
}

// FlagName says what a flag value means, for event texts.
func FlagName(v int16) string {
	switch v {
	case FlagInvalid:
		return "invalid"
	case FlagNotUpdated:
		return "not updated"
	case FlagDiscontinuity:
		return "discontinuity"
	case FlagUnderRange:
		return "under range"
	case FlagOverRange:
		return "over range"
	case FlagNotCalibrated:
		return "not calibrated"
	}
	if v <= FlagLimit {
		return fmt.Sprintf("flag %d", v)
	}
	return "valid"
}

// Numerics turns a basic-class PHDB into numerics in layout order: every
// value of every group whose status says it exists (ecg_extra, which has
// no status, goes with the ECG group). Flagged values read 0 with their
// status. The time is left to the caller.
func Numerics(p PHDB) []devices.Numeric {
	ns, _ := numerics(p)
	return ns
}

// numerics returns Numerics(p) and the raw value behind each.
func numerics(p PHDB) ([]devices.Numeric, []int16) {
	var out []devices.Numeric
	var raws []int16
	for gi, g := range BasicGroups {
		if gi >= len(p.Groups) {
			break
		}
		status := p.Groups[gi].Status
		if !g.Header {
			status = p.Groups[GroupECG].Status
		}
		if status&GroupExists == 0 {
			continue
		}
		for fi, f := range g.Fields {
			if fi >= len(p.Groups[gi].Values) {
				break
			}
			v := p.Groups[gi].Values[fi]
			st, _ := FlagStatus(v)
			val := 0.0
			if st == devices.Valid {
				val = float64(v) * f.Scale
			}
			out = append(out, devices.Numeric{Code: f.MDC, Label: f.Label, Value: val, Unit: f.Unit, Status: st, RawCode: RawCode(gi, fi)})
			raws = append(raws, v)
		}
	}
	return out, raws
}
