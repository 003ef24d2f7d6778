package qrs

// Quality is one lead's signal state, judged once a second.
type Quality int

const (
	// Good: the lead carries a usable ECG.
	Good Quality = iota
	// LeadOff: the lead is flat (peak-to-peak below FlatMV for a whole
	// second), as when an electrode is off or the amplifier is idle.
	LeadOff
	// Saturated: the lead sits at its extremes, clipped, for a fifth of a
	// second or more.
	Saturated
	// Noisy: the lead's QRS-band energy between beats stays near the
	// beats' own.
	Noisy
)

func (q Quality) String() string {
	switch q {
	case Good:
		return "good"
	case LeadOff:
		return "lead off"
	case Saturated:
		return "saturated"
	case Noisy:
		return "noisy"
	}
	return "unknown"
}

// FlatMV is the peak-to-peak amplitude, in the units pushed (mV), below
// which a second of signal counts as flat.
const FlatMV = 0.02

// clipFraction of a second's samples at the block's minimum or maximum
// make a lead clipped. noisyLevel is where it counts as noisy: the lead's
// integrated energy, averaged over a second and scaled so that beats peak
// near 1 (clean ECG stays near 0.2; record 100 with 1.5 mV of added
// Gaussian noise reaches about 0.7).
const (
	clipFraction = 0.2
	noisyLevel   = 0.45
)

// quality tracks one lead's state over blocks of one second.
type quality struct {
	block, n   int
	lo, hi     float64
	atLo, atHi int
	state      Quality
	energy     float64 // sum of the lead's integrated energy over the block
	level      float64 // its mean over the last complete block
}

func (q *quality) init(rate float64) {
	q.block = max(1, int(rate))
	q.state = Good
}

// push takes one sample; at each block's end it sets the flat and clipped
// states (noise is judged by the detector, which knows the beats).
func (q *quality) push(x, energy float64) {
	q.energy += energy
	switch {
	case q.n == 0:
		q.lo, q.hi, q.atLo, q.atHi = x, x, 1, 1
	case x < q.lo:
		q.lo, q.atLo = x, 1
	case x == q.lo:
		q.atLo++
	}
	if q.n > 0 {
		switch {
		case x > q.hi:
			q.hi, q.atHi = x, 1
		case x == q.hi:
			q.atHi++
		}
	}
	q.n++
	if q.n < q.block {
		return
	}
	clip := int(clipFraction * float64(q.block))
	switch {
	case q.hi-q.lo < FlatMV:
		q.state = LeadOff
	case q.atLo >= clip || q.atHi >= clip:
		q.state = Saturated
	default:
		q.state = Good
	}
	q.level = q.energy / float64(q.n)
	q.energy = 0
	q.n = 0
}

// Quality returns lead li's state: lead off, saturated, noisy or good.
func (d *Detector) Quality(li int) Quality {
	if li < 0 || li >= len(d.leads) {
		return LeadOff
	}
	l := &d.leads[li]
	if l.q.state != Good {
		return l.q.state
	}
	if d.learned && l.q.level*l.weight >= noisyLevel {
		return Noisy
	}
	return Good
}
