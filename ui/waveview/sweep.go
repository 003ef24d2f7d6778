package waveview

import "math"

// Envelope is what one pixel column of a sweep holds, in the signal's unit:
// the smallest and largest sample that fell into it and the last one in
// time. Valid is false when no sample (or only gaps) fell into it.
type Envelope struct {
	Min, Max, Last float32
	Valid          bool
}

// Sweep is the column state of one trace on a sweeping display: Width pixel
// columns show Period samples (seconds × rate); sample n lands in column
// floor((n mod Period) × Width / Period), so the sweep position follows the
// device's own sample clock and wraps. A new sample entering a column resets
// it (the old sweep's data there is overwritten); columns a slow signal
// skips are filled by linear interpolation so that the trace stays a line.
//
// Adding samples costs O(new samples); nothing is recomputed from the ring.
// A Sweep is not safe for concurrent use: the render goroutine owns it.
type Sweep struct {
	width  int
	period float64
	cols   []Envelope
	next   uint64  // absolute index of the next sample
	headX  int     // column of sample next-1; -1 before the first sample
	prevV  float32 // value of sample next-1 (NaN: gap)
}

// NewSweep returns an empty sweep of width columns showing seconds of a
// signal sampled at rate Hz. Width and the product seconds×rate must be > 0.
func NewSweep(width int, seconds, rate float64) *Sweep {
	width = max(width, 1)
	period := seconds * rate
	if !(period > 0) || math.IsInf(period, 0) {
		period = 1
	}
	return &Sweep{width: width, period: period, cols: make([]Envelope, width), headX: -1,
		prevV: float32(math.NaN())}
}

// Width returns the number of pixel columns.
func (s *Sweep) Width() int { return s.width }

// Next returns the absolute index of the next sample the sweep expects, that
// is the ring write count it has consumed through.
func (s *Sweep) Next() uint64 { return s.next }

// Head returns the column of the newest sample, or -1 before the first. The
// erase bar starts at Head()+1.
func (s *Sweep) Head() int { return s.headX }

// Column returns the envelope of column x.
func (s *Sweep) Column(x int) Envelope { return s.cols[x] }

// ColumnOf returns the column absolute sample n lands in.
func (s *Sweep) ColumnOf(n uint64) int {
	x := int(math.Mod(float64(n), s.period) * float64(s.width) / s.period)
	return min(max(x, 0), s.width-1)
}

// Add feeds samples whose first has absolute index first. Samples already
// consumed are ignored; a jump forward (samples lost) is a gap: shorter
// than a sweep it blanks the columns it spans, longer it blanks them all.
func (s *Sweep) Add(first uint64, samples []float32) {
	if first < s.next {
		skip := s.next - first
		if skip >= uint64(len(samples)) {
			return
		}
		samples, first = samples[skip:], s.next
	}
	if gap := first - s.next; gap > 0 {
		s.skip(gap)
	}
	for _, v := range samples {
		s.add(v)
	}
}

func (s *Sweep) skip(gap uint64) {
	if float64(gap) < s.period {
		nan := float32(math.NaN())
		for ; gap > 0; gap-- {
			s.add(nan)
		}
		return
	}
	clear(s.cols)
	s.next += gap
	s.headX = s.ColumnOf(s.next - 1)
	s.prevV = float32(math.NaN())
}

func (s *Sweep) add(v float32) {
	x := s.ColumnOf(s.next)
	switch {
	case s.headX < 0:
		s.cols[x] = start(v)
	case x == s.headX:
		c := &s.cols[x]
		switch {
		case v != v:
		case !c.Valid:
			*c = start(v)
		default:
			c.Min, c.Max, c.Last = min(c.Min, v), max(c.Max, v), v
		}
	default:
		steps := (x - s.headX + s.width) % s.width
		joined := v == v && s.prevV == s.prevV
		for k := 1; k < steps; k++ {
			c := &s.cols[(s.headX+k)%s.width]
			if !joined {
				*c = Envelope{}
				continue
			}
			*c = start(s.prevV + (v-s.prevV)*float32(k)/float32(steps))
		}
		s.cols[x] = start(v)
	}
	s.headX, s.prevV = x, v
	s.next++
}

// start is a column's envelope after its first sample in this sweep.
func start(v float32) Envelope {
	if v != v {
		return Envelope{}
	}
	return Envelope{Min: v, Max: v, Last: v, Valid: true}
}
