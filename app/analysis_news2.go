package app

import (
	"time"

	"telewave/alarms"
	"telewave/devices"
	"telewave/dsp/news2"
)

// news2Fresh is how old a measured value may be to enter a NEWS2 score.
const news2Fresh = 5 * time.Minute

// news2 observations and the numerics that may fill them, any one of
// which will do: the most recent valid value wins.
var news2Codes = []struct {
	field func(*news2.Input) **float64
	codes []uint32
	unit  string // canonical: "/min", "%", "mm[Hg]", "Cel"
}{
	{func(in *news2.Input) **float64 { return &in.RespirationRate }, []uint32{alarms.MDCRespRate}, "/min"},
	{func(in *news2.Input) **float64 { return &in.SpO2 }, []uint32{devices.MDCPulsOximSatO2}, "%"},
	{func(in *news2.Input) **float64 { return &in.SystolicBP }, []uint32{alarms.MDCNIBPSys, alarms.MDCABPSys}, "mm[Hg]"},
	{func(in *news2.Input) **float64 { return &in.Pulse }, []uint32{devices.MDCECGHeartRate, devices.MDCPulsOximPulsRt}, "/min"},
	{func(in *news2.Input) **float64 { return &in.Temperature }, []uint32{alarms.MDCTempBody}, "Cel"},
}

// NEWS2 scores the patient now: respiration rate, SpO2, systolic pressure
// (NIBP or arterial), pulse (ECG heart rate or pulse rate) and temperature
// from the most recent valid value measured in the last 5 minutes; the
// level of consciousness, air or oxygen and SpO2 scale 2 from manual,
// which is what the clinician entered. A value manual gives is used as
// entered (a hand-taken temperature). Missing observations are listed in
// the result, whose total is then a lower bound.
func (a *Analysis) NEWS2(manual news2.Input) (news2.Result, error) {
	in := manual
	now := a.cfg.Now()
	a.mu.Lock()
	for _, f := range news2Codes {
		dst := f.field(&in)
		if *dst != nil {
			continue
		}
		var best devices.Numeric
		var val float64
		found := false
		for k, n := range a.latest {
			if !codeIn(k.code, f.codes) || now.Sub(n.Time) > news2Fresh || (found && !n.Time.After(best.Time)) {
				continue
			}
			if v, ok := inUnit(n.Value, n.Unit, f.unit); ok {
				best, val, found = n, v, true
			}
		}
		if found {
			*dst = news2.Value(val)
		}
	}
	a.mu.Unlock()
	return news2.Score(in)
}

func codeIn(c uint32, codes []uint32) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// inUnit converts v from the UCUM (or common) unit u to canon; false for
// a unit it does not know, so that a value is never scored in the wrong
// unit.
func inUnit(v float64, u, canon string) (float64, bool) {
	if u == "" || u == canon {
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
