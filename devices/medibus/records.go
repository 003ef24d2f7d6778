package medibus

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"telewave/devices"
)

// Value is one record of a measured-values response (24): a code (two hex
// digits on the wire) and four characters of value.
type Value struct {
	Code byte
	Text string // 4 characters, right-aligned, e.g. "  20", " 7.5", "----"
}

// EncodeValues returns the data of a measured-values response.
func EncodeValues(vs []Value) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%02X%4.4s", v.Code, fmt.Sprintf("%4s", v.Text))
	}
	return b.String()
}

// ParseValues reads the data of a measured-values response: records of
// 2 hex digits and 4 characters. A trailing partial record is an error
// after the complete ones.
func ParseValues(data []byte) ([]Value, error) {
	var out []Value
	for len(data) >= 6 {
		c, err := strconv.ParseUint(string(data[:2]), 16, 8)
		if err != nil {
			return out, fmt.Errorf("medibus value code %q: %w", data[:2], err)
		}
		out = append(out, Value{Code: byte(c), Text: string(data[2:6])})
		data = data[6:]
	}
	if len(data) != 0 {
		return out, fmt.Errorf("medibus values: %d bytes left over", len(data))
	}
	return out, nil
}

// codeInfo is what the driver knows of a code page 1 value.
type codeInfo struct {
	label string
	mdc   uint32
	unit  string
}

// MDC codes used here (ISO/IEEE 11073-10101).
const (
	mdcRespRate      uint32 = 151562
	mdcAwayO2Insp    uint32 = 151752
	mdcConcAwayCO2ET uint32 = 151708
)

// cp1 maps code page 1 codes to labels and units. MDC codes are given only
// where the meaning is unambiguous; the rest go out with MDC 0, their
// label and RawCode "cp1:XX".
var cp1 = map[byte]codeInfo{
	0x06: {"Compliance", 0, "mL/mbar"},
	0x08: {"Resistance", 0, "mbar/L/s"},
	0x71: {"Pmin", 0, "mbar"},
	0x73: {"Pmean", 0, "mbar"},
	0x74: {"Pplat", 0, "mbar"},
	0x78: {"PEEP", 0, "mbar"},
	0x7D: {"Ppeak", 0, "mbar"},
	0x88: {"VT", 0, "mL"},
	0xB5: {"RRspon", 0, "/min"},
	0xB7: {"MVspon", 0, "L/min"},
	0xB9: {"MV", 0, "L/min"},
	0xD6: {"RR", mdcRespRate, "/min"},
	0xDB: {"etCO2", mdcConcAwayCO2ET, "%"},
	0xE1: {"PR", devices.MDCPulsOximPulsRt, "/min"},
	0xE3: {"etCO2", mdcConcAwayCO2ET, "kPa"},
	0xE6: {"etCO2", mdcConcAwayCO2ET, "mm[Hg]"},
	0xEB: {"SpO2", devices.MDCPulsOximSatO2, "%"},
	0xEF: {"etO2", 0, "%"},
	0xF0: {"FiO2", mdcAwayO2Insp, "%"},
}

// Numeric turns a measured value into a numeric. A value that is not a
// number (blank, dashes) is Unavailable and reads 0.
func (v Value) Numeric(at time.Time) devices.Numeric {
	info, ok := cp1[v.Code]
	if !ok {
		info = codeInfo{label: fmt.Sprintf("Medibus %02X", v.Code), unit: "1"}
	}
	n := devices.Numeric{Code: info.mdc, Label: info.label, Unit: info.unit, Time: at,
		RawCode: fmt.Sprintf("cp1:%02X", v.Code), Status: devices.Unavailable}
	if f, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		n.Value, n.Status = f, devices.Valid
	}
	return n
}

// RTConfig is one record of the realtime configuration (53): a curve's
// code, its sample interval and its range. A sample v means
// v / MaxBin × (Max − Min) + Min.
type RTConfig struct {
	Code     byte
	Interval time.Duration
	Min, Max float64
	MaxBin   int
}

// rtRecordLen is the size of one realtime configuration record: code 2,
// interval 8 (µs), min 5, max 5, maxbin 3 (hex).
const rtRecordLen = 23

// EncodeRTConfig returns the data of a realtime configuration response.
func EncodeRTConfig(cs []RTConfig) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%02X%08d%5s%5s%03X", c.Code, c.Interval.Microseconds(),
			strconv.FormatFloat(c.Min, 'f', -1, 64), strconv.FormatFloat(c.Max, 'f', -1, 64), c.MaxBin)
	}
	return b.String()
}

