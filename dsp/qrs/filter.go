package qrs

import "math"

// biquad is a second-order IIR section in transposed direct form II.
type biquad struct {
	b0, b1, b2, a1, a2 float64
	z1, z2             float64
}

func (f *biquad) step(x float64) float64 {
	y := f.b0*x + f.z1
	f.z1 = f.b1*x - f.a1*y + f.z2
	f.z2 = f.b2*x - f.a2*y
	return y
}

// lowPass and highPass are second-order Butterworth sections (Q = 1/√2)
// at corner fc Hz for sampling rate fs, by the bilinear transform.
func lowPass(fc, fs float64) biquad {
	k := math.Tan(math.Pi * fc / fs)
	n := 1 / (1 + math.Sqrt2*k + k*k)
	b0 := k * k * n
	return biquad{b0: b0, b1: 2 * b0, b2: b0, a1: 2 * (k*k - 1) * n, a2: (1 - math.Sqrt2*k + k*k) * n}
}

func highPass(fc, fs float64) biquad {
	k := math.Tan(math.Pi * fc / fs)
	n := 1 / (1 + math.Sqrt2*k + k*k)
	return biquad{b0: n, b1: -2 * n, b2: n, a1: 2 * (k*k - 1) * n, a2: (1 - math.Sqrt2*k + k*k) * n}
}
