package alarms

import (
	"fmt"
	"time"

	"telewave/devices"
)

// Parameter is a physiological quantity with alarm limits.
type Parameter int

// Parameters the engine watches.
const (
	HR       Parameter = iota // heart rate from the ECG, /min
	PR                        // pulse rate from the oximeter, /min
	SpO2                      // %
	RR                        // respiration rate, /min
	NIBPSys                   // mmHg
	NIBPDia                   // mmHg
	NIBPMean                  // mmHg
	ABPSys                    // mmHg
	ABPDia                    // mmHg
	ABPMean                   // mmHg
	Temp                      // °C
	EtCO2                     // mmHg
	numParameters
)

// paramInfo holds what the engine needs to know about a parameter.
type paramInfo struct {
	key   string // in condition ids: "hr", "spo2"…
	label string // as on the screen
	unit  string // UCUM
	// delay is how long a value must stay beyond a limit before the
	// alarm is raised: one spurious value does not alarm.
	delay time.Duration
	// hysteresis is how far back inside the limit a value must come for a
	// raised alarm's condition to end.
	hysteresis float64
	// stale is how long without a value before the engine stops judging
	// the parameter (its conditions end); 0 for intermittent readings
	// (NIBP), which stand until the next one.
	stale time.Duration
}

var params = [numParameters]paramInfo{
	HR:       {"hr", "HR", "/min", 5 * time.Second, 2, 10 * time.Second},
	PR:       {"pr", "Pulse", "/min", 5 * time.Second, 2, 10 * time.Second},
	SpO2:     {"spo2", "SpO2", "%", 10 * time.Second, 1, 10 * time.Second},
	RR:       {"rr", "RR", "/min", 10 * time.Second, 1, 20 * time.Second},
	NIBPSys:  {"nibp-sys", "NIBP sys", "mm[Hg]", 0, 0, 0},
	NIBPDia:  {"nibp-dia", "NIBP dia", "mm[Hg]", 0, 0, 0},
	NIBPMean: {"nibp-mean", "NIBP mean", "mm[Hg]", 0, 0, 0},
	ABPSys:   {"abp-sys", "ABP sys", "mm[Hg]", 5 * time.Second, 2, 10 * time.Second},
	ABPDia:   {"abp-dia", "ABP dia", "mm[Hg]", 5 * time.Second, 2, 10 * time.Second},
	ABPMean:  {"abp-mean", "ABP mean", "mm[Hg]", 5 * time.Second, 2, 10 * time.Second},
	Temp:     {"temp", "Temp", "Cel", 10 * time.Second, 0.1, 60 * time.Second},
	EtCO2:    {"etco2", "etCO2", "mm[Hg]", 10 * time.Second, 1, 20 * time.Second},
}

// String returns the parameter's label as on the screen.
func (p Parameter) String() string {
	if p < 0 || p >= numParameters {
		return fmt.Sprintf("parameter(%d)", int(p))
	}
	return params[p].label
}

// Delay returns the onset delay of p's limit alarms.
func (p Parameter) Delay() time.Duration { return params[p].delay }

// Hysteresis returns how far inside a limit a value must return, in p's
// unit, for a raised limit alarm to end.
func (p Parameter) Hysteresis() float64 { return params[p].hysteresis }

// MDC codes (ISO/IEEE 11073-10101) the engine maps to parameters by
// default; Engine.MapCode adds more.
const (
	MDCRespRate        uint32 = 151562 // MDC_RESP_RATE
	MDCNIBPSys         uint32 = 150021 // MDC_PRESS_BLD_NONINV_SYS
	MDCNIBPDia         uint32 = 150022 // MDC_PRESS_BLD_NONINV_DIA
	MDCNIBPMean        uint32 = 150023 // MDC_PRESS_BLD_NONINV_MEAN
	MDCABPSys          uint32 = 150037 // MDC_PRESS_BLD_ART_ABP_SYS
	MDCABPDia          uint32 = 150038 // MDC_PRESS_BLD_ART_ABP_DIA
	MDCABPMean         uint32 = 150039 // MDC_PRESS_BLD_ART_ABP_MEAN
	MDCTempBody        uint32 = 150364 // MDC_TEMP_BODY
	MDCAwayCO2EndTidal uint32 = 151708 // MDC_AWAY_CO2_ET
)

func defaultCodes() map[uint32]Parameter {
	return map[uint32]Parameter{
		devices.MDCECGHeartRate:   HR,
		devices.MDCPulsOximPulsRt: PR,
		devices.MDCPulsOximSatO2:  SpO2,
		MDCRespRate:               RR,
		MDCNIBPSys:                NIBPSys,
		MDCNIBPDia:                NIBPDia,
		MDCNIBPMean:               NIBPMean,
		MDCABPSys:                 ABPSys,
		MDCABPDia:                 ABPDia,
		MDCABPMean:                ABPMean,
		MDCTempBody:               Temp,
		MDCAwayCO2EndTidal:        EtCO2,
	}
}

// toCanonical converts v from unit u to p's unit; false for a unit the
// engine does not know for p (the value is then not judged).
func toCanonical(p Parameter, v float64, u string) (float64, bool) {
	canon := params[p].unit
	switch u {
	case "", canon:
		return v, true
	}
	switch canon {
	case "/min":
		switch u {
		case "bpm", "1/min", "{beats}/min", "{breaths}/min", "rpm", "brpm":
			return v, true
		}
	case "mm[Hg]":
		switch u {
		case "mmHg":
			return v, true
		case "kPa":
			return v * 7.50062, true
		}
	case "Cel":
		switch u {
		case "°C", "C", "degC":
			return v, true
		case "[degF]", "°F", "degF":
			return (v - 32) * 5 / 9, true
		}
	}
	return 0, false
}
