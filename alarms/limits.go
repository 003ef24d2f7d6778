package alarms

import (
	"errors"
	"fmt"
)

// Limits are one parameter's alarm limits, in its unit. A zero limit is
// switched off. Beyond Low or High a medium-priority alarm is raised;
// beyond ExtremeLow or ExtremeHigh a high-priority one, which takes the
// medium one's place (desaturation for SpO2, extreme bradycardia and
// tachycardia for HR and pulse).
type Limits struct {
	ExtremeLow  float64 `json:"extreme_low,omitempty"`
	Low         float64 `json:"low,omitempty"`
	High        float64 `json:"high,omitempty"`
	ExtremeHigh float64 `json:"extreme_high,omitempty"`
}

// ErrLimits is returned for limits in the wrong order.
var ErrLimits = errors.New("invalid alarm limits")

// Check returns an error unless the limits that are on are ordered
// ExtremeLow ≤ Low < High ≤ ExtremeHigh and none is negative.
func (l Limits) Check() error {
	vals := []float64{l.ExtremeLow, l.Low, l.High, l.ExtremeHigh}
	prev := -1.0
	for i, v := range vals {
		if v < 0 {
			return fmt.Errorf("limit %g below zero: %w", v, ErrLimits)
		}
		if v == 0 {
			continue
		}
		if v < prev || (i == 2 && v == l.Low) {
			return fmt.Errorf("limits %g/%g/%g/%g out of order: %w", l.ExtremeLow, l.Low, l.High, l.ExtremeHigh, ErrLimits)
		}
		prev = v
	}
	return nil
}

// AgeGroup selects the default limits.
type AgeGroup int

// Age groups.
const (
	Adult   AgeGroup = iota // 12 years and over
	Child                   // 1 to 12 years
	Infant                  // 28 days to 1 year
	Neonate                 // first 28 days
)

var ageNames = [...]string{"adult", "child", "infant", "neonate"}

// String returns the group's name.
func (g AgeGroup) String() string {
	if g < 0 || int(g) >= len(ageNames) {
		return fmt.Sprintf("age(%d)", int(g))
	}
	return ageNames[g]
}

// DefaultLimits returns the factory limits for an age group. They are
// documented, with their sources, in the analysis notes; a clinician must
// review them before clinical use.
func DefaultLimits(g AgeGroup) [numParameters]Limits {
	type row = Limits
	var hr, spo2, rr, sys, dia, mean, temp, co2 row
	switch g {
	case Neonate:
		hr = row{80, 100, 200, 220}
		spo2 = row{80, 88, 95, 0} // high limit: hyperoxia on oxygen
		rr = row{0, 20, 80, 0}
		sys, dia, mean = row{0, 50, 90, 0}, row{0, 25, 60, 0}, row{0, 35, 65, 0}
		temp = row{0, 36.0, 38.0, 0}
		co2 = row{0, 30, 50, 0}
	case Infant:
		hr = row{70, 90, 180, 200}
		spo2 = row{80, 90, 0, 0}
		rr = row{0, 15, 60, 0}
		sys, dia, mean = row{0, 70, 120, 0}, row{0, 35, 75, 0}, row{0, 45, 85, 0}
		temp = row{0, 36.0, 38.5, 0}
		co2 = row{0, 30, 50, 0}
	case Child:
		hr = row{50, 70, 150, 180}
		spo2 = row{80, 90, 0, 0}
		rr = row{0, 10, 40, 0}
		sys, dia, mean = row{0, 80, 130, 0}, row{0, 45, 85, 0}, row{0, 55, 95, 0}
		temp = row{0, 36.0, 39.0, 0}
		co2 = row{0, 30, 50, 0}
	default:
		hr = row{40, 50, 120, 140}
		spo2 = row{80, 90, 0, 0}
		rr = row{0, 8, 30, 0}
		sys, dia, mean = row{0, 90, 160, 0}, row{0, 50, 90, 0}, row{0, 60, 110, 0}
		temp = row{0, 36.0, 39.0, 0}
		co2 = row{0, 30, 50, 0}
	}
	return [numParameters]Limits{
		HR: hr, PR: hr, SpO2: spo2, RR: rr,
		NIBPSys: sys, NIBPDia: dia, NIBPMean: mean,
		ABPSys: sys, ABPDia: dia, ABPMean: mean,
		Temp: temp, EtCO2: co2,
	}
}
