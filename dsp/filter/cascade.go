package filter

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Cascade runs second-order sections in series and keeps their state
// between calls, so a stream filtered in chunks equals the stream filtered
// at once. The sections use the transposed direct form II.
type Cascade struct {
	sections []Biquad
	state    [][2]float64
}

// NewCascade returns a cascade of the given sections with zero state.
func NewCascade(sections ...Biquad) *Cascade {
	s := append([]Biquad(nil), sections...)
	return &Cascade{sections: s, state: make([][2]float64, len(s))}
}

// Sections returns a copy of the cascade's sections.
func (c *Cascade) Sections() []Biquad { return append([]Biquad(nil), c.sections...) }

// Reset clears the state, as after a gap in the signal.
func (c *Cascade) Reset() { clear(c.state) }

// Prime sets the state to what it would be after a long run of x, so that
// a signal starting at an offset does not ring.
func (c *Cascade) Prime(x float64) {
	u := x
	for i, b := range c.sections {
		g := b.dcGain()
		y := g * u
		z2 := b.B2*u - b.A2*y
		z1 := b.B1*u - b.A1*y + z2
		c.state[i] = [2]float64{z1, z2}
		u = y
	}
}

// Process filters in into out. out must be at least as long as in and may
// be the same slice.
func (c *Cascade) Process(in, out []float64) {
	if len(out) < len(in) {
		panic(fmt.Sprintf("filter: out has %d samples, in has %d", len(out), len(in)))
	}
	if len(in) == 0 {
		return
	}
	out = out[:len(in)]
	if &out[0] != &in[0] || len(c.sections) == 0 {
		copy(out, in)
	}
	for i, b := range c.sections {
		z1, z2 := c.state[i][0], c.state[i][1]
		for n, x := range out {
			y := b.B0*x + z1
			z1 = b.B1*x - b.A1*y + z2
			z2 = b.B2*x - b.A2*y
			out[n] = y
		}
		c.state[i] = [2]float64{z1, z2}
	}
}

// Response returns the complex frequency response of the cascade at f Hz.
func (c *Cascade) Response(f, fs float64) complex128 {
	h := complex(1, 0)
	for _, b := range c.sections {
		h *= b.Response(f, fs)
	}
	return h
}

// ResponseDB returns the cascade's gain at f Hz in decibels.
func (c *Cascade) ResponseDB(f, fs float64) float64 {
	return 20 * math.Log10(cmplx.Abs(c.Response(f, fs)))
}

// settle returns how many samples the slowest section needs for its
// impulse response to fall below 1e-3: the padding zero-phase filtering
// needs so that its edges do not ring.
func (c *Cascade) settle() int {
	r := 0.0
	for _, b := range c.sections {
		r = math.Max(r, b.poleRadius())
	}
	if r <= 0 {
		return 0
	}
	if r >= 1 {
		return math.MaxInt32
	}
	return int(math.Ceil(math.Log(1e-3) / math.Log(r)))
}
