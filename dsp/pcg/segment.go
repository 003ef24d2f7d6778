package pcg

import "math"

//go:generate env CGO_ENABLED=0 go test -run ^TestTrainedEmissions$ -update .

// Params are the tunable constants of the segmentation. Default holds the
// values used everywhere: published physiology (Schmidt et al. 2010,
// Springer et al. 2016) for the durations, and the emission model trained
// on the training half of the CirCor subset (see SplitHalves).
type Params struct {
	S1Mean, S2Mean float64 // mean sound durations, seconds
	SoundSD        float64 // spread of S1 and S2 durations, seconds
	SystoleSD      float64 // spread of systole, seconds
	DiastoleSDFrac float64 // spread of diastole as a fraction of its mean
	// Candidates is how many heart-cycle hypotheses are decoded.
	Candidates int

	// emissions replaces the trained model, for cross-validation.
	emissions *emissionModel
}

// Default are the parameters Segment uses.
var Default = Params{
	S1Mean: 0.122, S2Mean: 0.094, SoundSD: 0.022, SystoleSD: 0.025, DiastoleSDFrac: 0.07,
	Candidates: 8,
}

// MinRate is the lowest sample rate Segment accepts: the features need
// the band up to 200 Hz.
const MinRate = 500

// Segment splits a mono heart-sound recording at rate Hz into S1,
// systole, S2 and diastole, and returns the states in time order, covering
// the whole recording in FeatureRate steps, with the heart rate in beats
// per minute. Recordings shorter than two seconds or sampled below
// MinRate give nothing.
func Segment(samples []float32, rate int) ([]Interval, float64) {
	return Default.Segment(samples, rate)
}

// Segment is the package-level Segment with these parameters.
func (p Params) Segment(samples []float32, rate int) ([]Interval, float64) {
	if rate < MinRate || len(samples) < 2*rate {
		return nil, 0
	}
	f := extract(samples, rate)
	m := p.emissions
	if m == nil {
		m = &trainedEmissions
	}
	emit := m.logEmissions(&f)
	// Each timing hypothesis is decoded; the likeliest path wins, which
	// settles between a cycle and its double or its systolic interval.
	var states []int
	var cycle float64
	bestP := math.Inf(-1)
	for _, c := range cycleCandidates(f.logHomomorphic, p.Candidates) {
		s, logP := decode(emit, newDurationModel(p, c.cycle, c.systolic))
		if logP > bestP {
			states, cycle, bestP = s, c.cycle, logP
		}
	}

	if states == nil {
		return nil, 0
	}
	var out []Interval
	secs := func(frame int) float64 { return float64(f.frameStart[frame]) / float64(rate) }
	for t := 0; t < len(states); {
		u := t
		for u < len(states) && states[u] == states[t] {
			u++
		}
		out = append(out, Interval{Start: secs(t), End: secs(u), State: State(states[t] + 1)})
		t = u
	}
	return out, 60 / cycle
}
