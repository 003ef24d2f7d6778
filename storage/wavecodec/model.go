package wavecodec

import "math/bits"

// residualModel holds the adaptive probabilities with which a block's
// prediction residuals are coded. A residual r is binarised as
//
//   - its magnitude class n = bits.Len64(|r|), 0..maxClass, relative to a
//     guess g that the context makes (see classModel);
//   - for n >= 2, the n-1 bits of |r| below its leading one: the top one and
//     the next one modelled, the rest at probability one half;
//   - for n >= 1, its sign, modelled on the previous residual's sign.
//
// The context of the magnitude decisions is the recent residual energy: a
// fast running mean of |r| quantised in half octaves, and whether that mean
// is well below, near, or well above a slow running mean.
type residualModel struct {
	class [energyLevels][3]classModel
	mant  [maxClass + 1][energyLevels][3]prob
	sign  [3]prob
	fast  int64 // running means of |r|, 4 fractional bits
	slow  int64
	last  int // 0: previous residual zero, 1: positive, 2: negative
}

const (
	energyLevels = 48
	maxClass     = 33 // a residual of int32 samples is below 2^33 in magnitude
	fastShift    = 2
	slowShift    = 5
	rateLimit    = 6 // slowest adaptation: 1/64 per update
	priorCount   = 2 // updates a prior is worth
)

// classModel codes a magnitude class n against a guess g: first whether
// n >= g (unless g is 0), then in unary away from g: the decisions "n > k"
// for k = g, g+1, ... until one is false or k reaches maxClass, or "n < k"
// for k = g-1, g-2, ... until one is false or k reaches 0. Starting near the
// likely class takes two or three decisions a sample instead of n+1.
type classModel struct {
	start prob
	up    [maxClass]prob // "n > k" given n >= k
	down  [maxClass]prob // "n < k" given n <= k
}

// guess is the class a residual in an energy level most often has.
func guess(level int) int { return max(0, (level-guessOffset)/2) }

const guessOffset = 2

// prob is an adaptive estimate that a decision is 1, probOne = certain. Its
// adaptation rate starts fast and slows to 1/2^rateLimit.
type prob struct {
	p uint16
	n uint16
}

func (m *prob) update(bit uint32) {
	rate := m.n + 1
	if rate >= rateLimit {
		rate = rateLimit
	} else {
		m.n++
	}
	p := uint32(m.p)
	if bit != 0 {
		p += (probOne - p) >> rate
		p = min(p, probOne-probMin)
	} else {
		p -= p >> rate
		p = max(p, probMin)
	}
	m.p = uint16(p)
}

// contexts returns the energy level and the trend of the coming residual.
func (m *residualModel) contexts() (level, trend int) {
	f, s := m.fast>>2, m.slow>>2
	if f > 0 {
		l := bits.Len64(uint64(f))
		level = 2*l - 1
		if l >= 2 && f&(1<<(l-2)) != 0 {
			level++
		}
		level = min(level, energyLevels-1)
	}
	trend = 1
	if 2*f < s {
		trend = 0
	} else if f > 2*s {
		trend = 2
	}
	return level, trend
}

// observe updates the running state with the magnitude u of a residual and
// its sign class.
func (m *residualModel) observe(u uint64, sign int) {
	v := int64(u << 4)
	m.fast += (v - m.fast) >> fastShift
	m.slow += (v - m.slow) >> slowShift
	m.last = sign
}

func signClass(r int64) int {
	switch {
	case r > 0:
		return 1
	case r < 0:
		return 2
	}
	return 0
}

// reset loads the prior probabilities.
func (m *residualModel) reset() {
	*m = residualModel{class: priorClasses, mant: priorMant}
	for i := range m.sign {
		m.sign[i] = prob{probOne / 2, 0}
	}
}
