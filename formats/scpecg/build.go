package scpecg

import (
	"fmt"
	"slices"
)

// body accumulates a section's bytes, little-endian.
type body []byte

func (b *body) u8(v uint8)   { *b = append(*b, v) }
func (b *body) u16(v uint16) { *b = append(*b, byte(v), byte(v>>8)) }
func (b *body) u32(v uint32) { *b = append(*b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)) }

// assemble lays out a record: the file header, section 0 with a pointer
// for every section 0–11 and each present section above 11, then the
// sections in id order, each padded to an even length, with its header and
// CRC, and the file CRC last. protocol is the version byte of every header.
func assemble(protocol uint8, sections map[int][]byte) []byte {
	ids := []int{}
	for id := range sections {
		if id > 11 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = append([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, ids...)
	s0len := headerLen + pointerLen*(len(ids)+1)
	pointers := body{}
	pointers.u16(0)
	pointers.u32(uint32(s0len))
	pointers.u32(fileHeaderLen + 1)
	out := make([]byte, fileHeaderLen+s0len)
	for _, id := range ids {
		b, ok := sections[id]
		pointers.u16(uint16(id))
		if !ok {
			pointers.u32(0)
			pointers.u32(0)
			continue
		}
		if len(b)%2 == 1 {
			b = append(slices.Clip(b), 0)
		}
		pointers.u32(uint32(headerLen + len(b)))
		pointers.u32(uint32(len(out) + 1))
		out = append(out, sectionBytes(id, protocol, b)...)
	}
	copy(out[fileHeaderLen:], sectionBytes(0, protocol, pointers))
	putLE32(out[2:], uint32(len(out)))
	putLE16(out, crc16(out[2:]))
	return out
}

// sectionBytes puts the 16-byte header (with "SCPECG" in section 0's
// reserved bytes) and the CRC in front of a section body.
func sectionBytes(id int, protocol uint8, b []byte) []byte {
	s := make([]byte, headerLen, headerLen+len(b))
	putLE16(s[2:], uint16(id))
	putLE32(s[4:], uint32(headerLen+len(b)))
	s[8], s[9] = protocol, protocol
	if id == 0 {
		copy(s[10:], "SCPECG")
	}
	s = append(s, b...)
	putLE16(s, crc16(s[2:]))
	return s
}

func putLE16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }
func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// difference replaces samples by their first or second differences, in
// 16-bit arithmetic as undifference undoes them.
func difference(v []int32, order int) []int32 {
	d := slices.Clone(v)
	for k := range d {
		switch {
		case order == 1 && k >= 1:
			d[k] = int32(int16(v[k] - v[k-1]))
		case order == 2 && k >= 2:
			d[k] = int32(int16(v[k] - 2*v[k-1] + v[k-2]))
		}
	}
	return d
}

// huffmanEncode codes values with one table (no switching); a value the
// table has no code for is an error.
func huffmanEncode(codes []code, values []int32) ([]byte, error) {
	var w bitWriter
	for i, v := range values {
		c, ok := pickCode(codes, v)
		if !ok {
			return nil, fmt.Errorf("value %d (%d) has no Huffman code", i, v)
		}
		w.put(c.bits, c.prefix)
		if extra := c.total - c.prefix; extra > 0 {
			w.put(uint32(v), extra)
		}
	}
	return w.bytes(), nil
}

// pickCode finds the shortest code for v: an exact value code, or else the
// shortest code with enough value bits.
func pickCode(codes []code, v int32) (code, bool) {
	best, found := code{}, false
	for _, c := range codes {
		if c.switchTable {
			continue
		}
		fits := c.total == c.prefix && c.value == v
		if extra := c.total - c.prefix; extra > 0 && extra < 32 {
			fits = v >= -(1<<(extra-1)) && v < 1<<(extra-1)
		}
		if fits && (!found || c.total < best.total) {
			best, found = c, true
		}
	}
	return best, found
}

// bitWriter writes bits most significant first, zero-padding the last byte.
type bitWriter struct {
	b []byte
	n int // bits written
}

func (w *bitWriter) put(x uint32, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(x>>i&1) << (7 - w.n%8)
		w.n++
	}
}

func (w *bitWriter) bytes() []byte { return w.b }
