// Package audiofilter is the live sound path of the electronic
// stethoscope: the acoustic filter modes the instruments themselves offer
// (bell, diaphragm, extended), switched without a click, then gain and a
// peak limiter so that a knock on the chest piece never reaches the
// listener's ears at full scale.
//
// Everything runs on float32 blocks in place, at the device rate, with
// no allocation and no look-ahead (so no added latency beyond the
// filters' own).
package audiofilter

import (
	"fmt"
	"math"

	"telewave/dsp/filter"
)

// Mode is a stethoscope filter mode.
type Mode int32

// The modes, named as on the instruments.
const (
	// Bell favours the low sounds: S3, S4, the rumble of mitral stenosis
	// (20–200 Hz).
	Bell Mode = iota
	// Diaphragm favours the higher sounds: S1, S2, most murmurs, clicks
	// (100–600 Hz).
	Diaphragm
	// Extended passes heart and lung sounds alike (50–2000 Hz).
	Extended
	numModes
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Bell:
		return "bell"
	case Diaphragm:
		return "diaphragm"
	case Extended:
		return "extended"
	}
	return fmt.Sprintf("Mode(%d)", int32(m))
}

// Band returns the mode's pass band in Hz (the −3 dB points).
func (m Mode) Band() (lo, hi float64) {
	switch m {
	case Bell:
		return 20, 200
	case Diaphragm:
		return 100, 600
	}
	return 50, 2000
}

// section is one biquad with its transposed direct form II state.
type section struct {
	b0, b1, b2, a1, a2 float64
	s1, s2             float64
}

func (s *section) step(x float64) float64 {
	y := s.b0*x + s.s1
	s.s1 = s.b1*x - s.a1*y + s.s2
	s.s2 = s.b2*x - s.a2*y
	return y
}

// bandFilter is a 4th-order Butterworth high-pass and low-pass in cascade.
type bandFilter struct {
	sections []section
}

// butterworth4Q are the quality factors of a 4th-order Butterworth's two
// sections.
var butterworth4Q = [2]float64{0.5411961001461969, 1.3065629648763766}

// newBandFilter designs the mode's band at rate Hz. An upper edge at or
// above 0.45 × rate is left out: the converter's own anti-aliasing filter
// already bounds the band there.
func newBandFilter(m Mode, rate float64) bandFilter {
	lo, hi := m.Band()
	var bqs []filter.Biquad
	for _, q := range butterworth4Q {
		bqs = append(bqs, filter.HighPass(lo, rate, q))
	}
	if hi < 0.45*rate {
		for _, q := range butterworth4Q {
			bqs = append(bqs, filter.LowPass(hi, rate, q))
		}
	}
	f := bandFilter{sections: make([]section, len(bqs))}
	for i, b := range bqs {
		f.sections[i] = section{b0: b.B0, b1: b.B1, b2: b.B2, a1: b.A1, a2: b.A2}
	}
	return f
}

func (f *bandFilter) step(x float64) float64 {
	for i := range f.sections {
		x = f.sections[i].step(x)
	}
	return x
}

// ResponseDB returns the mode's designed magnitude response at f Hz for a
// device at rate Hz, in dB: what the settings screen can draw.
func ResponseDB(m Mode, f, rate float64) float64 {
	bf := newBandFilter(m, rate)
	h := complex(1, 0)
	for _, s := range bf.sections {
		h *= filter.Biquad{B0: s.b0, B1: s.b1, B2: s.b2, A1: s.a1, A2: s.a2}.Response(f, rate)
	}
	return 20 * math.Log10(math.Hypot(real(h), imag(h)))
}
