package filter

import (
	"math"
	"math/cmplx"
)

// Biquad is one second-order IIR section, normalised so that a0 = 1:
//
//	H(z) = (B0 + B1 z⁻¹ + B2 z⁻²) / (1 + A1 z⁻¹ + A2 z⁻²)
//
// The designs follow the bilinear transform with the cut-off pre-warped, as
// in R. Bristow-Johnson's "Audio EQ Cookbook" (public notes).
type Biquad struct {
	B0, B1, B2 float64
	A1, A2     float64
}

// cookbook returns cos(w0) and alpha for a section at f0 Hz with quality q.
func cookbook(f0, fs, q float64) (cosw, alpha float64) {
	w0 := 2 * math.Pi * f0 / fs
	return math.Cos(w0), math.Sin(w0) / (2 * q)
}

func normalise(b0, b1, b2, a0, a1, a2 float64) Biquad {
	return Biquad{B0: b0 / a0, B1: b1 / a0, B2: b2 / a0, A1: a1 / a0, A2: a2 / a0}
}

// LowPass returns a second-order low-pass section at f0 Hz with quality q
// (1/√2 is Butterworth).
func LowPass(f0, fs, q float64) Biquad {
	c, a := cookbook(f0, fs, q)
	return normalise((1-c)/2, 1-c, (1-c)/2, 1+a, -2*c, 1-a)
}

// HighPass returns a second-order high-pass section at f0 Hz with quality q.
func HighPass(f0, fs, q float64) Biquad {
	c, a := cookbook(f0, fs, q)
	return normalise((1+c)/2, -(1 + c), (1+c)/2, 1+a, -2*c, 1-a)
}

// Notch returns a second-order band-stop section centred on f0 Hz whose
// -3 dB bandwidth is f0/q.
func Notch(f0, fs, q float64) Biquad {
	c, a := cookbook(f0, fs, q)
	return normalise(1, -2*c, 1, 1+a, -2*c, 1-a)
}

// Response returns the complex frequency response at f Hz.
func (b Biquad) Response(f, fs float64) complex128 {
	z1 := cmplx.Exp(complex(0, -2*math.Pi*f/fs)) // z⁻¹
	z2 := z1 * z1
	num := complex(b.B0, 0) + complex(b.B1, 0)*z1 + complex(b.B2, 0)*z2
	den := 1 + complex(b.A1, 0)*z1 + complex(b.A2, 0)*z2
	return num / den
}

// dcGain is H(1), the gain for a constant input.
func (b Biquad) dcGain() float64 {
	return (b.B0 + b.B1 + b.B2) / (1 + b.A1 + b.A2)
}

// poleRadius is the largest pole magnitude: how slowly the section forgets.
func (b Biquad) poleRadius() float64 {
	disc := b.A1*b.A1 - 4*b.A2
	if disc < 0 {
		return math.Sqrt(b.A2)
	}
	s := math.Sqrt(disc)
	return math.Max(math.Abs((-b.A1+s)/2), math.Abs((-b.A1-s)/2))
}

// butterworthQ returns the quality factors of the second-order sections of
// an even-order Butterworth filter: poles at angles π(2k+1)/(2n).
func butterworthQ(order int) []float64 {
	qs := make([]float64, order/2)
	for k := range qs {
		theta := math.Pi * float64(2*k+1) / float64(2*order)
		qs[k] = 1 / (2 * math.Cos(theta))
	}
	return qs
}
