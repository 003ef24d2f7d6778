package pcg

import "math"

// emissionModel gives, for each of the four states, the probability of
// that state given one frame's features, by logistic regression (one
// state against the other three), and the share of frames in that state.
// As in Springer et al. (2016), the HSMM's emission probability is then
// P(o|state) = P(state|o)·P(o)/P(state); P(o) is the same for every path
// through a recording and so is left out.
type emissionModel struct {
	// weights[j] are the bias and the weights of the features of state
	// j (0 S1, 1 systole, 2 S2, 3 diastole) in the logistic regression.
	weights [4][numFeatures + 1]float64
	// prior[j] is the share of training frames in state j.
	prior [4]float64
}

// logEmissions returns log P(o_t|state j), up to a term common to all
// states, for every frame t of f.
func (m *emissionModel) logEmissions(f *features) [4][]float64 {
	n := f.frames()
	var out [4][]float64
	for j := range out {
		out[j] = make([]float64, n)
		lp := math.Log(m.prior[j])
		w := &m.weights[j]
		for t := range n {
			z := w[0]
			for k := range numFeatures {
				z += w[k+1] * f.obs[k][t]
			}
			out[j][t] = logSigmoid(z) - lp
		}
	}
	return out
}

// logSigmoid is log(1/(1+e^-z)) without overflow, floored so that no
// frame can veto a state outright.
func logSigmoid(z float64) float64 {
	var v float64
	if z >= 0 {
		v = -math.Log1p(math.Exp(-z))
	} else {
		v = z - math.Log1p(math.Exp(z))
	}
	return math.Max(v, math.Log(1e-6))
}
