// Package ads1298 speaks an ADS1298-class 12-lead ECG board over a serial
// link: a pure codec, a Driver and a Simulator that plays a real 12-lead
// record (LUDB or PTB through formats/wfdb) or a synthetic one.
//
// The board measures eight channels (I, II, V1..V6) at 500 samples/s and
// frames each sample in the ProtoCentral style:
//
//	0A FA | len u16 LE (= 31) | type 02 | payload (31 bytes) | 00 0B
//	payload: counter u32 LE | ADS129x status word (3 bytes, MSB first) |
//	         8 × int24 BE two's complement (CH1..CH8)
//
// The status word is the converter's own: 1100, LOFF_STATP[7:0],
// LOFF_STATN[7:0], GPIO[7:4]. The driver turns the lead-off bits into
// LeadOff flags and events, the counter into GapBefore flags and data-gap
// events, and derives III, aVR, aVL and aVF exactly in integer counts.
package ads1298

import (
	"errors"
	"io"

	"telewave/devices"
)

// Frame bytes.
const (
	Sync0       byte = 0x0A
	Sync1       byte = 0xFA
	TypeECG     byte = 0x02
	End0        byte = 0x00
	End1        byte = 0x0B
	PayloadSize      = 4 + 3 + 3*Channels // counter, status, channels
	FrameSize        = 2 + 2 + 1 + PayloadSize + 2
)

// Channels is the number of converter channels.
const Channels = 8

// SampleRate is the board's output rate, samples per second per channel.
const SampleRate = 500

// Converter settings: PGA gain 6 and a 2.4 V reference, so one count is
// 2·Vref/(gain·2^24) = 0.8 V/2^24 = 0.0476837158203125 µV, exactly.
const (
	Gain    = 6
	VrefV   = 2.4
	ScaleUV = 2 * VrefV / (Gain * (1 << 24)) * 1e6
)

// statusMark is the fixed top nibble of an ADS129x status word.
const statusMark = 0xC

// Packet is one decoded sample of all eight channels.
type Packet struct {
	Counter uint32 // increments by one per sample; wraps at 2^32
	LoffP   uint8  // LOFF_STATP: bit k set = input IN(k+1)P is off
	LoffN   uint8  // LOFF_STATN: bit k set = input IN(k+1)N is off
	GPIO    uint8  // GPIO[7:4] in the low nibble
	// Channels holds CH1..CH8 as sign-extended 24-bit counts.
	Channels [Channels]int32
}

// Status returns the 24-bit status word as the converter shifts it out.
func (p Packet) Status() uint32 {
	return statusMark<<20 | uint32(p.LoffP)<<12 | uint32(p.LoffN)<<4 | uint32(p.GPIO&0x0F)
}

// Encode frames p as FrameSize bytes. Channel values are cut to 24 bits.
func Encode(p Packet) []byte {
	return AppendFrame(make([]byte, 0, FrameSize), p)
}

// AppendFrame appends p's frame to b.
func AppendFrame(b []byte, p Packet) []byte {
	st := p.Status()
	b = append(b, Sync0, Sync1, byte(PayloadSize), byte(PayloadSize>>8), TypeECG,
		byte(p.Counter), byte(p.Counter>>8), byte(p.Counter>>16), byte(p.Counter>>24),
		byte(st>>16), byte(st>>8), byte(st))
	for _, v := range p.Channels {
		b = append(b, byte(v>>16), byte(v>>8), byte(v))
	}
	return append(b, End0, End1)
}

// valid reports whether b (FrameSize bytes from a sync) is a whole frame.
func valid(b []byte) bool {
	return b[0] == Sync0 && b[1] == Sync1 && b[2] == byte(PayloadSize) && b[3] == 0 && b[4] == TypeECG &&
		b[9]>>4 == statusMark && b[FrameSize-2] == End0 && b[FrameSize-1] == End1
}

func parse(b []byte) Packet {
	p := Packet{Counter: uint32(b[5]) | uint32(b[6])<<8 | uint32(b[7])<<16 | uint32(b[8])<<24}
	st := uint32(b[9])<<16 | uint32(b[10])<<8 | uint32(b[11])
	p.LoffP, p.LoffN, p.GPIO = uint8(st>>12), uint8(st>>4), uint8(st&0x0F)
	for i := range p.Channels {
		v := int32(b[12+3*i])<<16 | int32(b[13+3*i])<<8 | int32(b[14+3*i])
		p.Channels[i] = v << 8 >> 8
	}
	return p
}

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error (a serial read timeout). Buffered bytes are kept.
var ErrNoData = errors.New("ads1298: no data yet")

// Decoder reads frames from a byte stream, skipping garbage, cut frames
// and frames whose length, type, status mark or trailer is wrong.
type Decoder struct {
	r       io.Reader
	buf     []byte // unconsumed bytes, a window of store
	store   [2048]byte
	skipped int
	eof     bool
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Skipped returns how many bytes were discarded so far.
func (d *Decoder) Skipped() int { return d.skipped }

// Next returns the next whole frame's packet. It returns io.EOF at the end
// of the stream, ErrNoData when the reader timed out, or the reader's error.
func (d *Decoder) Next() (Packet, error) {
	for {
		frame, rest, skipped := devices.SyncFrame(d.buf, Sync0, FrameSize, valid)
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

// fill moves the partial frame to the front of store and reads after it.
func (d *Decoder) fill() (err error) {
	d.buf, err = devices.Refill(d.r, d.store[:], d.buf, &d.eof, ErrNoData, "ads1298 frame")
	return err
}
