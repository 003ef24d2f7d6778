package wavecodec

// The priors model each energy level's residual magnitude as geometric
// with the level's typical mean, so that short blocks start near the right
// probabilities instead of learning them from one half. They are computed
// with integers only: the decoder must rebuild exactly the encoder's tables.

var priorClasses, priorMant = priors()

func priors() (class [energyLevels][3]classModel, mant [maxClass + 1][energyLevels][3]prob) {
	for level := range energyLevels {
		// pow[j] is theta^(2^j) in 32-bit fixed point, theta = P(|r| >= t+1 | |r| >= t).
		var pow [maxClass + 1]uint64
		pow[0] = theta(level)
		for j := 1; j < len(pow); j++ {
			pow[j] = pow[j-1] * pow[j-1] >> 32
		}
		// P(n <= j) = 1 - theta^(2^j) = 1 - pow[j].
		var cm classModel
		if g := guess(level); g > 0 {
			cm.start = prob{q16(pow[g-1]), priorCount}
		}
		for k := range maxClass {
			// P(n > k | n >= k) is theta for k = 0, theta^(2^(k-1)) after.
			p := pow[0]
			if k > 0 {
				p = pow[k-1]
				// P(n < k | n <= k) = P(n <= k-1) / P(n <= k).
				q := uint64(1 << 31)
				if below := 1<<32 - pow[k]; below > 0 {
					q = (1<<32 - pow[k-1]) << 31 / below << 1
				}
				cm.down[k] = prob{q16(q), priorCount}
			}
			cm.up[k] = prob{q16(p), priorCount}
		}
		for trend := range 3 {
			class[level][trend] = cm
		}
		for n := 2; n <= maxClass; n++ {
			// Within [L, 2L), L = 2^(n-1), the upper half holds r/(1+r)
			// of the mass with r = theta^(L/2); each quarter likewise
			// with theta^(L/4).
			r := pow[n-2]
			mant[n][level][0] = prob{q16(r << 32 / (1<<32 + r)), priorCount}
			half := uint64(1 << 31)
			if n >= 3 {
				half = pow[n-3] << 32 / (1<<32 + pow[n-3])
			}
			mant[n][level][1] = prob{q16(half), priorCount}
			mant[n][level][2] = prob{q16(half), priorCount}
		}
	}
	return class, mant
}

// theta is the geometric ratio mu/(1+mu) for the mean |r| that an energy
// level stands for, in 32-bit fixed point. Level 2l-1 is a running mean
// near 2^(l-1)/4, level 2l near 1.5 times that; the factor 1.2 centres
// each level.
func theta(level int) uint64 {
	a20 := uint64(10) // 20 times the mean |r| times 4
	if level > 0 {
		l := uint((level + 1) / 2)
		a20 = 24 << (l - 1)
		if level%2 == 0 {
			a20 = 36 << (l - 1)
		}
	}
	return a20 << 32 / (80 + a20)
}

// q16 converts a 32-bit fixed-point probability to a coder probability.
func q16(p uint64) uint16 {
	return uint16(min(max(p>>16, probMin), probOne-probMin))
}
