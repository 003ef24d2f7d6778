// Package wavecodec compresses waveform samples losslessly. Two formats
// share one Decode:
//
//   - Version 1 (Encode), for live chunks of about a second: a second-order
//     linear prediction, zigzag-mapped residuals and a Rice code whose
//     parameter adapts per group of 64 samples;
//   - BlockVersion 2 (EncodeBlock), for sealed blocks of tens of seconds:
//     an adaptive LMS prediction and a context-modelled binary range coder,
//     about a sixth smaller on ECG (see block.go).
//
// Version 1 layout: version byte, uvarint sample count, then a bit stream (most
// significant bit first). Each block starts with its Rice parameter k (6
// bits); each residual u is written as u>>k in unary (ones ended by a zero)
// and its k low bits. A quotient of escapeQ or more is written as escapeQ
// ones and then u in 34 raw bits, so one spike cannot cost billions of bits.
// The stream is padded with zero bits to a whole byte.
package wavecodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Version is the format byte Encode writes. A later, tighter format gets a
// new number; Decode keeps reading old ones.
const Version = 1

const (
	blockSize = 64
	kBits     = 6
	maxK      = 33
	escapeQ   = 24
	// rawBits holds any zigzagged second-order residual of int32 samples:
	// |x[i] - 2x[i-1] + x[i-2]| < 2^33.
	rawBits = 34
)

// ErrCorrupt reports input that is not a valid encoding.
var ErrCorrupt = errors.New("corrupt waveform encoding")

// Encode appends the encoding of samples to dst and returns it.
func Encode(dst []byte, samples []int32) []byte {
	dst = append(dst, Version)
	dst = binary.AppendUvarint(dst, uint64(len(samples)))
	w := bitWriter{buf: dst}
	var res [blockSize]uint64
	var p1, p2 int64 // the two previous samples
	for start := 0; start < len(samples); start += blockSize {
		blk := samples[start:min(start+blockSize, len(samples))]
		for i, x := range blk {
			v := int64(x)
			res[i] = zigzag(v - predict(start+i, p1, p2))
			p2, p1 = p1, v
		}
		r := res[:len(blk)]
		k := chooseK(r)
		w.write(uint64(k), kBits)
		mask := uint64(1)<<k - 1
		for _, u := range r {
			if q := u >> k; q < escapeQ {
				w.write(1<<(q+1)-2, uint(q)+1) // q ones, then a zero
				w.write(u&mask, k)
			} else {
				w.write(1<<escapeQ-1, escapeQ)
				w.write(u, rawBits)
			}
		}
	}
	return w.flush()
}

// predict extrapolates the next sample from the previous two; the first
// sample is predicted as 0 and the second as a repeat of the first.
func predict(n int, p1, p2 int64) int64 {
	switch n {
	case 0:
		return 0
	case 1:
		return p1
	}
	return 2*p1 - p2
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// chooseK picks the cheapest parameter by exact cost, trying every k up to
// one above the block mean's magnitude: a few escaped outliers inflate the
// mean, and a smaller k that escapes them is often cheaper.
func chooseK(r []uint64) uint {
	var sum uint64
	for _, u := range r {
		sum += u
	}
	top := min(bits.Len64(sum/uint64(len(r))), maxK)
	best, bestCost := uint(0), uint64(math.MaxUint64)
	for k := uint(0); k <= uint(top); k++ {
		if c := cost(r, k); c < bestCost {
			best, bestCost = k, c
		}
	}
	return best
}

func cost(r []uint64, k uint) uint64 {
	var c uint64
	for _, u := range r {
		if q := u >> k; q < escapeQ {
			c += q + 1 + uint64(k)
		} else {
			c += escapeQ + rawBits
		}
	}
	return c
}

// Decode appends the samples encoded in src to dst and returns it. It reads
// every format version: Encode's chunks and EncodeBlock's blocks.
func Decode(src []byte, dst []int32) ([]int32, error) {
	if len(src) == 0 {
		return dst, fmt.Errorf("decode waveform: empty input: %w", ErrCorrupt)
	}
	switch src[0] {
	case Version:
		return decodeChunk(src, dst)
	case BlockVersion:
		return decodeBlock(src, dst)
	}
	return dst, fmt.Errorf("decode waveform: version %d: %w", src[0], ErrCorrupt)
}

func decodeChunk(src []byte, dst []int32) ([]int32, error) {
	count, n := binary.Uvarint(src[1:])
	if n <= 0 {
		return dst, fmt.Errorf("decode waveform: bad sample count: %w", ErrCorrupt)
	}
	body := src[1+n:]
	// Every sample costs at least one bit: a larger count is a lie, and
	// trusting it would allocate without bound.
	if count > uint64(len(body))*8 {
		return dst, fmt.Errorf("decode waveform: %d samples in %d bytes: %w", count, len(body), ErrCorrupt)
	}
	dst = slices.Grow(dst, int(count))
	r := bitReader{src: body}
	var p1, p2 int64
	for start := 0; start < int(count); start += blockSize {
		end := min(start+blockSize, int(count))
		kv, ok := r.read(kBits)
		if !ok || kv > maxK {
			return dst, fmt.Errorf("decode waveform: block at sample %d: bad parameter: %w", start, ErrCorrupt)
		}
		k := uint(kv)
		for i := start; i < end; i++ {
			u, ok := r.readResidual(k)
			if !ok {
				return dst, fmt.Errorf("decode waveform: sample %d: truncated: %w", i, ErrCorrupt)
			}
			v := predict(i, p1, p2) + unzigzag(u)
			if v < math.MinInt32 || v > math.MaxInt32 {
				return dst, fmt.Errorf("decode waveform: sample %d out of range: %w", i, ErrCorrupt)
			}
			dst = append(dst, int32(v))
			p2, p1 = p1, v
		}
	}
	if !r.atPaddedEnd() {
		return dst, fmt.Errorf("decode waveform: trailing bytes: %w", ErrCorrupt)
	}
	return dst, nil
}

// Count returns the number of samples an encoding of any version holds,
// without decoding it.
func Count(src []byte) (int, error) {
	if len(src) > 0 && src[0] == BlockVersion {
		n, _, err := blockHeader(src)
		if err != nil {
			return 0, fmt.Errorf("waveform sample count: %w", err)
		}
		return n, nil
	}
	if len(src) == 0 || src[0] != Version {
		return 0, fmt.Errorf("waveform sample count: %w", ErrCorrupt)
	}
	count, n := binary.Uvarint(src[1:])
	if n <= 0 || count > uint64(len(src))*8 {
		return 0, fmt.Errorf("waveform sample count: %w", ErrCorrupt)
	}
	return int(count), nil
}
