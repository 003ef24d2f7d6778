// Package pleth measures pulse rate from a photoplethysmogram (the
// oximeter's pleth wave, typically 60–125 Hz) and averages SpO2 and rate
// over a chosen time, as bedside monitors do.
//
// Beats are found at the steepest point of each systolic upstroke of the
// band-passed (0.3–6 Hz) wave, against a threshold that adapts to the
// pulse amplitude; the foot and the peak of each beat are located around
// it. The rate is 60 over the median of the last 8 beat-to-beat intervals,
// which a single missed or extra beat does not move.
package pleth

import (
	"fmt"
	"math"
	"slices"

	"telewave/dsp/filter"
)

// Beat is one detected pulse. Indices count samples from the start of the
// stream, gaps included.
type Beat struct {
	Upstroke  float64 // steepest point of the upstroke (fractional index): the beat's time
	Foot      int64   // minimum before the upstroke
	Peak      int64   // maximum after it
	Amplitude float64 // peak minus foot, in the input's unit (after filtering)
}

// Tuning of the detector.
const (
	bandLow        = 0.3  // Hz: keeps the fundamental of 40 /min undistorted
	bandHigh       = 6.0  // Hz: the upstroke's content up to 220 /min
	slopeSeconds   = 0.04 // the slope is taken over 40 ms: noise averages out
	learnSeconds   = 2.0  // amplitude learning after a start or a gap
	thresholdRatio = 0.5  // of the running upstroke-slope estimate
	minRefractory  = 0.25 // s: no two beats closer (240 /min)
	refractoryFrac = 0.4  // of the median interval: skips the dicrotic wave, lets a doubled rate through
	ampRatio       = 0.5  // of the running pulse height: lower rises are not beats
	stepRatio      = 4.0  // a raw jump this many pulse heights restarts the filter
	artifactRatio  = 3.0  // a slope this many times the usual is movement, not a pulse
	searchSeconds  = 0.35 // how far foot and peak are looked for
	relearnAfter   = 2.5  // s without a beat before the amplitude is learnt afresh
	minInterval    = 60.0 / 250
	maxInterval    = 60.0 / 25
	history        = 8 // intervals in the median
	// RateStale is how long after the last beat the rate stays valid.
	RateStale = 10.0 // s
)

// Detector finds beats in a pleth stream. It is not safe for concurrent
// use; use one per signal.
type Detector struct {
	fs   float64
	band *filter.Chain

	n         int64 // index of the next sample
	started   bool
	learnTo   int64 // samples before this index only teach the amplitude
	est       float64
	relearnAt int64

	y  []float64 // ring of filtered samples, for foot and peak search
	d1 float64   // derivative at n-2 and n-1
	d2 float64

	last      float64 // upstroke index of the last beat, -1 if none since a gap
	lastBeat  float64 // upstroke of the last beat ever, for staleness
	intervals []float64
	pending   *candidate
	amp       float64 // running pulse height; 0 while unknown
	scale     float64 // last known pulse height, kept across relearning
	xprev     float64 // last raw sample
}

// NewDetector returns a detector for a pleth sampled at sampleRate Hz
// (at least 20 Hz).
func NewDetector(sampleRate float64) (*Detector, error) {
	if !(sampleRate >= 20) {
		return nil, fmt.Errorf("pleth detector at %g Hz: need at least 20 Hz", sampleRate)
	}
	band, err := filter.New(filter.Config{SampleRate: sampleRate, HighPass: bandLow, LowPass: bandHigh})
	if err != nil {
		return nil, fmt.Errorf("pleth band-pass: %w", err)
	}
	ring := int(math.Ceil(2*searchSeconds*sampleRate)) + 4
	d := &Detector{fs: sampleRate, band: band, y: make([]float64, ring), last: -1, lastBeat: math.Inf(-1)}
	d.restart()
	return d, nil
}

func (d *Detector) restart() {
	d.started = false
	d.band.Reset()
	d.learnTo = d.n + int64(learnSeconds*d.fs)
	d.est, d.amp = 0, 0
	d.relearnAt = d.learnTo + int64(relearnAfter*d.fs)
	d.last = -1
	d.pending = nil
	d.d1, d.d2 = 0, 0
}

// Gap tells the detector that missing samples were lost (or were
// invalid: sensor off): it skips them, relearns the amplitude and does not
// measure an interval across the gap. The rate stays valid for RateStale
// seconds after the last beat.
func (d *Detector) Gap(missing int) {
	d.n += int64(max(missing, 0))
	d.restart()
}

// Push feeds the next samples and returns the beats completed by them.
func (d *Detector) Push(samples []float64) []Beat {
	var beats []Beat
	for _, x := range samples {
		if b, ok := d.step(x); ok {
			beats = append(beats, b)
		}
	}
	return beats
}

func (d *Detector) slopeSpan() int64 { return max(1, int64(math.Round(slopeSeconds*d.fs))) }

func (d *Detector) at(i int64) float64 { return d.y[int(i%int64(len(d.y)))] }

