package filter

import "slices"

// ZeroPhase filters in forward and then backward through the sections of
// c, writing to out (at least len(in), may alias in). The result has no
// phase shift and the squared magnitude response of c. c's streaming state
// is neither used nor changed.
//
// Edges: the signal is extended at each end by an odd (point-symmetric)
// reflection as long as the slowest section takes to settle, capped at
// len(in)-1, and each pass starts from the steady state of its first
// sample, so neither edge rings.
func (c *Cascade) ZeroPhase(in, out []float64) {
	n := len(in)
	if len(out) < n {
		panic("filter: out shorter than in")
	}
	if n == 0 {
		return
	}
	pad := min(c.settle(), n-1)
	ext := make([]float64, n+2*pad)
	for i := 0; i < pad; i++ {
		ext[i] = 2*in[0] - in[pad-i]
		ext[pad+n+i] = 2*in[n-1] - in[n-2-i]
	}
	copy(ext[pad:], in)

	w := &Cascade{sections: c.sections, state: make([][2]float64, len(c.sections))}
	w.Prime(ext[0])
	w.Process(ext, ext)
	slices.Reverse(ext)
	w.Prime(ext[0])
	w.Process(ext, ext)
	slices.Reverse(ext)
	copy(out, ext[pad:pad+n])
}
