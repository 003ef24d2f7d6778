package sierra

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// XLI, as the files show it: the Base64 text decodes to one chunk per lead,
//
//	size int32 LE · unknown u16 (1 in every file seen) · first residual int16 LE · size bytes of LZW
//
// The LZW stream expands to 2n bytes for n samples: the n high bytes, then
// the n low bytes, of int16 words d[0..n-1]. d[0] and d[1] are the first two
// samples; from the third on, each sample continues the straight line
// through the two before it less a residual:
//
//	s[i] = 2·s[i-1] − s[i-2] − r[i],  r[2] = header's first residual, r[i] = d[i-1] − 64 for i ≥ 3
//
// (the stream is one word behind; its last word is unused and 0). A correct
// reading is a smooth ECG whose residual leads are within a count or two of
// zero; any other order of bytes or residuals gives noise.

const (
	codeBits  = 10
	endCode   = 1<<codeBits - 1 // ends a stream; never a table entry
	firstCode = 256             // the first code the table assigns
	chunkHead = 8
)

// decodeXLI decodes the first nLeads chunks of raw. perLead is the number
// of samples each lead must have, or 0 to take it from the first chunk.
func decodeXLI(raw []byte, nLeads, perLead int) ([][]int32, error) {
	leads := make([][]int32, 0, nLeads)
	off := 0
	for k := range nLeads {
		if len(raw)-off < chunkHead {
			return nil, fmt.Errorf("chunk %d at byte %d: %d bytes left, want a %d-byte header", k, off, len(raw)-off, chunkHead)
		}
		size := int64(int32(binary.LittleEndian.Uint32(raw[off:])))
		first := int16(binary.LittleEndian.Uint16(raw[off+6:]))
		off += chunkHead
		if size < 0 || size > int64(len(raw)-off) {
			return nil, fmt.Errorf("chunk %d at byte %d: size %d with %d bytes left", k, off-chunkHead, size, len(raw)-off)
		}
		limit := 2 * perLead
		if perLead == 0 {
			limit = 2 * maxSamples / max(nLeads, 1) // not yet known: the file-wide bound
		}
		buf, err := lzwDecode(raw[off:off+int(size)], limit)
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", k, err)
		}
		off += int(size)
		if perLead == 0 {
			perLead = len(buf) / 2
		}
		if len(buf) != 2*perLead {
			return nil, fmt.Errorf("chunk %d: %d bytes decompressed, want %d for %d samples", k, len(buf), 2*perLead, perLead)
		}
		s, err := undoDifferences(buf, first)
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", k, err)
		}
		leads = append(leads, s)
	}
	return leads, nil
}

// undoDifferences turns the decompressed bytes into samples (see the top of
// this file).
func undoDifferences(buf []byte, first int16) ([]int32, error) {
	n := len(buf) / 2
	word := func(i int) int32 { return int32(int16(uint16(buf[i])<<8 | uint16(buf[n+i]))) }
	s := make([]int32, n)
	for i := range min(n, 2) {
		s[i] = word(i)
	}
	r := int32(first)
	for i := 2; i < n; i++ {
		v := 2*s[i-1] - s[i-2] - r
		if v < math.MinInt16 || v > math.MaxInt16 {
			return nil, fmt.Errorf("sample %d = %d leaves the 16-bit range", i, v)
		}
		s[i] = v
		r = word(i) - 64
	}
	return s, nil
}

var errLZWCode = errors.New("LZW code not yet in the table")

// lzwDecode expands one stream of 10-bit codes read most significant bit
// first: codes below 256 are bytes; every code after the first adds to the
// table, as 256, 257, … up to 1022, the previous code's string followed by
// the first byte of this one's; 1023 ends the stream. The result may not
// exceed limit bytes.
func lzwDecode(in []byte, limit int) ([]byte, error) {
	var (
		prefix [endCode]uint16
		suffix [endCode]byte
		length [endCode]uint16
	)
	out := make([]byte, 0, min(limit, 4*len(in)+16))
	next, prev := firstCode, -1
	var acc uint32
	bits, pos := 0, 0
	// emit appends code's string and returns its first byte.
	emit := func(code int) (byte, error) {
		n := 1
		if code >= firstCode {
			n = int(length[code])
		}
		if len(out)+n > limit {
			return 0, fmt.Errorf("more than %d bytes decompressed at input byte %d", limit, pos)
		}
		out = append(out, make([]byte, n)...)
		for i := len(out) - 1; code >= firstCode; i-- {
			out[i] = suffix[code]
			code = int(prefix[code])
		}
		out[len(out)-n] = byte(code)
		return byte(code), nil
	}
	for {
		for bits < codeBits {
			if pos == len(in) {
				return out, nil // no end code: the caller checks the length
			}
			acc = acc<<8 | uint32(in[pos])
			pos++
			bits += 8
		}
		code := int(acc>>(bits-codeBits)) & endCode
		bits -= codeBits
		acc &= 1<<bits - 1
		if code == endCode {
			return out, nil
		}
		var head byte
		var err error
		switch {
		case code < next:
			head, err = emit(code)
		case code == next && prev >= 0:
			// The string being defined by this very code: the
			// previous string plus its own first byte.
			head, err = emit(prev)
			if err == nil {
				if len(out)+1 > limit {
					err = fmt.Errorf("more than %d bytes decompressed at input byte %d", limit, pos)
				} else {
					out = append(out, head)
				}
			}
		default:
			err = fmt.Errorf("code %d at input byte %d with %d entries: %w", code, pos, next, errLZWCode)
		}
		if err != nil {
			return nil, err
		}
		if prev >= 0 && next < endCode {
			prefix[next] = uint16(prev)
			suffix[next] = head
			plen := 1
			if prev >= firstCode {
				plen = int(length[prev])
			}
			length[next] = uint16(plen + 1)
			next++
		}
		prev = code
	}
}
