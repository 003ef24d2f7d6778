package contec

import (
	"errors"
	"fmt"
	"io"
)

// The legacy CMS50 stream (CMS50D+ firmware up to 4.5, many CMS50E and
// PC-60 units) is one-way: 60 packets a second of five bytes at 19200 8O1.
// Only the first byte of a packet has bit 7 set (the sync bit), so a reader
// resynchronises by waiting for the next byte with bit 7 set.
//
//	byte 0: 1 · beep · SpO2 dropping · finger out · signal strength (b3–0)
//	byte 1: 0 · pleth (b6–0)
//	byte 2: 0 · PR bit 7 · searching · probe error · bar graph (b3–0)
//	byte 3: 0 · PR (b6–0)
//	byte 4: 0 · SpO2 (b6–0)

// LegacyPacketLen is the length of a legacy packet on the wire.
const LegacyPacketLen = 5

// Values the legacy stream sends when it has no reading.
const (
	LegacyNoSpO2 = 127
	LegacyNoPR   = 255
)

// LegacyPacket is the content of one legacy 5-byte packet.
type LegacyPacket struct {
	Beep         bool  // pulse beep
	SpO2Dropping bool  // the device's SpO2-falling indicator
	FingerOut    bool  // finger or probe out
	Strength     uint8 // signal strength 0..15
	Pleth        uint8 // 0..127
	Searching    bool  // searching for a pulse
	ProbeError   bool  // probe fault
	Bar          uint8 // bar graph 0..15
	PR           int   // pulse rate /min 0..255; LegacyNoPR = invalid
	SpO2         int   // % 0..127; LegacyNoSpO2 = invalid
}

func bit(b bool, mask byte) byte {
	if b {
		return mask
	}
	return 0
}

// Encode returns the packet's five wire bytes. Fields are cut to their
// widths (strength and bar to 4 bits, pleth and SpO2 to 7, PR to 8).
func (p LegacyPacket) Encode() [LegacyPacketLen]byte {
	return [LegacyPacketLen]byte{
		0x80 | bit(p.Beep, 0x40) | bit(p.SpO2Dropping, 0x20) | bit(p.FingerOut, 0x10) | p.Strength&0x0F,
		p.Pleth & 0x7F,
		byte(p.PR>>1)&0x40 | bit(p.Searching, 0x20) | bit(p.ProbeError, 0x10) | p.Bar&0x0F,
		byte(p.PR) & 0x7F,
		byte(p.SpO2) & 0x7F,
	}
}

// ErrLegacyFraming is wrapped by ParseLegacy for bytes that are not a packet.
var ErrLegacyFraming = errors.New("contec legacy: bad framing")

// ParseLegacy decodes one 5-byte packet: b[0] must have bit 7 set and the
// other four bytes bit 7 clear.
func ParseLegacy(b []byte) (LegacyPacket, error) {
	if len(b) != LegacyPacketLen {
		return LegacyPacket{}, fmt.Errorf("%w: %d bytes, want %d", ErrLegacyFraming, len(b), LegacyPacketLen)
	}
	if b[0]&0x80 == 0 {
		return LegacyPacket{}, fmt.Errorf("%w: byte 0 is %#02x, sync bit clear", ErrLegacyFraming, b[0])
	}
	for i := 1; i < LegacyPacketLen; i++ {
		if b[i]&0x80 != 0 {
			return LegacyPacket{}, fmt.Errorf("%w: byte %d is %#02x, sync bit set", ErrLegacyFraming, i, b[i])
		}
	}
	return LegacyPacket{
		Beep:         b[0]&0x40 != 0,
		SpO2Dropping: b[0]&0x20 != 0,
		FingerOut:    b[0]&0x10 != 0,
		Strength:     b[0] & 0x0F,
		Pleth:        b[1],
		Searching:    b[2]&0x20 != 0,
		ProbeError:   b[2]&0x10 != 0,
		Bar:          b[2] & 0x0F,
		PR:           int(b[2]&0x40)<<1 | int(b[3]),
		SpO2:         int(b[4]),
	}, nil
}

// LegacyDecoder reads legacy packets from a byte stream, skipping what does
// not frame.
type LegacyDecoder struct {
	r       io.Reader
	buf     [256]byte
	pos, n  int
	pkt     [LegacyPacketLen]byte
	have    int
	skipped int
}

// NewLegacyDecoder returns a decoder reading from r.
func NewLegacyDecoder(r io.Reader) *LegacyDecoder { return &LegacyDecoder{r: r} }

// Skipped returns how many bytes were discarded so far.
func (d *LegacyDecoder) Skipped() int { return d.skipped }

// Next returns the next well-formed packet. It returns io.EOF at the end of
// the stream (a partial packet there counts as skipped), ErrNoData when the
// reader timed out, or the reader's error.
func (d *LegacyDecoder) Next() (LegacyPacket, error) {
	for {
		if d.pos == d.n {
			n, err := d.r.Read(d.buf[:])
			d.pos, d.n = 0, n
			if n == 0 {
				if err == nil {
					return LegacyPacket{}, ErrNoData
				}
				if errors.Is(err, io.EOF) {
					d.skipped += d.have
					d.have = 0
					return LegacyPacket{}, io.EOF
				}
				return LegacyPacket{}, fmt.Errorf("read contec legacy packet: %w", err)
			}
		}
		b := d.buf[d.pos]
		d.pos++
		switch {
		case b&0x80 != 0:
			// A sync byte starts a packet, cutting short an unfinished one.
			d.skipped += d.have
			d.pkt[0], d.have = b, 1
		case d.have == 0:
			d.skipped++
			continue
		default:
			d.pkt[d.have] = b
			d.have++
		}
		if d.have == LegacyPacketLen {
			d.have = 0
			return ParseLegacy(d.pkt[:])
		}
	}
}
