// Package qrs detects QRS complexes in one or more ECG leads as samples
// arrive, with a fixed, bounded latency, and derives the heart rate and a
// per-lead signal-quality state (lead off, saturated, noisy) from them.
package qrs

import (
	"math"
	"slices"
)

// Beat is one detected QRS complex.
type Beat struct {
	Sample     int64 // the R peak, counted from the first sample pushed
	Reported   int64 // the sample count when the beat was reported
	SearchBack bool  // found by looking back after a long pause, at a lower threshold
}

// Detector finds QRS complexes in a stream of frames. It is not safe for
// concurrent use.
type Detector struct {
	p     params
	rate  float64
	leads []lead
	n     int64 // frames pushed

	// rings indexed by frame number & mask
	mask  int64
	feat  []float64 // combined integrated energy F(n)
	slope []float64 // combined instantaneous energy

	mwiLen  int
	domLen  int64
	refr    int64
	twave   int64
	locBack int64

	peaks   []localMax // recent local maxima of F
	pending []peak     // candidates below threshold since the last beat (search-back pool)

	spk, npk float64   // signal (median of sig) and noise (running) peak levels of F
	sig      []float64 // F at the recent beats
	slopes   []float64 // their largest squared slopes
	last     peak      // the last beat
	haveLast bool
	sbMark   int64     // when a search-back last found nothing
	rr       []float64 // recent RR intervals in samples (newest last)
	sbAfter  int64     // search back after this many samples without a beat
	learned  bool
	learnEnd int64
}

type peak struct {
	at    int64
	f     float64
	slope float64
}

type localMax struct {
	peak
	resolved bool
}

type lead struct {
	hp1, hp2, lp1, lp2 biquad
	bp                 []float64 // ring of band-passed samples
	e                  []float64 // ring of squared differences
	sum                float64   // running sum of e over the MWI window
	weight             float64
	learnMax           float64
	noise              float64   // running weighted integrated energy at rejected candidates
	amps               []float64 // recent per-lead integrated energies at beats
	q                  quality
}

// New returns a detector for one lead sampled at rate Hz.
func New(rate float64) *Detector { return NewLeads(rate, 1) }

// NewLeads returns a detector for n leads sampled together at rate Hz.
// Using two leads recovers beats that one lead loses to noise.
func NewLeads(rate float64, n int) *Detector {
	return newDetector(rate, n, defaults)
}

func newDetector(rate float64, n int, p params) *Detector {
	if n < 1 {
		n = 1
	}
	d := &Detector{p: p, rate: rate}
	size := int64(1)
	for size < int64(4*rate) {
		size <<= 1
	}
	d.mask = size - 1
	d.feat = make([]float64, size)
	d.slope = make([]float64, size)
	d.mwiLen = max(1, int(p.mwi*rate))
	d.domLen = int64(p.dom * rate)
	d.refr = int64(p.refractory * rate)
	d.twave = int64(p.twave * rate)
	d.locBack = int64(p.locBack * rate)
	d.learnEnd = int64(p.learn * rate)
	d.setSearchBackAfter()
	for range n {
		l := lead{
			hp1: highPass(p.hpHz, rate), hp2: highPass(p.hpHz, rate),
			lp1: lowPass(p.lpHz, rate), lp2: lowPass(p.lpHz, rate),
			bp: make([]float64, size), e: make([]float64, size),
			weight: 1,
		}
		l.q.init(rate)
		d.leads = append(d.leads, l)
	}
	return d
}

// Latency is the longest time, in seconds, from an R peak to the Push
// that reports it, except for beats found by search-back, which are
// reported at most SearchBackLatency after their R peak.
func (d *Detector) Latency() float64 {
	return float64(int64(d.mwiLen)+d.delayN()+d.domLen+2) / d.rate
}

// SearchBackLatency bounds the delay, in seconds, of a beat found by
// search-back: the search starts at most sbMax after the last beat.
func (d *Detector) SearchBackLatency() float64 {
	return d.p.sbMax + float64(d.domLen+2)/d.rate
}

// Leads is the number of leads the detector takes.
func (d *Detector) Leads() int { return len(d.leads) }

// Push feeds the next samples of each lead (physical units, e.g. mV; one
// slice per lead, all the same length) and returns the beats reported by
// them, in time order.
func (d *Detector) Push(samples ...[]float64) []Beat {
	if len(samples) == 0 {
		return nil
	}
	m := len(samples[0])
	for _, s := range samples[1:] {
		m = min(m, len(s))
	}
	var out []Beat
	for i := range m {
		out = d.step(samples, i, out)
	}
	return out
}

func (d *Detector) step(samples [][]float64, i int, out []Beat) []Beat {
	n := d.n
	k := n & d.mask
	kd := (n - 2) & d.mask
	kw := (n - int64(d.mwiLen)) & d.mask
	var f, s float64
	for li := range d.leads {
		l := &d.leads[li]
		x := 0.0
		if li < len(samples) {
			x = samples[li][i]
		}
		y := l.lp2.step(l.lp1.step(l.hp2.step(l.hp1.step(x))))
		l.bp[k] = y
		dy := y - l.bp[kd]
		e := dy * dy
		l.sum += e - l.e[kw]
		l.e[k] = e
		l.q.push(x, l.sum)
		if !d.learned {
			l.learnMax = max(l.learnMax, l.sum)
		}
		w := l.weight
		if l.q.state != Good {
			w = 0 // a flat or clipped lead carries no beats
		}
		f += w * l.sum
		s += w * e
	}
	if d.p.sqrt {
		f = math.Sqrt(f)
	}
	d.feat[k] = f
	d.slope[k] = s
	d.n++
	return d.detect(out)
}

// HeartRate is the heart rate in beats per minute from the median of the
// recent RR intervals, or 0 before two beats.
func (d *Detector) HeartRate() float64 {
	if len(d.rr) == 0 {
		return 0
	}
	return 60 * d.rate / median(d.rr)
}

// quantile returns the q-quantile (0..1) of v by the nearest rank.
func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return s[min(max(i, 0), len(s)-1)]
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
