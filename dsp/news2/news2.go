// Package news2 computes the National Early Warning Score 2 of the Royal
// College of Physicians (NEWS2, December 2017): seven observations each
// scored 0–3 from the published chart, their total, the clinical risk band
// and the clinical response the chart prescribes.
//
// Source: Royal College of Physicians. National Early Warning Score (NEWS)
// 2: Standardising the assessment of acute-illness severity in the NHS.
// London: RCP, 2017 (Chart 1, the NEWS scoring system; Chart 4, clinical
// response to the NEWS trigger thresholds). NEWS2 is for adults (16 years
// and over); it is not validated in children or in pregnancy.
package news2

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Parameter names one of the seven observations.
type Parameter int

// The parameters in chart order.
const (
	RespirationRate Parameter = iota
	SpO2
	AirOrOxygen
	SystolicBP
	Pulse
	Consciousness
	Temperature
	numParameters
)

var paramNames = [...]string{"respiration rate", "SpO2", "air or oxygen", "systolic BP", "pulse", "consciousness", "temperature"}

// String returns the parameter's name as on the chart.
func (p Parameter) String() string {
	if p < 0 || p >= numParameters {
		return fmt.Sprintf("parameter(%d)", int(p))
	}
	return paramNames[p]
}

// Supplement says whether the patient breathes air or receives oxygen.
type Supplement int

// Supplement values; the zero value means not recorded.
const (
	SupplementUnknown Supplement = iota
	Air
	Oxygen
)

// Level is the ACVPU level of consciousness.
type Level int

// Levels; the zero value means not recorded. NewConfusion, Voice, Pain and
// Unresponsive all score 3.
const (
	LevelUnknown Level = iota
	Alert
	NewConfusion
	Voice
	Pain
	Unresponsive
)

// Input is one set of observations. A nil pointer or an unknown enum
// means not recorded: the score is then incomplete.
type Input struct {
	RespirationRate *float64 // breaths per minute
	SpO2            *float64 // %
	// Scale2 selects SpO2 scale 2, for patients with hypercapnic
	// respiratory failure and a prescribed target of 88–92 %. It is a
	// clinical decision recorded with the patient, never inferred.
	Scale2        bool
	Supplement    Supplement
	SystolicBP    *float64 // mmHg
	Pulse         *float64 // per minute
	Consciousness Level
	Temperature   *float64 // °C
}

// Value returns a pointer to v, for filling Input.
func Value(v float64) *float64 { return &v }

// ErrImplausible is returned for a value no patient can have (a typing or
// unit error), so that it is not scored.
var ErrImplausible = errors.New("implausible value")

// Score computes the NEWS2 of in. Values are rounded as they are charted:
// rates, SpO2 and pressure to whole numbers, temperature to 0.1 °C.
// Missing parameters are listed in Result.Missing and score 0, so the
// total of an incomplete set is a lower bound.
func Score(in Input) (Result, error) {
	var r Result
	for p := range numParameters {
		s, ok, err := in.score(p)
		if err != nil {
			return Result{}, fmt.Errorf("score %s: %w", p, err)
		}
		if !ok {
			r.Missing = append(r.Missing, p)
			continue
		}
		r.Scores[p] = s
		r.Scored[p] = true
		r.Total += s
		if s == 3 {
			r.RedScore = true
		}
	}
	r.Complete = len(r.Missing) == 0
	r.Risk = riskOf(r.Total, r.RedScore)
	resp := responses[responseOf(r.Total, r.RedScore)]
	r.Response = Response{Monitoring: resp.Monitoring, Actions: slices.Clone(resp.Actions)}
	return r, nil
}

func (in Input) score(p Parameter) (score int, ok bool, err error) {
	num := func(v *float64, lo, hi, step float64) (float64, bool, error) {
		if v == nil {
			return 0, false, nil
		}
		x := math.Round(*v/step) * step
		if math.IsNaN(*v) || x < lo || x > hi {
			return 0, false, fmt.Errorf("%g outside %g–%g: %w", *v, lo, hi, ErrImplausible)
		}
		return x, true, nil
	}
	var x float64
	switch p {
	case RespirationRate:
		if x, ok, err = num(in.RespirationRate, 0, 120, 1); ok {
			score = respiration(x)
		}
	case SpO2:
		if x, ok, err = num(in.SpO2, 20, 100, 1); !ok {
			return 0, false, err
		}
		if !in.Scale2 {
			return spo2Scale1(x), true, nil
		}
		return spo2Scale2(x, in.Supplement)
	case AirOrOxygen:
		switch in.Supplement {
		case Air:
			return 0, true, nil
		case Oxygen:
			return 2, true, nil
		}
		return 0, false, nil
	case SystolicBP:
		if x, ok, err = num(in.SystolicBP, 20, 350, 1); ok {
			score = systolic(x)
		}
	case Pulse:
		if x, ok, err = num(in.Pulse, 0, 350, 1); ok {
			score = pulse(x)
		}
	case Consciousness:
		switch in.Consciousness {
		case Alert:
			return 0, true, nil
		case NewConfusion, Voice, Pain, Unresponsive:
			return 3, true, nil
		}
		return 0, false, nil
	case Temperature:
		if x, ok, err = num(in.Temperature, 25, 45, 0.1); ok {
			score = temperature(x)
		}
	}
	return score, ok, err
}
