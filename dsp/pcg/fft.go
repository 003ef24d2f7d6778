package pcg

import (
	"math"
	"math/bits"
)

// fft transforms x in place (radix 2, len(x) a power of two); inverse
// gives the unscaled inverse transform.
func fft(x []complex128, inverse bool) {
	n := len(x)
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range n {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		step := complex(math.Cos(2*math.Pi/float64(size)), sign*math.Sin(2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				a, b := x[start+k], w*x[start+k+size/2]
				x[start+k], x[start+k+size/2] = a+b, a-b
				w *= step
			}
		}
	}
}

// analyticMagnitude returns |x + i·H(x)|, the Hilbert envelope: the
// analytic signal is built by zeroing the negative frequencies.
func analyticMagnitude(x []float64) []float64 {
	n := 1
	for n < len(x) {
		n <<= 1
	}
	z := make([]complex128, n)
	for i, v := range x {
		z[i] = complex(v, 0)
	}
	fft(z, false)
	for k := 1; k < n/2; k++ {
		z[k] *= 2
	}
	for k := n/2 + 1; k < n; k++ {
		z[k] = 0
	}
	fft(z, true)
	out := make([]float64, len(x))
	for i := range out {
		re, im := real(z[i])/float64(n), imag(z[i])/float64(n)
		out[i] = math.Hypot(re, im)
	}
	return out
}
