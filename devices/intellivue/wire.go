package intellivue

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrShort reports a PDU or attribute shorter than its fields or length
// fields say.
var ErrShort = errors.New("intellivue: truncated")

// rd reads big-endian fields; the first shortfall sticks in err and later
// reads return zeros, so a parser checks err once at the end.
type rd struct {
	b   []byte
	err error
}

func (r *rd) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("want %d bytes, have %d: %w", n, len(r.b), ErrShort)
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *rd) u8() uint8 {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *rd) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *rd) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

// sized reads a u16 length and that many bytes.
func (r *rd) sized() []byte { return r.take(int(r.u16())) }

// wr appends big-endian fields.
type wr struct{ b []byte }

func (w *wr) u8(v uint8)           { w.b = append(w.b, v) }
func (w *wr) u16(v uint16)         { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *wr) u32(v uint32)         { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *wr) raw(v ...byte)        { w.b = append(w.b, v...) }
func (w *wr) sized(v []byte)       { w.u16(uint16(len(v))); w.raw(v...) }
func (w *wr) list(n int, v []byte) { w.u16(uint16(n)); w.sized(v) }
