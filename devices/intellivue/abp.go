package intellivue

import (
	"math"
	"math/rand"

	"telewave/devices/sim"
)

// ABPRate is the sample rate of NewSyntheticABP and of the monitor's
// pressure waves.
const ABPRate = 125

type syntheticABP struct {
	rr       float64 // s per beat
	sys, dia float64 // mmHg
	t        float64
	rng      *rand.Rand
	peak     float64
}

// pressure pulse shape: systolic upstroke and decay, then the reflected
// wave after the dicrotic notch, as bumps over one beat.
var abpBumps = [...]struct{ amp, at, width float64 }{
	{1.0, 0.13, 0.055},
	{0.35, 0.34, 0.06},
}

func abpShape(dt float64) float64 {
	v := 0.0
	for _, b := range abpBumps {
		x := (dt - b.at) / b.width
		v += b.amp * math.Exp(-0.5*x*x)
	}
	return v
}

// NewSyntheticABP returns an endless arterial pressure wave in mmHg at 125
// Hz swinging between about dia and sys at hr beats per minute, with a
// dicrotic notch and a little seeded noise.
func NewSyntheticABP(hr, sys, dia float64, seed int64) sim.Source {
	if hr <= 0 {
		hr = 72
	}
	peak := 0.0
	for dt := 0.0; dt < 1; dt += 0.001 {
		peak = max(peak, abpShape(dt))
	}
	return &syntheticABP{rr: 60 / hr, sys: sys, dia: dia, rng: rand.New(rand.NewSource(seed)), peak: peak}
}

func (s *syntheticABP) Rate() float64 { return ABPRate }
func (s *syntheticABP) Channels() int { return 1 }

func (s *syntheticABP) Next(frame []float64) error {
	dt := math.Mod(s.t, s.rr)
	// The tail of the previous beat decays into this one.
	v := (abpShape(dt) + abpShape(dt+s.rr)) / s.peak
	frame[0] = s.dia + (s.sys-s.dia)*v + 0.3*s.rng.NormFloat64()
	s.t += 1.0 / ABPRate
	return nil
}
