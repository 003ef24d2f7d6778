package audiofilter

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Timing of the sound path.
const (
	// Crossfade is how long a mode switch blends the old mode's output
	// into the new one's.
	Crossfade = 0.020 // seconds
	// Release is the limiter's recovery time constant after a peak.
	Release = 0.150 // seconds
	// GainSmoothing is the time constant with which a new gain is reached.
	GainSmoothing = 0.010 // seconds
	// Ceiling is the largest magnitude Process ever writes (−1 dBFS).
	Ceiling = 0.891
	// MaxGainDB bounds SetGain.
	MaxGainDB = 40
)

// Stethoscope is the sound path of one chest piece: filter mode, gain,
// limiter. Process runs on the audio goroutine; SetMode and SetGain may be
// called from any goroutine at any time and take effect at the next block.
//
// All three mode filters run on every sample, so a newly chosen mode's
// filter is already in its steady state when it fades in: a switch is a
// 20 ms raised-cosine crossfade between two settled outputs, with no
// filter start-up transient to click.
type Stethoscope struct {
	modeReq atomic.Int32
	gainReq atomic.Uint64 // math.Float64bits of the linear gain
	meter   atomic.Uint64 // math.Float64bits of the limiter gain after the last block

	filters  [numModes]bandFilter
	mode     Mode // the mode being faded to (or playing)
	from     Mode // the mode being faded from
	fadeLen  int
	fadeLeft int

	gain        float64 // current linear gain, moving toward the request
	gainCoef    float64
	reduction   float64 // limiter gain, ≤ 1
	releaseCoef float64
}

// New returns the sound path for a device at rate Hz, in mode at 0 dB.
func New(rate int, mode Mode) (*Stethoscope, error) {
	if rate < 1000 || rate > 384000 {
		return nil, fmt.Errorf("audiofilter: rate %d Hz outside 1000–384000", rate)
	}
	if mode < 0 || mode >= numModes {
		return nil, fmt.Errorf("audiofilter: unknown mode %d", mode)
	}
	fs := float64(rate)
	s := &Stethoscope{
		mode: mode, from: mode,
		fadeLen:     max(1, int(Crossfade*fs)),
		gain:        1,
		gainCoef:    1 - math.Exp(-1/(GainSmoothing*fs)),
		reduction:   1,
		releaseCoef: 1 - math.Exp(-1/(Release*fs)),
	}
	for m := range s.filters {
		s.filters[m] = newBandFilter(Mode(m), fs)
	}
	s.modeReq.Store(int32(mode))
	s.gainReq.Store(math.Float64bits(1))
	s.meter.Store(math.Float64bits(1))
	return s, nil
}

// SetMode asks for a filter mode. A switch requested during a crossfade
// waits for it to end.
func (s *Stethoscope) SetMode(m Mode) {
	if m >= 0 && m < numModes {
		s.modeReq.Store(int32(m))
	}
}

// Mode returns the last mode asked for.
func (s *Stethoscope) Mode() Mode { return Mode(s.modeReq.Load()) }

// SetGain sets the listening gain in dB, clamped to ±MaxGainDB.
func (s *Stethoscope) SetGain(dB float64) {
	if math.IsNaN(dB) {
		return
	}
	dB = math.Max(-MaxGainDB, math.Min(MaxGainDB, dB))
	s.gainReq.Store(math.Float64bits(math.Pow(10, dB/20)))
}

// Process filters, amplifies and limits buf in place.
func (s *Stethoscope) Process(buf []float32) {
	if req := Mode(s.modeReq.Load()); req != s.mode && s.fadeLeft == 0 {
		s.from, s.mode, s.fadeLeft = s.mode, req, s.fadeLen
	}
	target := math.Float64frombits(s.gainReq.Load())
	for i, v := range buf {
		x := float64(v)
		if x != x { // NaN from a faulty source is silence, not a poisoned filter
			x = 0
		}
		var outs [numModes]float64
		for m := range s.filters {
			outs[m] = s.filters[m].step(x)
		}
		y := outs[s.mode]
		if s.fadeLeft > 0 {
			w := 0.5 - 0.5*math.Cos(math.Pi*float64(s.fadeLen-s.fadeLeft)/float64(s.fadeLen))
			y = (1-w)*outs[s.from] + w*y
			s.fadeLeft--
		}
		s.gain += (target - s.gain) * s.gainCoef
		buf[i] = float32(s.limit(y * s.gain))
	}
	s.meter.Store(math.Float64bits(s.reduction))
}

// limit is a peak limiter without look-ahead: the attack is instant (the
// gain drops on the very sample that would exceed Ceiling, so nothing
// overshoots), the release exponential. The final clamp only guards
// against rounding.
func (s *Stethoscope) limit(y float64) float64 {
	a := math.Abs(y)
	want := 1.0
	if a > Ceiling {
		want = Ceiling / a
	}
	if want < s.reduction {
		s.reduction = want
	} else {
		s.reduction += (want - s.reduction) * s.releaseCoef
	}
	return math.Max(-Ceiling, math.Min(Ceiling, y*s.reduction))
}

// Reduction returns the limiter's present gain reduction in dB (0 when
// idle, negative while it holds a peak down) after the last block, for a
// level meter on any goroutine.
func (s *Stethoscope) Reduction() float64 {
	return 20 * math.Log10(math.Float64frombits(s.meter.Load()))
}
