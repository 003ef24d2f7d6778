// Package ec57 scores a beat detector against reference annotations beat
// by beat, as ANSI/AAMI EC57 asks: a detected beat matches a reference
// beat when they lie within 150 ms of each other, scoring starts 5 minutes
// into the record, and ventricular flutter or fibrillation episodes are
// left out on both sides.
package ec57

import (
	"math"
	"slices"
)

// MatchWindow is EC57's matching window: a detection within this many
// seconds of a reference beat is a true positive.
const MatchWindow = 0.150

// StartSeconds is where EC57 starts scoring a record: the first 5 minutes
// are a detector's learning period.
const StartSeconds = 300

// Interval is a half-open span of samples [From, To) left out of scoring.
type Interval struct {
	From, To int64
}

// Contains reports whether sample s lies in the interval.
func (iv Interval) Contains(s int64) bool { return s >= iv.From && s < iv.To }

// Result counts one comparison. Se is the sensitivity TP/(TP+FN) and PP
// the positive predictivity TP/(TP+FP); each is 1 when its denominator is
// 0 (nothing to miss, nothing detected).
type Result struct {
	TP, FN, FP int
	Se, PP     float64
}

// Score matches test against ref (beat sample numbers at rate Hz) and
// counts the matches at or after sample from that lie outside every
// excluded interval. A pair counts where its reference beat lies; an
// unmatched detection where it lies. Each reference beat takes at most one
// detection, the nearest, unless that detection is nearer still to the
// next reference beat.
func Score(ref, test []int64, rate float64, from int64, exclude []Interval) Result {
	ref, test = sorted(ref), sorted(test)
	w := int64(math.Round(MatchWindow * rate))
	scored := func(s int64) bool {
		if s < from {
			return false
		}
		for _, iv := range exclude {
			if iv.Contains(s) {
				return false
			}
		}
		return true
	}
	var r Result
	i, j := 0, 0
	for i < len(ref) && j < len(test) {
		a, b := ref[i], test[j]
		switch {
		case b < a-w:
			if scored(b) {
				r.FP++
			}
			j++
		case b > a+w:
			if scored(a) {
				r.FN++
			}
			i++
		case j+1 < len(test) && abs(test[j+1]-a) < abs(b-a) &&
			!(i+1 < len(ref) && abs(test[j+1]-ref[i+1]) < abs(test[j+1]-a)):
			// The next detection fits this beat better: this one is extra.
			if scored(b) {
				r.FP++
			}
			j++
		default:
			if scored(a) {
				r.TP++
			}
			i++
			j++
		}
	}
	for ; i < len(ref); i++ {
		if scored(ref[i]) {
			r.FN++
		}
	}
	for ; j < len(test); j++ {
		if scored(test[j]) {
			r.FP++
		}
	}
	return r.finish()
}

// Gross adds the counts of several records and computes Se and +P over
// the sums, EC57's gross statistics.
func Gross(rs []Result) Result {
	var g Result
	for _, r := range rs {
		g.TP += r.TP
		g.FN += r.FN
		g.FP += r.FP
	}
	return g.finish()
}

func (r Result) finish() Result {
	r.Se, r.PP = ratio(r.TP, r.TP+r.FN), ratio(r.TP, r.TP+r.FP)
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func sorted(s []int64) []int64 {
	if slices.IsSorted(s) {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
