package pleth

import (
	"math"
	"math/rand/v2"
)

// synth describes a synthetic pleth: beats at a rate, a dicrotic wave,
// respiratory baseline wander and amplitude modulation, white noise.
type synth struct {
	fs      float64
	rate    func(t float64) float64 // beats per minute at time t
	noise   float64                 // standard deviation, pulse height 1
	wander  float64                 // baseline wander amplitude
	offset  float64                 // DC level, as raw counts have
	dropout [2]float64              // seconds [from, to) replaced by 0
	seed    uint64
	gain    func(t float64) float64 // pulse height over time; nil means 1
}

// generate returns secs seconds of samples and the true beat times (the
// systolic upstroke, at phase 0.15 of each beat).
func (s synth) generate(secs float64) (x []float64, beats []float64) {
	r := rand.New(rand.NewPCG(s.seed, 99))
	n := int(secs * s.fs)
	x = make([]float64, n)
	phase := 0.0
	for i := range x {
		t := float64(i) / s.fs
		prev := phase
		phase += s.rate(t) / 60 / s.fs
		if math.Floor(phase+0.85) > math.Floor(prev+0.85) { // crossed phase 0.15
			beats = append(beats, t)
		}
		ph := phase - math.Floor(phase)
		g := func(mu, sigma float64) float64 { d := (ph - mu) / sigma; return math.Exp(-d * d / 2) }
		pulse := g(0.22, 0.07) + 0.35*g(0.55, 0.08)
		resp := math.Sin(2 * math.Pi * 0.25 * t)
		if s.gain != nil {
			pulse *= s.gain(t)
		}
		x[i] = s.offset + pulse*(1+0.15*resp) + s.wander*resp + s.noise*r.NormFloat64()
		if t >= s.dropout[0] && t < s.dropout[1] {
			x[i] = 0
		}
	}
	return x, beats
}

func constant(bpm float64) func(float64) float64 { return func(float64) float64 { return bpm } }
