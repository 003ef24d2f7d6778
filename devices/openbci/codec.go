// Package openbci speaks the OpenBCI Cyton board's serial protocol (115200
// 8N1, 250 samples/s, 8 channels): a pure codec, a Driver and a Simulator.
//
// Each sample is a 33-byte packet: A0, a sample counter that wraps at 256,
// eight 24-bit big-endian two's-complement channel values, three 16-bit
// auxiliary values (the accelerometer), and a footer byte C0..C6. A reader
// resynchronises on the header and footer.
//
// Wiring the simulator to the driver, as `telewave simulate` and the tests do:
//
//	a, b := devicetest.Pipe() // or a pty master and its slave
//	s := &openbci.Simulator{Source: sim.NewSyntheticECG(72, 1)}
//	go s.Run(ctx, a)
//	err := openbci.NewDriver(nil).Run(ctx, b, emit)
package openbci

import (
	"errors"
	"io"

	"telewave/devices"
)

// PacketSize is the length of one sample packet on the wire.
const PacketSize = 33

// Header and footer bytes.
const (
	Header     byte = 0xA0
	FooterBase byte = 0xC0 // footers C0..C6 say what the aux bytes hold
)

// Channels is the number of EEG/ECG channels of a Cyton.
const Channels = 8

// Gain is the ADS1299 gain the board uses by default.
const Gain = 24

// ScaleUV is microvolts per count at the default gain: 4.5 V reference,
// gain 24, 24-bit signed converter.
const ScaleUV = 4.5 / Gain / (1<<23 - 1) * 1e6

// Packet is one decoded sample.
type Packet struct {
	Sample   uint8           // counter, wraps 255 → 0
	Channels [Channels]int32 // counts, sign-extended from 24 bits
	Aux      [3]int16
	Footer   byte // C0..C6
}

// Encode frames p as 33 bytes. Channel values are cut to 24 bits.
func Encode(p Packet) []byte {
	b := make([]byte, PacketSize)
	b[0] = Header
	b[1] = p.Sample
	for i, v := range p.Channels {
		b[2+3*i] = byte(v >> 16)
		b[3+3*i] = byte(v >> 8)
		b[4+3*i] = byte(v)
	}
	for i, v := range p.Aux {
		b[26+2*i] = byte(uint16(v) >> 8)
		b[27+2*i] = byte(v)
	}
	b[32] = p.Footer
	if b[32]&0xF0 != FooterBase || b[32] > FooterBase+6 {
		b[32] = FooterBase
	}
	return b
}

func parse(b []byte) Packet {
	p := Packet{Sample: b[1], Footer: b[32]}
	for i := range p.Channels {
		v := int32(b[2+3*i])<<16 | int32(b[3+3*i])<<8 | int32(b[4+3*i])
		p.Channels[i] = v << 8 >> 8 // sign-extend 24 bits
	}
	for i := range p.Aux {
		p.Aux[i] = int16(uint16(b[26+2*i])<<8 | uint16(b[27+2*i]))
	}
	return p
}

func isFooter(b byte) bool { return b >= FooterBase && b <= FooterBase+6 }

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error (a serial read timeout). Buffered bytes are kept; call
// Next again.
var ErrNoData = errors.New("openbci: no data yet")

// Decoder reads sample packets from a byte stream, skipping text (the
// reset banner) and broken packets.
type Decoder struct {
	r       io.Reader
	buf     []byte // unconsumed bytes, a window of store
	store   [1024]byte
	skipped int
	eof     bool
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Skipped returns how many bytes were discarded.
func (d *Decoder) Skipped() int { return d.skipped }

// Next returns the next packet whose header and footer are in place. It
// returns io.EOF at the end of the stream, ErrNoData when the reader timed
// out, or the reader's error.
func (d *Decoder) Next() (Packet, error) {
	for {
		// A header byte that was data gets skipped: resync after it.
		frame, rest, skipped := devices.SyncFrame(d.buf, Header, PacketSize, func(b []byte) bool { return isFooter(b[PacketSize-1]) })
		d.skipped += skipped
		d.buf = rest
		if frame != nil {
			return parse(frame), nil
		}
		if d.eof {
			d.skipped += len(d.buf)
			d.buf = nil
			return Packet{}, io.EOF
		}
		if err := d.fill(); err != nil {
			return Packet{}, err
		}
	}
}

// fill moves the partial packet to the front of store and reads after it.
func (d *Decoder) fill() (err error) {
	d.buf, err = devices.Refill(d.r, d.store[:], d.buf, &d.eof, ErrNoData, "openbci packet")
	return err
}
