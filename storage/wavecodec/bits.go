package wavecodec

import "math/bits"

// bitWriter packs bits most significant first. It keeps fewer than 8 bits
// pending, so a write of up to 56 bits never overflows the accumulator.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint // pending bits in acc
}

func (w *bitWriter) write(v uint64, nb uint) {
	w.acc = w.acc<<nb | v
	w.n += nb
	for w.n >= 8 {
		w.n -= 8
		w.buf = append(w.buf, byte(w.acc>>w.n))
	}
	w.acc &= 1<<w.n - 1
}

func (w *bitWriter) flush() []byte {
	if w.n > 0 {
		w.buf = append(w.buf, byte(w.acc<<(8-w.n)))
	}
	return w.buf
}

// bitReader reads bits most significant first from a left-aligned 64-bit
// window refilled a byte at a time.
type bitReader struct {
	src []byte
	pos int    // next byte to load
	acc uint64 // valid bits are the top n
	n   uint
}

func (r *bitReader) refill() {
	for r.n <= 56 && r.pos < len(r.src) {
		r.acc |= uint64(r.src[r.pos]) << (56 - r.n)
		r.n += 8
		r.pos++
	}
}

func (r *bitReader) read(nb uint) (uint64, bool) {
	if r.n < nb {
		r.refill()
		if r.n < nb {
			return 0, false
		}
	}
	if nb == 0 {
		return 0, true
	}
	v := r.acc >> (64 - nb)
	r.acc <<= nb
	r.n -= nb
	return v, true
}

func (r *bitReader) readResidual(k uint) (uint64, bool) {
	if r.n < escapeQ+1 {
		r.refill()
	}
	ones := uint(bits.LeadingZeros64(^r.acc)) // bits past n are zero, so ones <= n
	if ones >= escapeQ {
		r.acc <<= escapeQ
		r.n -= escapeQ
		return r.read(rawBits)
	}
	if ones >= r.n {
		return 0, false // the terminating zero is missing
	}
	r.acc <<= ones + 1
	r.n -= ones + 1
	low, ok := r.read(k)
	return uint64(ones)<<k | low, ok
}

// atPaddedEnd reports whether only the zero padding of the last byte is left.
func (r *bitReader) atPaddedEnd() bool {
	return r.pos == len(r.src) && r.n < 8 && r.acc == 0
}
