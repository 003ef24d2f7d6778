package sim

import "math/rand"

// PlethRate is the sample rate of NewSyntheticPleth.
const PlethRate = 100

type syntheticPleth struct {
	beats *beatTrain
	rng   *rand.Rand
	peak  float64 // template maximum, so the output spans 0..1
}

// The systolic wave and the smaller diastolic (reflected) wave; the dip
// between them is the dicrotic notch.
var plethWaves = [...]wave{
	{1.0, 0.15, 0.06},
	{0.45, 0.38, 0.07},
}

// NewSyntheticPleth returns an endless photoplethysmogram normalised to
// 0..1 at 100 Hz, one pulse every 60/pr seconds with a dicrotic notch.
func NewSyntheticPleth(pr float64, seed int64) Source {
	peak := 0.0
	for dt := 0.0; dt < 1; dt += 0.001 {
		v := 0.0
		for _, w := range plethWaves {
			v += bump(w, dt)
		}
		peak = max(peak, v)
	}
	return &syntheticPleth{beats: newBeatTrain(PlethRate, pr, 0.1, seed), rng: rand.New(rand.NewSource(seed + 1)), peak: peak}
}

func (s *syntheticPleth) Rate() float64 { return PlethRate }
func (s *syntheticPleth) Channels() int { return 1 }

func (s *syntheticPleth) Next(frame []float64) error {
	t, prev, next := s.beats.advance()
	v := 0.0
	for _, w := range plethWaves {
		v += bump(w, t-prev) + bump(w, t-next)
	}
	v = 0.05 + 0.9*v/s.peak + 0.002*s.rng.NormFloat64()
	frame[0] = min(1, max(0, v))
	return nil
}
