package wavecodec

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// BlockVersion is the format byte EncodeBlock writes: the compaction format
// for sealed blocks of many seconds.
//
// Layout: the version byte, the sample count as a uvarint, then (unless the
// count is zero) one range-coded stream ending exactly at the end of the
// input. Each sample is predicted as the previous one plus a sign-sign LMS
// estimate of the next first difference (order lmsOrder), and the residual
// is coded with the adaptive context model of residualModel. The predictor
// and the model start from the same fixed state in every block, so a block
// decodes on its own.
const BlockVersion = 2

// samplesPerBit bounds how many samples one coded bit can hold: every
// sample codes at least one decision, and no decision is cheaper than
// 2^-10 bits (probMin). Decoders use it to reject a forged sample count
// before allocating for it.
const samplesPerBit = 1024

// EncodeBlock appends the block encoding of samples to dst and returns it.
// It suits long runs of one signal (tens of seconds and more); Encode suits
// short live chunks.
func EncodeBlock(dst []byte, samples []int32) []byte {
	dst = append(dst, BlockVersion)
	dst = binary.AppendUvarint(dst, uint64(len(samples)))
	if len(samples) == 0 {
		return dst
	}
	var p lmsPredictor
	m := new(residualModel)
	m.reset()
	e := newRangeEncoder(dst)
	for _, s := range samples {
		x := int64(s)
		m.encode(&e, x-p.predict())
		p.update(x)
	}
	return e.finish()
}

// DecodeBlock appends the samples of a block encoding to dst and returns
// it. It reads every format version, like Decode.
func DecodeBlock(src []byte, dst []int32) ([]int32, error) { return Decode(src, dst) }

func decodeBlock(src []byte, dst []int32) ([]int32, error) {
	count, body, err := blockHeader(src)
	if err != nil {
		return dst, fmt.Errorf("decode waveform block: %w", err)
	}
	if count == 0 {
		return dst, nil
	}
	// A count that passed blockHeader may still be forged: reserve room
	// for what ECG-like data packs into the body, and let append grow
	// further only as samples really decode.
	dst = slices.Grow(dst, min(count, 64*len(body)))
	var p lmsPredictor
	m := new(residualModel)
	m.reset()
	d := newRangeDecoder(body)
	for i := range count {
		x := p.predict() + m.decode(&d)
		if x < math.MinInt32 || x > math.MaxInt32 {
			return dst, fmt.Errorf("decode waveform block: sample %d out of range: %w", i, ErrCorrupt)
		}
		if d.overrun {
			return dst, fmt.Errorf("decode waveform block: sample %d: truncated: %w", i, ErrCorrupt)
		}
		dst = append(dst, int32(x))
		p.update(x)
	}
	if !d.done() {
		return dst, fmt.Errorf("decode waveform block: %d trailing bytes: %w", len(body)-d.pos, ErrCorrupt)
	}
	return dst, nil
}

// blockHeader splits a block encoding into its sample count and coded body,
// rejecting a count the body is too short to hold.
func blockHeader(src []byte) (int, []byte, error) {
	count, n := binary.Uvarint(src[1:])
	if n <= 0 {
		return 0, nil, fmt.Errorf("bad sample count: %w", ErrCorrupt)
	}
	body := src[1+n:]
	if count == 0 {
		if len(body) != 0 {
			return 0, nil, fmt.Errorf("%d bytes after an empty block: %w", len(body), ErrCorrupt)
		}
		return 0, nil, nil
	}
	if count > uint64(len(body))*8*samplesPerBit {
		return 0, nil, fmt.Errorf("%d samples in %d bytes: %w", count, len(body), ErrCorrupt)
	}
	return int(count), body, nil
}

func (m *residualModel) encode(e *rangeEncoder, r int64) {
	level, trend := m.contexts()
	u := uint64(r)
	if r < 0 {
		u = uint64(-r)
	}
	n := bits.Len64(u)
	m.class[level][trend].encode(e, n, guess(level))
	if n >= 2 {
		mb := uint(n - 1)
		mm := &m.mant[n][level]
		top := uint32(u >> (mb - 1) & 1)
		e.encode(top, uint32(mm[0].p))
		mm[0].update(top)
		if mb >= 2 {
			next := uint32(u >> (mb - 2) & 1)
			e.encode(next, uint32(mm[1+top].p))
			mm[1+top].update(next)
			e.encodeRaw(u, mb-2)
		}
	}
	sc := signClass(r)
	if n > 0 {
		neg := uint32(sc >> 1)
		e.encode(neg, uint32(m.sign[m.last].p))
		m.sign[m.last].update(neg)
	}
	m.observe(u, sc)
}

func (m *residualModel) decode(d *rangeDecoder) int64 {
	level, trend := m.contexts()
	n := m.class[level][trend].decode(d, guess(level))
	var u uint64
	if n >= 1 {
		u = 1
	}
	if n >= 2 {
		mb := uint(n - 1)
		mm := &m.mant[n][level]
		top := d.decode(uint32(mm[0].p))
		mm[0].update(top)
		u = u<<1 | uint64(top)
		if mb >= 2 {
			next := d.decode(uint32(mm[1+top].p))
			mm[1+top].update(next)
			u = u<<1 | uint64(next)
			u = u<<(mb-2) | d.decodeRaw(mb-2)
		}
	}
	r := int64(u)
	if n > 0 {
		neg := d.decode(uint32(m.sign[m.last].p))
		m.sign[m.last].update(neg)
		if neg != 0 {
			r = -r
		}
	}
	m.observe(u, signClass(r))
	return r
}

func (c *classModel) encode(e *rangeEncoder, n, g int) {
	if g > 0 {
		var ge uint32
		if n >= g {
			ge = 1
		}
		e.encode(ge, uint32(c.start.p))
		c.start.update(ge)
		if ge == 0 {
			for k := g - 1; k >= 1; k-- {
				var bit uint32
				if n < k {
					bit = 1
				}
				e.encode(bit, uint32(c.down[k].p))
				c.down[k].update(bit)
				if bit == 0 {
					break
				}
			}
			return
		}
	}
	for k := g; k < maxClass; k++ {
		var bit uint32
		if n > k {
			bit = 1
		}
		e.encode(bit, uint32(c.up[k].p))
		c.up[k].update(bit)
		if bit == 0 {
			break
		}
	}
}

func (c *classModel) decode(d *rangeDecoder, g int) int {
	n := g
	if g > 0 {
		ge := d.decode(uint32(c.start.p))
		c.start.update(ge)
		if ge == 0 {
			for n = g - 1; n >= 1; n-- {
				bit := d.decode(uint32(c.down[n].p))
				c.down[n].update(bit)
				if bit == 0 {
					break
				}
			}
			return n
		}
	}
	for ; n < maxClass; n++ {
		bit := d.decode(uint32(c.up[n].p))
		c.up[n].update(bit)
		if bit == 0 {
			break
		}
	}
	return n
}
