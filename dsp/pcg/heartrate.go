package pcg

import (
	"math"
	"slices"
)

// Heart-rate search range. Children's hearts (CirCor is a paediatric
// database) beat up to about 200 per minute, so the shortest cycle looked
// for is 0.3 s; the longest, 2 s, is 30 per minute.
const (
	minCycle = 0.3
	maxCycle = 2.0
)

// timing is one hypothesis of the heart cycle and the systolic interval
// (S1 onset to S2 onset), in seconds.
type timing struct {
	cycle, systolic float64
}

// autocorrelation returns the normalised autocorrelation of x (mean
// removed) for lags 0..maxLag.
func autocorrelation(x []float64, maxLag int) []float64 {
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(max(1, len(x)))
	ac := make([]float64, maxLag+1)
	for lag := range ac {
		s := 0.0
		for i := 0; i+lag < len(x); i++ {
			s += (x[i] - mean) * (x[i+lag] - mean)
		}
		ac[lag] = s
	}
	if norm := ac[0]; norm > 0 {
		for i := range ac {
			ac[i] /= norm
		}
	}
	return ac
}

// cycleCandidates returns up to n timing hypotheses from the envelope at
// FeatureRate, the likeliest first. Cycles are autocorrelation peaks in
// the search range. A peak at the systolic interval (S1 against S2) can
// outscore the cycle itself when breathing makes the cycle vary, so each
// peak is scored with the one at twice its lag too: a true cycle repeats,
// a systolic interval does not. The systolic interval of a cycle is the
// highest peak between a fifth and a half of it.
func cycleCandidates(env []float64, n int) []timing {
	hiLag := min(int(maxCycle*FeatureRate), len(env)-2)
	loLag := int(minCycle * FeatureRate)
	if hiLag <= loLag {
		return []timing{{0.8, 0.3}}
	}
	ac := autocorrelation(env, min(2*hiLag+2, len(env)-1))
	score := func(lag int) float64 {
		twice := 0.0
		for l := 2*lag - lag/10 - 1; l <= 2*lag+lag/10+1 && l < len(ac); l++ {
			twice = math.Max(twice, ac[l])
		}
		return ac[lag] + twice
	}
	var peaks []int
	for i := loLag; i <= hiLag; i++ {
		if ac[i] >= ac[i-1] && ac[i] >= ac[i+1] {
			peaks = append(peaks, i)
		}
	}
	if len(peaks) == 0 {
		peaks = []int{argmax(ac, loLag, hiLag)}
	}
	slices.SortStableFunc(peaks, func(a, b int) int { return cmpFloat(score(b), score(a)) })
	var out []timing
	for _, p := range peaks[:min(n, len(peaks))] {
		cycle := refineLag(ac, p) / FeatureRate
		lo := max(int(0.12*FeatureRate), int(math.Round(0.2*cycle*FeatureRate)))
		hi := int(math.Round(0.5 * cycle * FeatureRate))
		sys := 0.4 * cycle
		if hi > lo {
			sys = refineLag(ac, argmaxPeak(ac, lo, hi)) / FeatureRate
		}
		out = append(out, timing{cycle, sys})
	}
	return out
}

// argmaxPeak returns the lag in [lo, hi] of the largest local maximum of
// ac, or of the largest value if there is no local maximum.
func argmaxPeak(ac []float64, lo, hi int) int {
	best, bestV := -1, math.Inf(-1)
	for i := lo; i <= hi; i++ {
		if i > 0 && i+1 < len(ac) && ac[i] >= ac[i-1] && ac[i] >= ac[i+1] && ac[i] > bestV {
			best, bestV = i, ac[i]
		}
	}
	if best >= 0 {
		return best
	}
	return argmax(ac, lo, hi)
}

func argmax(x []float64, lo, hi int) int {
	best := lo
	for i := lo; i <= hi; i++ {
		if x[i] > x[best] {
			best = i
		}
	}
	return best
}

// refineLag places the peak at i between frames by fitting a parabola
// through it and its neighbours.
func refineLag(ac []float64, i int) float64 {
	if i <= 0 || i+1 >= len(ac) {
		return float64(i)
	}
	a, b, c := ac[i-1], ac[i], ac[i+1]
	den := a - 2*b + c
	if den >= 0 {
		return float64(i)
	}
	return float64(i) + 0.5*(a-c)/den
}
