package sim

import (
	"math"
	"math/rand"
)

// ECGRate is the sample rate of NewSyntheticECG.
const ECGRate = 500

// wave is one Gaussian bump of a beat template: amplitude, centre relative
// to the beat's fiducial point and width, all in mV and seconds.
type wave struct{ amp, at, width float64 }

// beatTrain places beats at a mean interval with a little seeded jitter and
// sums each sample over the two beats around it, which is enough for the
// template tails as long as a template spans less than two intervals.
type beatTrain struct {
	rr     float64 // mean interval, s
	jitter float64 // relative RR jitter
	rng    *rand.Rand
	prev   float64 // fiducial time of the beat at or before t
	next   float64
	t      float64
	dt     float64
}

func newBeatTrain(rate, perMin, first float64, seed int64) *beatTrain {
	if perMin <= 0 {
		perMin = 60
	}
	b := &beatTrain{rr: 60 / perMin, jitter: 0.005, rng: rand.New(rand.NewSource(seed)), dt: 1 / rate}
	b.prev = first - b.rr
	b.next = first
	return b
}

// advance returns the current time and the two beat times around it, then
// steps one sample.
func (b *beatTrain) advance() (t, prev, next float64) {
	for b.t >= b.next {
		b.prev = b.next
		b.next += b.rr * (1 + b.jitter*(2*b.rng.Float64()-1))
	}
	t, prev, next = b.t, b.prev, b.next
	b.t += b.dt
	return
}

func (b *beatTrain) interval() float64 { return b.next - b.prev }

func bump(w wave, dt float64) float64 {
	x := (dt - w.at) / w.width
	return w.amp * math.Exp(-0.5*x*x)
}

type syntheticECG struct {
	beats *beatTrain
	rng   *rand.Rand
}

// NewSyntheticECG returns an endless single-lead ECG in mV at 500 Hz with a
// PQRST complex every 60/hr seconds (±0.5 % seeded jitter), a slow baseline
// wander and a little noise. The same seed gives the same signal.
func NewSyntheticECG(hr float64, seed int64) Source {
	return &syntheticECG{beats: newBeatTrain(ECGRate, hr, 0.3, seed), rng: rand.New(rand.NewSource(seed + 1))}
}

func (s *syntheticECG) Rate() float64 { return ECGRate }
func (s *syntheticECG) Channels() int { return 1 }

func (s *syntheticECG) Next(frame []float64) error {
	t, prev, next := s.beats.advance()
	// The T wave moves with the interval (Bazett-like), the QRS does not.
	qt := 0.28 * math.Sqrt(s.beats.interval())
	pqrst := [...]wave{
		{0.12, -0.18, 0.025}, // P
		{-0.12, -0.035, 0.010},
		{1.10, 0, 0.012}, // R
		{-0.25, 0.035, 0.012},
		{0.30, qt, 0.045}, // T
	}
	v := 0.03*math.Sin(2*math.Pi*0.25*t) + 0.005*s.rng.NormFloat64()
	for _, w := range pqrst {
		v += bump(w, t-prev) + bump(w, t-next)
	}
	frame[0] = v
	return nil
}
