package wavecodec

// A binary range coder: 32-bit range, 64-bit low with carry propagation
// through a cached byte and a count of pending 0xff bytes. Probabilities are
// 16-bit estimates that the next bit is 1, kept within [probMin,
// probOne-probMin] so that both halves of the range stay non-empty.

const (
	probBits = 16
	probOne  = 1 << probBits
	// probMin bounds every coded decision to cost at least 2^-10 bits,
	// which is what lets the decoder bound a sample count by input size.
	probMin = 64
	topByte = 1 << 24
)

type rangeEncoder struct {
	buf     []byte
	low     uint64
	rng     uint32
	cache   byte
	pending int  // 0xff bytes waiting behind cache
	started bool // false until the first (always zero) byte is dropped
}

func newRangeEncoder(buf []byte) rangeEncoder {
	return rangeEncoder{buf: buf, rng: 0xffffffff}
}

// encode codes bit with probability p/probOne of being 1.
func (e *rangeEncoder) encode(bit uint32, p uint32) {
	bound := (e.rng >> probBits) * p
	if bit != 0 {
		e.rng = bound
	} else {
		e.low += uint64(bound)
		e.rng -= bound
	}
	for e.rng < topByte {
		e.rng <<= 8
		e.shiftLow()
	}
}

// encodeRaw codes the n low bits of v, most significant first, each with
// probability one half.
func (e *rangeEncoder) encodeRaw(v uint64, n uint) {
	for n > 0 {
		n--
		e.rng >>= 1
		if v>>n&1 != 0 {
			e.low += uint64(e.rng)
		}
		for e.rng < topByte {
			e.rng <<= 8
			e.shiftLow()
		}
	}
}

func (e *rangeEncoder) shiftLow() {
	if e.low < 0xff000000 || e.low >= 1<<32 {
		carry := byte(e.low >> 32)
		if e.started {
			e.buf = append(e.buf, e.cache+carry)
		}
		e.started = true
		for ; e.pending > 0; e.pending-- {
			e.buf = append(e.buf, 0xff+carry)
		}
		e.cache = byte(e.low >> 24)
	} else {
		e.pending++
	}
	e.low = e.low & 0x00ffffff << 8
}

// finish flushes the state; the decoder reads exactly the bytes written.
func (e *rangeEncoder) finish() []byte {
	for range 5 {
		e.shiftLow()
	}
	return e.buf
}

type rangeDecoder struct {
	src     []byte
	pos     int
	rng     uint32
	code    uint32
	overrun bool // a byte past the end was needed
}

func newRangeDecoder(src []byte) rangeDecoder {
	d := rangeDecoder{src: src, rng: 0xffffffff}
	for range 4 {
		d.code = d.code<<8 | uint32(d.next())
	}
	return d
}

func (d *rangeDecoder) next() byte {
	if d.pos >= len(d.src) {
		d.overrun = true
		return 0
	}
	b := d.src[d.pos]
	d.pos++
	return b
}

func (d *rangeDecoder) decode(p uint32) uint32 {
	bound := (d.rng >> probBits) * p
	var bit uint32
	if d.code < bound {
		d.rng = bound
		bit = 1
	} else {
		d.code -= bound
		d.rng -= bound
	}
	for d.rng < topByte {
		d.rng <<= 8
		d.code = d.code<<8 | uint32(d.next())
	}
	return bit
}

func (d *rangeDecoder) decodeRaw(n uint) uint64 {
	var v uint64
	for ; n > 0; n-- {
		d.rng >>= 1
		var b uint64
		if d.code >= d.rng {
			d.code -= d.rng
			b = 1
		}
		v = v<<1 | b
		for d.rng < topByte {
			d.rng <<= 8
			d.code = d.code<<8 | uint32(d.next())
		}
	}
	return v
}

// done reports whether the decoder consumed exactly its input.
func (d *rangeDecoder) done() bool { return !d.overrun && d.pos == len(d.src) }
