package datex

import (
	"math"

	"telewave/devices/sim"
)

// waveGen yields one wave's counts (0.01 of its unit) at its rate.
type waveGen struct {
	typ  WaveType
	id   string
	rate float64
	next func() int16
}

// counts converts a physical value to 0.01-unit counts, kept clear of the
// flag range.
func counts(v float64) int16 {
	return int16(max(float64(FlagLimit+1), min(32767, math.Round(v*100))))
}

// fromSource reads a source at the wave's rate and maps its values.
func fromSource(src sim.Source, rate float64, f func(float64) float64) func() int16 {
	src = sim.Resample(src, rate)
	frame := make([]float64, src.Channels())
	return func() int16 {
		if src.Next(frame) != nil {
			return FlagInvalid
		}
		return counts(f(frame[0]))
	}
}

// newWaveGen returns the generator of a requested wave: the ECG and pleth
// sources for ECG and pleth, an arterial pressure shaped like the pleth, a
// capnogram at 12 breaths/min, and a slow sine for anything else.
func (s *Simulator) newWaveGen(w WaveType, seed int64) *waveGen {
	g := &waveGen{typ: w, id: w.Signal().ID, rate: w.Rate()}
	ident := func(v float64) float64 { return v }
	switch w {
	case WaveECG1, WaveECG2, WaveECG3:
		src := s.ECG
		if src == nil || w != WaveECG1 {
			src = sim.NewSyntheticECG(72, 1+seed)
		}
		g.next = fromSource(src, g.rate, ident)
	case WavePleth:
		src := s.Pleth
		if src == nil {
			src = sim.NewSyntheticPleth(72, 2)
		}
		g.next = fromSource(src, g.rate, func(v float64) float64 { return 100 * v })
	case WaveINVP1, WaveINVP2, WaveINVP3, WaveINVP4, WaveINVP5, WaveINVP6:
		g.next = fromSource(sim.NewSyntheticPleth(72, 3+seed), g.rate, func(v float64) float64 { return 75 + 50*v })
	case WaveCO2:
		n := 0
		g.next = func() int16 {
			t := float64(n) / g.rate
			n++
			phase := math.Mod(t, 5) / 5 // 12 breaths/min: inspire 40 %, expire 60 %
			if phase < 0.4 {
				return counts(0.2)
			}
			rise := math.Min(1, (phase-0.4)/0.08)
			return counts(0.2 + 5*rise)
		}
	default:
		n := 0
		g.next = func() int16 {
			n++
			return counts(10 * math.Sin(2*math.Pi*float64(n)/g.rate/4))
		}
	}
	return g
}
