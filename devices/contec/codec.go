// Package contec speaks the Contec CMS50 "V7.0" command protocol (CMS50E/F/I,
// PC-60NW; 115200 8N1): a pure codec, a Driver for the workstation and a
// Simulator that answers like the device, for the demo and the tests.
//
// A packet is a type byte with bit 7 clear, a "hi" byte holding the top bits
// of the data bytes, then the data bytes with bit 7 set. Because only type
// bytes have bit 7 clear, a reader resynchronises after garbage by waiting
// for the next byte below 0x80.
//
// Wiring the simulator to the driver, as `telewave simulate` and the tests do:
//
//	a, b := devicetest.Pipe() // or a pty master and its slave
//	s := &contec.Simulator{Pleth: sim.NewSyntheticPleth(72, 1), PR: contec.Fixed(72), SpO2: contec.Fixed(97)}
//	go s.Run(ctx, a)
//	err := contec.NewDriver(nil).Run(ctx, b, emit)
package contec

import (
	"errors"
	"fmt"
	"io"
)

// Packet types sent by the device.
const (
	TypeLive    byte = 0x01 // real-time data, 60 per second
	TypeModel   byte = 0x02
	TypeVendor  byte = 0x03
	TypeVersion byte = 0x06
	TypeStopped byte = 0x0C // acknowledges A2 / A7
	// TypeCommand is the host → device command packet.
	TypeCommand byte = 0x7D
)

// Host command codes (the cc byte of Command).
const (
	CmdVersion   byte = 0xA0
	CmdLive      byte = 0xA1
	CmdStopLive  byte = 0xA2
	CmdStopStore byte = 0xA7
	CmdModel     byte = 0xA8
	CmdVendor    byte = 0xA9
	CmdKeepAlive byte = 0xAF
)

// packetLen is each type's length on the wire (type and hi byte included),
// after OSCAR's table; 0x7D is the host's command.
var packetLen = [128]uint8{
	0x01: 9, 0x02: 9, 0x03: 9, 0x04: 9, 0x05: 9,
	0x06: 4, 0x07: 8, 0x08: 8, 0x09: 6, 0x0A: 4, 0x0B: 4,
	0x0C: 2, 0x0E: 3, 0x0F: 8, 0x10: 3, 0x11: 9, 0x12: 8,
	0x13: 9, 0x14: 9, TypeCommand: 9,
}

// PacketLen returns the wire length of a packet type, 0 if unknown.
func PacketLen(typ byte) int {
	if typ >= 0x80 {
		return 0
	}
	return int(packetLen[typ])
}

// Packet is one decoded packet: its type and its data bytes with their top
// bits restored (the hi byte is not kept; Encode recomputes it).
type Packet struct {
	Type byte
	Data []byte
}

// Encode frames p for the wire: type, hi byte with the data bytes' top bits
// (bit i for data byte i), then the data bytes with bit 7 set. It does not
// check len(p.Data) against the type; a packet with more than 7 data bytes
// cannot be framed and is cut to 7.
func Encode(p Packet) []byte {
	data := p.Data
	if len(data) > 7 {
		data = data[:7]
	}
	out := make([]byte, 2, 2+len(data))
	out[0] = p.Type & 0x7F
	out[1] = 0x80
	for i, d := range data {
		out[1] |= (d >> 7) << i
		out = append(out, d|0x80)
	}
	return out
}

// Command returns the host command cc with its optional argument, as
// `7D 81 cc 80 arg 80 80 80 80`: the argument sits in wire byte 4 (counted
// from 0), the place the A6 "stored data" command takes its session number.
func Command(cc, arg byte) []byte {
	return Encode(Packet{Type: TypeCommand, Data: []byte{cc, 0, arg, 0, 0, 0, 0}})
}

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error, which is how a serial read timeout looks. Bytes of a
// partial packet are kept; call Next again.
var ErrNoData = errors.New("contec: no data yet")

// Decoder reads packets from a byte stream, skipping what does not frame.
type Decoder struct {
	r       io.Reader
	buf     [512]byte
	pos, n  int
	pkt     [9]byte // packet being assembled
	have    int     // bytes of pkt so far
	skipped int
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Skipped returns how many bytes were discarded because they did not
// belong to a well-formed packet of a known type.
func (d *Decoder) Skipped() int { return d.skipped }

// Next returns the next well-formed packet. It returns io.EOF at the end of
// the stream (a partial packet at the end is counted as skipped), ErrNoData
// when the reader timed out, or the reader's error.
func (d *Decoder) Next() (Packet, error) {
	for {
		if d.pos == d.n {
			n, err := d.r.Read(d.buf[:])
			d.pos, d.n = 0, n
			if n == 0 {
				if err == nil {
					return Packet{}, ErrNoData
				}
				if errors.Is(err, io.EOF) {
					d.skipped += d.have
					d.have = 0
					return Packet{}, io.EOF
				}
				return Packet{}, fmt.Errorf("read contec packet: %w", err)
			}
		}
		b := d.buf[d.pos]
		d.pos++
		if b&0x80 == 0 {
			// A type byte: it starts a packet, cutting short any packet that
			// was still missing bytes.
			d.skipped += d.have
			d.have = 0
			if PacketLen(b) == 0 {
				d.skipped++
				continue
			}
			d.pkt[0] = b
			d.have = 1
		} else {
			if d.have == 0 {
				d.skipped++
				continue
			}
			d.pkt[d.have] = b
			d.have++
		}
		if d.have == PacketLen(d.pkt[0]) {
			d.have = 0
			return unpack(d.pkt[:PacketLen(d.pkt[0])]), nil
		}
	}
}

// unpack restores the data bytes' top bits from the hi byte.
func unpack(raw []byte) Packet {
	p := Packet{Type: raw[0], Data: make([]byte, len(raw)-2)}
	hi := raw[1]
	for i := range p.Data {
		p.Data[i] = raw[i+2]&0x7F | ((hi>>i)&1)<<7
	}
	return p
}
