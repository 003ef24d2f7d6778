package aecg

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"telewave/formats/ecg12"
)

// leadPrefix starts the MDC code of every lead sequence.
const leadPrefix = "MDC_ECG_LEAD_"

type series struct {
	rate  float64
	start time.Time // zero unless the time sequence is a GLIST_TS
	leads []ecg12.Lead
}

// readSeries reads the first sequenceSet of a series: its time sequence
// (TIME_ABSOLUTE GLIST_TS or TIME_RELATIVE GLIST_PQ) and its lead
// sequences (SLIST_PQ with an MDC_ECG_LEAD_ code). budget is the samples
// the file may still hold.
func readSeries(s *xSeries, budget *int) (series, error) {
	var out series
	var set *xSequenceSet
	for i := range s.SequenceSets {
		if len(s.SequenceSets[i].Sequences) > 0 {
			set = &s.SequenceSets[i]
			break
		}
	}
	if set == nil {
		return out, errors.New("no sequenceSet with sequences")
	}
	haveTime := false
	for k := range set.Sequences {
		q := &set.Sequences[k]
		code := strings.TrimSpace(q.Code.Code)
		switch kind := q.Value.kind(); {
		case kind == "GLIST_TS" || kind == "GLIST_PQ":
			if haveTime {
				continue
			}
			rate, err := rateOf(q.Value.Increment)
			if err != nil {
				return out, fmt.Errorf("sequence %d %s increment: %w", k+1, code, err)
			}
			out.rate, haveTime = rate, true
			if kind == "GLIST_TS" {
				t, err := parseTS(q.Value.Head.Value)
				if err != nil {
					return out, fmt.Errorf("sequence %d %s head: %w", k+1, code, err)
				}
				out.start = t
			}
		case kind == "SLIST_PQ" && strings.HasPrefix(strings.ToUpper(code), leadPrefix):
			l, err := readLead(code, &q.Value, budget)
			if err != nil {
				return out, fmt.Errorf("sequence %d %s: %w", k+1, code, err)
			}
			out.leads = append(out.leads, l)
		}
	}
	if !haveTime {
		return out, errors.New("no TIME_ABSOLUTE (GLIST_TS) or TIME_RELATIVE (GLIST_PQ) sequence")
	}
	if len(out.leads) == 0 {
		return out, errors.New("no lead sequence (SLIST_PQ with an MDC_ECG_LEAD_ code)")
	}
	return out, nil
}

// leadLabel is the canonical label of an MDC lead code; codes beyond the
// twelve standard leads keep what follows the prefix ("V7", "X", "V3R").
func leadLabel(code string) string {
	l := ecg12.NormalizeLabel(code)
	if strings.HasPrefix(strings.ToUpper(l), leadPrefix) {
		l = l[len(leadPrefix):]
	}
	return l
}

// leadCode is the MDC code written for a label.
func leadCode(label string) string {
	switch label {
	case "aVR", "aVL", "aVF":
		return leadPrefix + strings.ToUpper(label)
	}
	return leadPrefix + label
}

func readLead(code string, v *xValue, budget *int) (ecg12.Lead, error) {
	l := ecg12.Lead{Label: leadLabel(code)}
	scale, err := microvolts(v.Scale, "scale")
	if err != nil {
		return l, err
	}
	if !(scale > 0) || math.IsInf(scale, 0) {
		return l, fmt.Errorf("scale %q %s: not a positive number", v.Scale.Value, v.Scale.Unit)
	}
	origin := 0.0
	if strings.TrimSpace(v.Origin.Value) != "" {
		if origin, err = microvolts(v.Origin, "origin"); err != nil {
			return l, err
		}
	}
	q := origin / scale
	if math.IsNaN(q) || math.Abs(q) > 1<<30 {
		return l, fmt.Errorf("origin %v µV is %v scale steps", origin, q)
	}
	l.Scale, l.Baseline = scale, -int32(math.Round(q))
	if l.Samples, err = parseDigits(v.Digits, budget); err != nil {
		return l, fmt.Errorf("digits: %w", err)
	}
	return l, nil
}

// unitScale is µV per unit of the voltage units carts write.
var unitScale = map[string]float64{"uv": 1, "µv": 1, "μv": 1, "mv": 1e3, "v": 1e6, "nv": 1e-3}

func microvolts(pq xValue2, what string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(pq.Value), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%s value %q: not a number", what, pq.Value)
	}
	k, ok := unitScale[strings.ToLower(strings.TrimSpace(pq.Unit))]
	if !ok {
		if v == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("%s unit %q: not a voltage", what, pq.Unit)
	}
	return v * k, nil
}

// rateOf is the sampling rate of a sequence increment in s, ms or µs. A
// rate within a part in 10⁹ of a whole microhertz is snapped to it, so that
// 1/0.002 is exactly 500 and what Encode writes reads back unchanged.
func rateOf(inc xValue2) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(inc.Value), 64)
	if err != nil {
		return 0, fmt.Errorf("value %q: not a number", inc.Value)
	}
	switch strings.TrimSpace(inc.Unit) {
	case "s", "":
	case "ms":
		v /= 1e3
	case "us", "µs", "μs":
		v /= 1e6
	default:
		return 0, fmt.Errorf("unit %q: not a time", inc.Unit)
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q %s: not a positive interval", inc.Value, inc.Unit)
	}
	rate := 1 / v
	if rate < 1e-3 || rate > 1e7 {
		return 0, fmt.Errorf("%q %s: sampling rate %v Hz out of range", inc.Value, inc.Unit, rate)
	}
	if r := math.Round(rate*1e6) / 1e6; math.Abs(r-rate) <= rate*1e-9 {
		rate = r
	}
	return rate, nil
}

// maxDigit bounds a count so that count − Baseline cannot overflow.
const maxDigit = 1 << 30

// parseDigits reads space-separated integers, taking each from budget.
func parseDigits(s string, budget *int) ([]int32, error) {
	var out []int32
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		n, err := strconv.ParseInt(s[i:j], 10, 32)
		if err != nil || n > maxDigit || n < -maxDigit {
			tok := s[i:j]
			if len(tok) > 20 {
				tok = tok[:20] + "…"
			}
			return nil, fmt.Errorf("digit %d %q: not an integer within ±2³⁰", len(out)+1, tok)
		}
		if *budget <= 0 {
			return nil, fmt.Errorf("more than %d samples in the file", maxSamples)
		}
		*budget--
		out = append(out, int32(n))
		i = j
	}
	if len(out) == 0 {
		return nil, errors.New("no digits")
	}
	return out, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// sameLength checks the leads of a series that Record.Validate does not
// cover (the median).
func sameLength(leads []ecg12.Lead) error {
	seen := map[string]bool{}
	for _, l := range leads {
		if seen[l.Label] {
			return fmt.Errorf("lead %s twice", l.Label)
		}
		seen[l.Label] = true
		if len(l.Samples) != len(leads[0].Samples) {
			return fmt.Errorf("lead %s has %d samples, lead %s %d", l.Label, len(l.Samples), leads[0].Label, len(leads[0].Samples))
		}
	}
	return nil
}
