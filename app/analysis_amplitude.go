package app

// minQRSmV is the smallest QRS, peak to peak, counted as a beat. IEC
// 60601-2-27 (after AAMI EC13) has heart-rate meters ignore complexes of
// 0.15 mV or less, so that baseline noise is never counted as a rhythm
// and asystole is still announced.
const minQRSmV = 0.15

// quietMV is the peak-to-peak amplitude over a second below which a lead
// is quiet: any QRS of the size monitors must count (0.5 mV and more)
// would stand out of it, whatever the detector thinks of its noise.
const quietMV = 0.3

// qrsHalfWidth is how far on each side of the detector's R peak the QRS
// is measured, s: the detector places R within a few tens of ms.
const qrsHalfWidth = 0.08

// leadAmplitude keeps a lead's recent samples, in mV, to size the QRS of
// each beat, and its peak-to-peak amplitude over each second.
type leadAmplitude struct {
	ring []float64
	mask int64
	half int64 // qrsHalfWidth in frames

	block      int
	n          int
	lo, hi, pp float64 // pp: the last complete second's
}

func (l *leadAmplitude) init(rate float64) {
	size := int64(1)
	for size < int64(4*rate) { // beats found by search-back come ≤ 3.2 s late
		size <<= 1
	}
	l.ring, l.mask = make([]float64, size), size-1
	l.half = max(1, int64(qrsHalfWidth*rate))
	l.block = max(1, int(rate))
	l.pp = quietMV // unknown yet: neither quiet nor loud
}

// push adds the samples of frames from, from+1, …
func (l *leadAmplitude) push(from int64, x []float64) {
	for i, v := range x {
		l.ring[(from+int64(i))&l.mask] = v
		if l.n == 0 {
			l.lo, l.hi = v, v
		}
		l.lo, l.hi = min(l.lo, v), max(l.hi, v)
		if l.n++; l.n == l.block {
			l.pp, l.n = l.hi-l.lo, 0
		}
	}
}

// qrs returns the peak-to-peak amplitude around frame r, given that
// frames before pushed are in the ring; 0 when they are gone.
func (l *leadAmplitude) qrs(r, pushed int64) float64 {
	from, to := max(r-l.half, 0), min(r+l.half, pushed-1)
	if from <= pushed-int64(len(l.ring)) || to < from {
		return 0
	}
	lo, hi := l.ring[from&l.mask], l.ring[from&l.mask]
	for f := from + 1; f <= to; f++ {
		v := l.ring[f&l.mask]
		lo, hi = min(lo, v), max(hi, v)
	}
	return hi - lo
}

// quiet reports whether the last second stayed within quietMV.
func (l *leadAmplitude) quiet() bool { return l.pp < quietMV }
