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
	guess int64                       // predicted next difference
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
	return min(max(p.prev+p.guess, math.MinInt32), math.MaxInt32)
}

// update adapts the weights to the true sample x, shifts it into the
// history and makes the next guess, in one pass over the weights.
func (p *lmsPredictor) update(x int64) {
	d := x - p.prev
	var s int32 // sign of the guess's error
	switch err := d - p.guess; {
	case err > 0:
		s = 1
	case err < 0:
		s = -1
	}
	p.prev = x
	if p.pos+lmsOrder == len(p.hist) {
		copy(p.hist[:lmsOrder], p.hist[p.pos:])
		copy(p.adapt[:lmsOrder], p.adapt[p.pos:])
		p.pos = 0
	}
	d = min(max(d, -lmsSat), lmsSat)
	var a int32
	switch {
	case d > 0:
		a = lmsStep
	case d < 0:
		a = -lmsStep
	}
	p.hist[p.pos+lmsOrder] = int32(d)
	p.adapt[p.pos+lmsOrder] = a
	old := (*[lmsOrder]int32)(p.adapt[p.pos:])
	h := (*[lmsOrder]int32)(p.hist[p.pos+1:])
	w := &p.w
	var acc0, acc1, acc2, acc3 int64
	for i := 0; i < lmsOrder; i += 4 {
		w0, w1, w2, w3 := w[i]+s*old[i], w[i+1]+s*old[i+1], w[i+2]+s*old[i+2], w[i+3]+s*old[i+3]
		w[i], w[i+1], w[i+2], w[i+3] = w0, w1, w2, w3
		acc0 += int64(w0) * int64(h[i])
		acc1 += int64(w1) * int64(h[i+1])
		acc2 += int64(w2) * int64(h[i+2])
		acc3 += int64(w3) * int64(h[i+3])
	}
	p.guess = (acc0 + acc1 + acc2 + acc3) >> lmsShift
	p.pos++
}