func (d *Detector) step(x float64) (Beat, bool) {
	// A jump of the raw level far beyond a pulse (the probe off or back
	// on, an offset change) would ring through the filter for seconds:
	// start the filter afresh at the new level instead.
	step := d.started && d.scale > 0 && math.Abs(x-d.xprev) > stepRatio*d.scale
	if !d.started || step {
		d.band.Prime(x)
		d.started = true
	}
	if step {
		d.learnTo = d.n + int64(learnSeconds*d.fs)
		d.est, d.amp, d.last, d.pending = 0, 0, -1, nil
		d.relearnAt = d.learnTo + int64(relearnAfter*d.fs)
	}
	d.xprev = x
	var buf [1]float64
	buf[0] = x
	d.band.Process(buf[:], buf[:])
	y := buf[0]
	d.y[int(d.n%int64(len(d.y)))] = y
	dv := 0.0
	if span := d.slopeSpan(); d.n-span >= d.learnTo-int64(learnSeconds*d.fs) { // not across a restart
		dv = y - d.at(d.n-span)
	}
	i := d.n
	d.n++

	var out Beat
	var done bool
	if p := d.pending; p != nil && (dv < 0 || float64(i)-p.beat.Upstroke > searchSeconds*d.fs) {
		d.pending = nil
		p.beat.Peak = i - 1
		p.beat.Amplitude = d.at(p.beat.Peak) - d.at(p.beat.Foot)
		out, done = p.beat, d.accept(p)
	}

	// Slope maximum at i-1?
	if d.d1 > d.d2 && d.d1 >= dv && d.d1 > 0 {
		d.onSlopePeak(i-1, d.d2, d.d1, dv)
	}
	d.d2, d.d1 = d.d1, dv
	d.relearn(i)
	return out, done
}

// onSlopePeak judges a local maximum s of the derivative at index m.
func (d *Detector) onSlopePeak(m int64, before, s, after float64) {
	if m < d.learnTo || d.est == 0 {
		d.est = math.Max(d.est, s)
		return
	}
	if s < thresholdRatio*d.est || s > artifactRatio*d.est || d.pending != nil {
		return
	}
	// Sub-sample position of the maximum (parabola through three points).
	pos := float64(m)
	if den := before - 2*s + after; den < 0 {
		pos += 0.5 * (before - after) / den
	}
	refr := minRefractory * d.fs
	if med, ok := d.median(); ok {
		refr = math.Max(refr, refractoryFrac*med*d.fs)
	}
	if d.last >= 0 && pos-d.last < refr {
		return
	}
	foot := m
	for k := m - 1; k >= 0 && k > m-int64(searchSeconds*d.fs) && k > d.n-int64(len(d.y)); k-- {
		if d.at(k) < d.at(foot) {
			foot = k
		}
	}
	d.pending = &candidate{beat: Beat{Upstroke: pos, Foot: foot}, slope: s}
}

// candidate is an upstroke waiting for its peak.
type candidate struct {
	beat  Beat
	slope float64
}

// accept judges a completed candidate by its height: the dicrotic wave
// and noise rise steeply enough at times, but not as high as a pulse.
func (d *Detector) accept(c *candidate) bool {
	amp := c.beat.Amplitude
	if d.amp > 0 && amp < ampRatio*d.amp {
		return false
	}
	pos := c.beat.Upstroke
	if d.last >= 0 {
		if iv := (pos - d.last) / d.fs; iv >= minInterval && iv <= maxInterval {
			d.intervals = append(d.intervals, iv)
			if len(d.intervals) > history {
				d.intervals = d.intervals[1:]
			}
		}
	}
	d.last, d.lastBeat = pos, pos
	d.est = 0.8*d.est + 0.2*c.slope
	if d.amp == 0 {
		d.amp = amp
	} else {
		d.amp = 0.8*d.amp + 0.2*amp
	}
	d.scale = d.amp
	d.relearnAt = int64(pos) + int64(relearnAfter*d.fs)
	return true
}

// relearn starts learning the amplitude afresh when beats stop: a weaker
// pulse (a cold finger) falls below the threshold, a stronger one (the
// probe refitted) or an artifact that taught a too high one rises above
// the artifact bound.
func (d *Detector) relearn(i int64) {
	if i < d.learnTo || i < d.relearnAt {
		return
	}
	d.learnTo = i + int64(learnSeconds*d.fs)
	d.est, d.amp = 0, 0
	d.relearnAt = d.learnTo + int64(relearnAfter*d.fs)
}

func (d *Detector) median() (float64, bool) {
	if len(d.intervals) < 3 {
		return 0, false
	}
	s := slices.Clone(d.intervals)
	slices.Sort(s)
	k := len(s)
	if k%2 == 1 {
		return s[k/2], true
	}
	return (s[k/2-1] + s[k/2]) / 2, true
}

// Rate returns the pulse rate per minute: 60 over the median of the last 8
// intervals. ok is false until 3 intervals are known and once RateStale
// seconds pass without a beat.
func (d *Detector) Rate() (perMin float64, ok bool) {
	med, ok := d.median()
	if !ok || (float64(d.n)-d.lastBeat)/d.fs > RateStale {
		return 0, false
	}
	return 60 / med, true
}
