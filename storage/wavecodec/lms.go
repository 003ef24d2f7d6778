package wavecodec

import "math"

// lmsPredictor predicts the next sample as the previous one plus a
// sign-sign LMS estimate of the next first difference from the last
// lmsOrder differences. Everything is integer arithmetic, so the encoder and
// the decoder agree bit for bit on every platform; int32 weights may wrap on
// absurdly long adversarial inputs, which harms only the prediction.
type lmsPredictor struct {
	prev  int64                       // previous sample
	hist  [lmsOrder + lmsWindow]int32 // differences, saturated to ±lmsSat
	adapt [lmsOrder + lmsWindow]int32 // lmsStep times the sign of each difference
	w     [lmsOrder]int32             // weights, lmsShift fractional bits
	pos   int                         // hist[pos:pos+lmsOrder] is the window, oldest first
	guess int64                       // last predicted difference
}

const (
	lmsOrder  = 16
	lmsWindow = 496 // slack before the window is moved back to the start
	lmsShift  = 12
	lmsStep   = 2
	// lmsSat bounds history values so that a sum of lmsOrder products with
	// any int32 weight stays inside int64.
	lmsSat = 1 << 27
)

// predict returns the prediction of the next sample, within int32 range.
func (p *lmsPredictor) predict() int64 {
	h := (*[lmsOrder]int32)(p.hist[p.pos:])
	var acc int64
	for i := range lmsOrder {
		acc += int64(p.w[i]) * int64(h[i])
	}
	p.guess = acc >> lmsShift
	return min(max(p.prev+p.guess, math.MinInt32), math.MaxInt32)
}

// update adapts the weights to the true sample x and shifts it into the
// history; predict must have been called first.
func (p *lmsPredictor) update(x int64) {
	d := x - p.prev
	a := (*[lmsOrder]int32)(p.adapt[p.pos:])
	switch err := d - p.guess; {
	case err > 0:
		for i := range lmsOrder {
			p.w[i] += a[i]
		}
	case err < 0:
		for i := range lmsOrder {
			p.w[i] -= a[i]
		}
	}
	p.prev = x
	if p.pos+lmsOrder == len(p.hist) {
		copy(p.hist[:lmsOrder], p.hist[p.pos:])
		copy(p.adapt[:lmsOrder], p.adapt[p.pos:])
		p.pos = 0
	}
	d = min(max(d, -lmsSat), lmsSat)
	var s int32
	switch {
	case d > 0:
		s = lmsStep
	case d < 0:
		s = -lmsStep
	}
	p.hist[p.pos+lmsOrder] = int32(d)
	p.adapt[p.pos+lmsOrder] = s
	p.pos++
}
