package news2

import "fmt"

// Risk is the clinical risk band of RCP Chart 4.
type Risk int

// Risk bands.
const (
	// LowRisk: aggregate 0–4 with no single red score.
	LowRisk Risk = iota
	// LowMediumRisk: aggregate 0–4 with a score of 3 in any one
	// parameter (a "red score").
	LowMediumRisk
	// MediumRisk: aggregate 5–6, the key threshold for urgent response.
	MediumRisk
	// HighRisk: aggregate 7 or more, the threshold for emergency response.
	HighRisk
)

var riskNames = [...]string{"low", "low-medium", "medium", "high"}

// String returns the band as the chart names it.
func (r Risk) String() string {
	if r < 0 || int(r) >= len(riskNames) {
		return fmt.Sprintf("risk(%d)", int(r))
	}
	return riskNames[r]
}

// Response is the chart's clinical response to a score.
type Response struct {
	Monitoring string   // minimum frequency of monitoring
	Actions    []string // the clinical response, in the chart's order
}

// Result is a scored set of observations.
type Result struct {
	Scores   [numParameters]int  // sub-score per Parameter
	Scored   [numParameters]bool // false where the parameter was missing
	Total    int
	RedScore bool // some parameter scored 3
	// Complete is false when a parameter was missing; Total and Risk are
	// then a lower bound and must be shown as incomplete.
	Complete bool
	Missing  []Parameter
	Risk     Risk
	Response Response
}

// Score returns the sub-score of p and whether it was scored.
func (r Result) Score(p Parameter) (int, bool) {
	if p < 0 || p >= numParameters {
		return 0, false
	}
	return r.Scores[p], r.Scored[p]
}

func riskOf(total int, red bool) Risk {
	switch {
	case total >= 7:
		return HighRisk
	case total >= 5:
		return MediumRisk
	case red:
		return LowMediumRisk
	}
	return LowRisk
}

type responseKey int

const (
	respZero responseKey = iota
	respLow
	respRed
	respMedium
	respHigh
)

func responseOf(total int, red bool) responseKey {
	switch {
	case total >= 7:
		return respHigh
	case total >= 5:
		return respMedium
	case red:
		return respRed
	case total >= 1:
		return respLow
	}
	return respZero
}

// responses follows RCP Chart 4 (2017).
var responses = map[responseKey]Response{
	respZero: {"minimum 12-hourly", []string{"Continue routine NEWS monitoring."}},
	respLow: {"minimum 4–6-hourly", []string{
		"Inform the registered nurse, who must assess the patient.",
		"The registered nurse decides whether increased frequency of monitoring and/or escalation of care is required.",
	}},
	respRed: {"minimum 1-hourly", []string{
		"Registered nurse to inform the medical team caring for the patient, who will review and decide whether escalation of care is necessary.",
	}},
	respMedium: {"minimum 1-hourly", []string{
		"Registered nurse to immediately inform the medical team caring for the patient.",
		"Registered nurse to request urgent assessment by a clinician or team with core competencies in the care of acutely ill patients.",
		"Provide clinical care in an environment with monitoring facilities.",
	}},
	respHigh: {"continuous monitoring of vital signs", []string{
		"Registered nurse to immediately inform the medical team caring for the patient; this should be at least at specialist registrar level.",
		"Emergency assessment by a team with critical care competencies, including practitioner(s) with advanced airway management skills.",
		"Consider transfer of care to a level 2 or 3 clinical care facility, i.e. a higher-dependency unit or ICU.",
		"Clinical care in an environment with monitoring facilities.",
	}},
}
