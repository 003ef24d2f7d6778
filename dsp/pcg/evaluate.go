package pcg

import (
	"math"
	"slices"
	"sort"
)

// MatchWindow is the largest distance between the centres of a detected
// and an annotated sound for them to count as the same sound.
const MatchWindow = 0.060

// Counts are the matches of one sound (S1 or S2) in one recording.
type Counts struct {
	TP, FP, FN int
}

// F1 returns 2TP / (2TP + FP + FN), or NaN with nothing to score.
func (c Counts) F1() float64 {
	if d := 2*c.TP + c.FP + c.FN; d > 0 {
		return float64(2*c.TP) / float64(d)
	}
	return math.NaN()
}

// Add returns the sum of two counts.
func (c Counts) Add(o Counts) Counts { return Counts{c.TP + o.TP, c.FP + o.FP, c.FN + o.FN} }

// Score compares a segmentation with a reference one, sound by sound.
type Score struct {
	S1, S2 Counts
	// RefHR and HR are the heart rates in beats per minute from the
	// reference (median S1-to-S1 interval within annotated stretches) and
	// from the detector.
	RefHR, HR float64
	// States is the state-by-state agreement over the annotated time.
	States StateAgreement
}

// agreementStep is the spacing of the instants at which StateAgreement
// compares the reference and the detected state.
const agreementStep = 0.010

// StateAgreement counts the instants, every 10 ms of annotated reference
// time, at which the detected state equals the reference state, by
// reference state (indexed by State; index 0 is unused).
type StateAgreement struct {
	Annotated, Agreed [5]int
}

// Add returns the sum of two agreements.
func (a StateAgreement) Add(o StateAgreement) StateAgreement {
	for i := range a.Annotated {
		a.Annotated[i] += o.Annotated[i]
		a.Agreed[i] += o.Agreed[i]
	}
	return a
}

// Of returns the share of state s's annotated time that was detected as
// s, or NaN without any.
func (a StateAgreement) Of(s State) float64 {
	if a.Annotated[s] == 0 {
		return math.NaN()
	}
	return float64(a.Agreed[s]) / float64(a.Annotated[s])
}

// Accuracy returns the share of all annotated time detected in the
// reference's state, or NaN without any.
func (a StateAgreement) Accuracy() float64 {
	n, k := 0, 0
	for i := range a.Annotated {
		n += a.Annotated[i]
		k += a.Agreed[i]
	}
	if n == 0 {
		return math.NaN()
	}
	return float64(k) / float64(n)
}

// agreement samples the reference's annotated intervals every
// agreementStep and looks up the detected state at each instant.
func agreement(ref, det []Interval) StateAgreement {
	det = slices.Clone(det)
	slices.SortStableFunc(det, func(a, b Interval) int { return cmpFloat(a.Start, b.Start) })
	stateAt := func(t float64) State {
		i := sort.Search(len(det), func(i int) bool { return det[i].Start > t })
		if i > 0 && det[i-1].End > t {
			return det[i-1].State
		}
		return Unannotated
	}
	var a StateAgreement
	for _, iv := range ref {
		if iv.State == Unannotated || iv.State > Diastole {
			continue
		}
		// Bounded: at most 1e6 instants per interval.
		n := min(1e6, math.Floor((iv.End-iv.Start)/agreementStep+1e-6))
		for k := 0.0; k < n; k++ {
			a.Annotated[iv.State]++
			if stateAt(iv.Start+(k+0.5)*agreementStep) == iv.State {
				a.Agreed[iv.State]++
			}
		}
	}
	return a
}

// Evaluate scores detected intervals against a reference: a detected S1
// (S2) whose centre lies within MatchWindow of an annotated S1 (S2) centre
// is a true positive, each annotated sound matching at most one detected
// one. Detected sounds whose centre falls outside the annotated stretches
// (state 0, or beyond the reference) are not scored. States compares the
// two state by state every 10 ms of annotated time.
func Evaluate(ref, det []Interval, hr float64) Score {
	annotated := annotatedSpans(ref)
	inside := func(t float64) bool {
		i := sort.Search(len(annotated), func(i int) bool { return annotated[i][1] >= t })
		return i < len(annotated) && annotated[i][0] <= t
	}
	centres := func(ivs []Interval, s State, keep func(float64) bool) []float64 {
		var c []float64
		for _, iv := range ivs {
			if iv.State == s && keep(iv.Centre()) {
				c = append(c, iv.Centre())
			}
		}
		slices.Sort(c)
		return c
	}
	all := func(float64) bool { return true }
	sc := Score{HR: hr, RefHR: referenceHR(ref)}
	sc.S1 = match(centres(ref, S1, all), centres(det, S1, inside))
	sc.S2 = match(centres(ref, S2, all), centres(det, S2, inside))
	sc.States = agreement(ref, det)
	return sc
}

// annotatedSpans merges the reference's annotated intervals into sorted,
// disjoint [start, end] spans.
func annotatedSpans(ref []Interval) [][2]float64 {
	var spans [][2]float64
	for _, iv := range ref {
		if iv.State != Unannotated {
			spans = append(spans, [2]float64{iv.Start, iv.End})
		}
	}
	slices.SortFunc(spans, func(a, b [2]float64) int { return cmpFloat(a[0], b[0]) })
	var out [][2]float64
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1]+1e-3 {
			out[n-1][1] = math.Max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// match pairs sorted reference and detected centres one to one, nearest
// first, within MatchWindow.
func match(ref, det []float64) Counts {
	type pair struct {
		d    float64
		r, t int
	}
	var pairs []pair
	j0 := 0
	for r, c := range ref {
		for j0 < len(det) && det[j0] < c-MatchWindow {
			j0++
		}
		for j := j0; j < len(det) && det[j] <= c+MatchWindow; j++ {
			pairs = append(pairs, pair{math.Abs(det[j] - c), r, j})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmpFloat(a.d, b.d) })
	usedR, usedD := make([]bool, len(ref)), make([]bool, len(det))
	tp := 0
	for _, p := range pairs {
		if !usedR[p.r] && !usedD[p.t] {
			usedR[p.r], usedD[p.t] = true, true
			tp++
		}
	}
	return Counts{TP: tp, FP: len(det) - tp, FN: len(ref) - tp}
}

// referenceHR is 60 over the median interval between consecutive
// annotated S1 centres with no unannotated stretch between them.
func referenceHR(ref []Interval) float64 {
	var rr []float64
	last := math.NaN()
	for _, iv := range ref {
		switch iv.State {
		case Unannotated:
			last = math.NaN()
		case S1:
			if !math.IsNaN(last) {
				rr = append(rr, iv.Centre()-last)
			}
			last = iv.Centre()
		}
	}
	if len(rr) == 0 {
		return math.NaN()
	}
	slices.Sort(rr)
	return 60 / rr[len(rr)/2]
}
