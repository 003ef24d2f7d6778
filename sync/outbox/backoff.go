package outbox

import (
	"math/rand/v2"
	"time"
)

// Bounds of DefaultBackoff.
const (
	MinBackoff = time.Second
	MaxBackoff = 5 * time.Minute
)

// DefaultBackoff is ExponentialBackoff(MinBackoff, MaxBackoff, rand.Float64).
func DefaultBackoff(attempt int) time.Duration {
	return defaultBackoff(attempt)
}

var defaultBackoff = ExponentialBackoff(MinBackoff, MaxBackoff, rand.Float64)

// ExponentialBackoff returns a backoff whose ceiling doubles with each
// attempt from lo up to hi, and whose wait is drawn from the upper half
// [ceiling/2, ceiling] by rnd (a source of [0,1)). The jitter keeps a ward
// of workstations that lost the network together from all coming back in
// the same second.
func ExponentialBackoff(lo, hi time.Duration, rnd func() float64) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		ceil := Ceiling(lo, hi, attempt)
		half := ceil / 2
		return half + time.Duration(rnd()*float64(ceil-half))
	}
}

// Ceiling is the largest wait ExponentialBackoff(lo, hi, …) gives for
// attempt: lo·2^(attempt-1), at most hi.
func Ceiling(lo, hi time.Duration, attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if lo <= 0 {
		return 0
	}
	d := lo
	for i := 1; i < attempt; i++ {
		if d >= hi/2 {
			return hi
		}
		d *= 2
	}
	return min(d, hi)
}