// ParseRTConfig reads the data of a realtime configuration response.
func ParseRTConfig(data []byte) ([]RTConfig, error) {
	var out []RTConfig
	for i := 0; len(data) >= rtRecordLen; i++ {
		r := data[:rtRecordLen]
		data = data[rtRecordLen:]
		code, err1 := strconv.ParseUint(string(r[0:2]), 16, 8)
		us, err2 := strconv.ParseUint(strings.TrimSpace(string(r[2:10])), 10, 32)
		lo, err3 := strconv.ParseFloat(strings.TrimSpace(string(r[10:15])), 64)
		hi, err4 := strconv.ParseFloat(strings.TrimSpace(string(r[15:20])), 64)
		bin, err5 := strconv.ParseUint(string(r[20:23]), 16, 16)
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if err != nil {
				return out, fmt.Errorf("realtime config record %d %q: %w", i, r, err)
			}
		}
		if us == 0 || bin == 0 || hi <= lo {
			return out, fmt.Errorf("realtime config record %d %q: empty interval or range", i, r)
		}
		out = append(out, RTConfig{Code: byte(code), Interval: time.Duration(us) * time.Microsecond, Min: lo, Max: hi, MaxBin: int(bin)})
	}
	if len(data) != 0 {
		return out, fmt.Errorf("realtime config: %d bytes left over", len(data))
	}
	return out, nil
}

// ConfigureArgs returns the arguments of a configure-realtime command
// (54): each curve's code and the multiplier 01.
func ConfigureArgs(codes []byte) string {
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, "%02X01", c)
	}
	return b.String()
}

// ParseConfigureArgs reads the codes of a configure-realtime command.
func ParseConfigureArgs(args []byte) ([]byte, error) {
	if len(args)%4 != 0 {
		return nil, fmt.Errorf("configure realtime: %d bytes of arguments", len(args))
	}
	var codes []byte
	for i := 0; i < len(args); i += 4 {
		c, err := strconv.ParseUint(string(args[i:i+2]), 16, 8)
		if err != nil {
			return nil, fmt.Errorf("configure realtime code %q: %w", args[i:i+2], err)
		}
		codes = append(codes, byte(c))
	}
	return codes, nil
}

// curveInfo is what the driver announces for a curve.
type curveInfo struct {
	id, label string
	kind      devices.SignalKind
	unit      string
}

var curves = map[byte]curveInfo{
	0x00: {"paw", "Paw", devices.KindPressure, "mbar"},
	0x01: {"flow", "Flow", devices.KindRespiration, "L/min"},
	0x02: {"pleth", "Pleth", devices.KindPleth, "1"},
	0x03: {"volume", "Volume", devices.KindRespiration, "mL"},
	0x05: {"o2", "O2", devices.KindRespiration, "%"},
	0x06: {"co2-mmhg", "CO2", devices.KindRespiration, "mm[Hg]"},
	0x07: {"co2-kpa", "CO2", devices.KindRespiration, "kPa"},
	0x08: {"co2-pct", "CO2", devices.KindRespiration, "%"},
}

// Signal returns the signal of a curve. Counts are the 12-bit samples;
// Scale and Baseline come from the configured range, the baseline rounded
// to a whole count.
func (c RTConfig) Signal() devices.Signal {
	info, ok := curves[c.Code]
	if !ok {
		info = curveInfo{id: fmt.Sprintf("rt-%02X", c.Code), label: fmt.Sprintf("Curve %02X", c.Code), unit: "1"}
	}
	scale := (c.Max - c.Min) / float64(c.MaxBin)
	return devices.Signal{
		ID: info.id, Label: info.label, Kind: info.kind, Unit: info.unit,
		SampleRate: float64(time.Second) / float64(c.Interval),
		Scale:      scale, Baseline: int32(math.Round(-c.Min / scale)),
		Min: 0, Max: int32(c.MaxBin), RawCode: fmt.Sprintf("rt:%02X", c.Code),
	}
}

// Count converts a physical value to the curve's count, clamped.
func (c RTConfig) Count(x float64) uint16 {
	v := math.Round((x - c.Min) / (c.Max - c.Min) * float64(c.MaxBin))
	return uint16(max(0, min(float64(c.MaxBin), v)))
}

// DeviceID is the content of a device-identification response (52): a
// four-character id, the device name in quotes, the revision.
type DeviceID struct{ ID, Name, Revision string }

// Encode returns the response data, e.g. "0161'Evita4'04.05".
func (d DeviceID) Encode() string { return fmt.Sprintf("%-4.4s'%s'%s", d.ID, d.Name, d.Revision) }

// ParseDeviceID reads a device-identification response; what does not
// match the layout is kept whole as the name.
func ParseDeviceID(data []byte) DeviceID {
	parts := strings.SplitN(string(data), "'", 3)
	if len(parts) != 3 {
		return DeviceID{Name: strings.TrimSpace(string(data))}
	}
	return DeviceID{ID: strings.TrimSpace(parts[0]), Name: strings.TrimSpace(parts[1]), Revision: strings.TrimSpace(parts[2])}
}
