package pcg

import "math"

// durationModel is a Gaussian duration per state, in frames, truncated to
// [min, max].
type durationModel struct {
	mean, sd [4]float64
	min, max [4]int
}

// newDurationModel follows Schmidt et al. (2010) and Springer et al.
// (2016): S1 lasts about 122 ms and S2 about 94 ms (sd 22 ms); systole
// fills the systolic interval after S1, diastole the rest of the cycle.
// The diastolic spread is wider than theirs to allow for the sinus
// arrhythmia of children's breathing.
func newDurationModel(p Params, cycle, systolic float64) durationModel {
	var m durationModel
	fr := float64(FeatureRate)
	m.mean[0], m.sd[0] = p.S1Mean*fr, p.SoundSD*fr
	m.mean[2], m.sd[2] = p.S2Mean*fr, p.SoundSD*fr
	m.mean[1] = math.Max(systolic-p.S1Mean, 0.04) * fr
	m.sd[1] = p.SystoleSD * fr
	m.mean[3] = math.Max(cycle-systolic-p.S2Mean, 0.06) * fr
	m.sd[3] = p.DiastoleSDFrac*m.mean[3] + 0.006*fr
	for j := range 4 {
		m.min[j] = max(1, int(math.Floor(m.mean[j]-3*m.sd[j])))
		m.max[j] = max(m.min[j]+1, int(math.Ceil(m.mean[j]+3*m.sd[j])))
	}
	return m
}

// logP is the log probability of a whole segment of d frames in state j.
func (m *durationModel) logP(j, d int) float64 {
	z := (float64(d) - m.mean[j]) / m.sd[j]
	return -0.5*z*z - math.Log(m.sd[j]) - logSqrt2Pi
}

// logSqrt2Pi completes the normal density, so that paths with different
// numbers of segments (different heart rates) compare fairly.
var logSqrt2Pi = 0.5 * math.Log(2*math.Pi)

// logSurvival is the log probability that state j lasts at least d frames:
// the weight of a segment cut off by the start or end of the recording.
func (m *durationModel) logSurvival(j, d int) float64 {
	z := (float64(d) - m.mean[j]) / (m.sd[j] * math.Sqrt2)
	return math.Log(0.5*math.Erfc(z) + 1e-300)
}

// decode finds the most likely sequence of states for the per-frame log
// emission probabilities emit[j][t] (j: 0 S1, 1 systole, 2 S2, 3
// diastole), each state followed by the next in cyclic order. The first
// and last segments may be cut short by the recording's edges. It returns
// the state of every frame and the log probability of the path.
func decode(emit [4][]float64, m durationModel) ([]int, float64) {
	T := len(emit[0])
	if T == 0 {
		return nil, 0
	}
	// cum[j][t] is the sum of emit[j][0:t].
	var cum [4][]float64
	for j := range 4 {
		cum[j] = make([]float64, T+1)
		for t, v := range emit[j] {
			cum[j][t+1] = cum[j][t] + v
		}
	}
	// delta[j][t]: best log probability of frames [0, t) ending with a
	// complete state-j segment at t; dur[j][t]: that segment's length.
	var delta [4][]float64
	var dur [4][]int32
	for j := range 4 {
		delta[j] = make([]float64, T+1)
		dur[j] = make([]int32, T+1)
		for t := range delta[j] {
			delta[j][t] = math.Inf(-1)
		}
	}
	start := math.Log(0.25)
	for t := 1; t <= T; t++ {
		for j := range 4 {
			prev := (j + 3) % 4
			best, bestD := math.Inf(-1), 0
			hi := min(m.max[j], t)
			for d := 1; d <= hi; d++ {
				var v float64
				switch {
				case d == t: // the first segment, cut short by the start
					v = start + m.logSurvival(j, d)
				case t == T: // the last segment, cut short by the end
					v = delta[prev][t-d] + m.logSurvival(j, d)
				case d < m.min[j]:
					continue
				default:
					v = delta[prev][t-d] + m.logP(j, d)
				}
				v += cum[j][t] - cum[j][t-d]
				if v > best {
					best, bestD = v, d
				}
			}
			delta[j][t], dur[j][t] = best, int32(bestD)
		}
	}
	j := 0
	for k := range 4 {
		if delta[k][T] > delta[j][T] {
			j = k
		}
	}
	logP := delta[j][T]
	states := make([]int, T)
	for t := T; t > 0; {
		d := int(dur[j][t])
		if d <= 0 {
			d = t // unreachable path: fill the rest
		}
		for s := t - d; s < t; s++ {
			states[s] = j
		}
		t -= d
		j = (j + 3) % 4
	}
	return states, logP
}
