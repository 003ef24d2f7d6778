//go:build tune

package pcg

// Development runs on the training half of CirCor only:
// go test -tags tune -run Tune -v ./dsp/pcg

import (
	"testing"
)

// crossValidate splits the training half by patient into two folds,
// trains on one and scores the other, and sums both ways: an estimate of
// held-out performance that never touches the evaluation half.
func crossValidate(t *testing.T, p Params, verbose bool) halfResult {
	dir := sharedData(t, "heart-sounds/circor")
	_, train := SplitHalves(circorNames(t, dir))
	a, b := SplitHalves(train)
	var total halfResult
	for _, fold := range [][2][]string{{a, b}, {b, a}} {
		m, _ := trainOn(t, dir, fold[0])
		q := p
		q.emissions = &m
		r := scoreHalf(t, q, dir, fold[1], verbose)
		total.s1, total.s2 = total.s1.Add(r.s1), total.s2.Add(r.s2)
		total.states = total.states.Add(r.states)
		total.hrErr = append(total.hrErr, r.hrErr...)
		total.nRecords += r.nRecords
	}
	return total
}

func TestTuneCrossValidated(t *testing.T) {
	r := crossValidate(t, Default, testing.Verbose())
	t.Logf("training half, 2-fold by patient: %d recordings, S1 F1 %.3f %+v, S2 F1 %.3f %+v, HR err %.1f",
		r.nRecords, r.s1.F1(), r.s1, r.s2.F1(), r.s2, meanOf(r.hrErr))
	t.Logf("state agreement %.3f: S1 %.3f, systole %.3f, S2 %.3f, diastole %.3f", r.states.Accuracy(),
		r.states.Of(S1), r.states.Of(Systole), r.states.Of(S2), r.states.Of(Diastole))
}

func TestTuneDurations(t *testing.T) {
	for _, dsd := range []float64{0.05, 0.07, 0.1} {
		for _, c := range []int{5, 8, 100} {
			p := Default
			p.DiastoleSDFrac, p.Candidates = dsd, c
			r := crossValidate(t, p, false)
			t.Logf("dsd %.2f cand %d: S1 %.3f S2 %.3f HR err %.1f", dsd, c, r.s1.F1(), r.s2.F1(), meanOf(r.hrErr))
		}
	}
}
