//go:build tune

package pcg

// Development sweeps on the tuning half of CirCor, how the emission
// constants were chosen: go test -tags tune -run Tune ./dsp/pcg

import "testing"

// TestTuneSweep is how the emission constants were chosen: on the tuning
// half only. It runs only when TELEWAVE_PCG_SWEEP is set.
func TestTuneSweep(t *testing.T) {
	dir := sharedData(t, "heart-sounds/circor")
	_, tune := SplitHalves(circorNames(t, dir))
	for _, thr := range []float64{0, 0.3, 0.6} {
		for _, slope := range []float64{1.5, 2.5, 4} {
			for _, dsd := range []float64{0.07, 0.12, 0.2} {
				p := Default
				p.Threshold, p.Slope, p.DiastoleSDFrac = thr, slope, dsd
				r := scoreHalf(t, p, dir, tune, false)
				t.Logf("thr %.1f slope %.1f dsd %.2f: S1 %.3f S2 %.3f HR err %.1f", thr, slope, dsd, r.s1.F1(), r.s2.F1(), meanOf(r.hrErr))
			}
		}
	}
}

// TestTuningHalfDetail prints every tuning-half recording's scores, for
// development; it runs only when TELEWAVE_PCG_SWEEP is set.
func TestTuningHalfDetail(t *testing.T) {
	dir := sharedData(t, "heart-sounds/circor")
	_, tune := SplitHalves(circorNames(t, dir))
	r := scoreHalf(t, Default, dir, tune, true)
	t.Logf("tuning half: %d recordings, S1 F1 %.3f, S2 F1 %.3f, mean |HR error| %.1f bpm", r.nRecords, r.s1.F1(), r.s2.F1(), meanOf(r.hrErr))
}

func TestTuneCandidates(t *testing.T) {
	dir := sharedData(t, "heart-sounds/circor")
	_, tune := SplitHalves(circorNames(t, dir))
	for _, n := range []int{1, 2, 3, 5} {
		p := Default
		p.Candidates = n
		r := scoreHalf(t, p, dir, tune, false)
		t.Logf("candidates %d: S1 %.3f S2 %.3f HR err %.1f", n, r.s1.F1(), r.s2.F1(), meanOf(r.hrErr))
	}
}
