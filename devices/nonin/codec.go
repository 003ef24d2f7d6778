// Package nonin speaks Nonin's serial data formats 2, 7 and 8 (OEM III
// modules, Xpod 3012, Onyx II 9560, WristOx2 3150; 9600 8N1): a pure codec,
// a Driver for the workstation and a Simulator that answers like the
// device, for the demo and the tests.
//
// The host selects a format with `02 70 02 02 <fmt> 03`; the device
// answers 06 (ACK) or 15 (NAK) and streams frames of that format:
//
//	DF2: 01 · STATUS · PLETH · DATA · CHK         75 frames/s
//	DF7: STATUS · PLETH MSB · PLETH LSB · DATA · CHK 75 frames/s
//	DF8: STATUS · HR LSB · SpO2 · STATUS2          1 frame/s
//
// CHK is the sum of the bytes before it, mod 256. In DF2 and DF7, 25
// frames make a packet (a third of a second): frame 1 has the SYNC bit of
// STATUS set, and the DATA bytes of the 25 frames carry the numerics (see
// Packet).
package nonin

import (
	"errors"
	"fmt"
	"io"
)

// Format is a Nonin serial data format number.
type Format byte

// The data formats this package speaks.
const (
	DF2 Format = 2
	DF7 Format = 7
	DF8 Format = 8
)

// String returns "DF7" and the like.
func (f Format) String() string { return fmt.Sprintf("DF%d", byte(f)) }

// FrameLen returns a format's frame length on the wire, 0 if unknown.
func (f Format) FrameLen() int {
	switch f {
	case DF2, DF7:
		return 5
	case DF8:
		return 4
	}
	return 0
}

// Replies to a host command.
const (
	ACK byte = 0x06
	NAK byte = 0x15
)

// FormatCommand returns the host command that selects format f.
func FormatCommand(f Format) []byte { return []byte{0x02, 0x70, 0x02, 0x02, byte(f), 0x03} }

// ParseFormatCommand reports the format a 6-byte host command selects.
func ParseFormatCommand(b []byte) (Format, bool) {
	if len(b) != 6 || b[0] != 0x02 || b[1] != 0x70 || b[2] != 0x02 || b[3] != 0x02 || b[5] != 0x03 {
		return 0, false
	}
	return Format(b[4]), true
}

// STATUS bits of a DF2/DF7 frame (bit 7 is always set).
const (
	StatusSync   byte = 0x01 // frame 1 of a packet
	StatusGPRF   byte = 0x02 // green perfusion (with RPRF: yellow)
	StatusRPRF   byte = 0x04 // red perfusion
	StatusSNSA   byte = 0x08 // sensor alarm
	StatusOOT    byte = 0x10 // out of track
	StatusARTF   byte = 0x20 // artifact
	StatusSNSD   byte = 0x40 // sensor disconnected
	StatusAlways byte = 0x80
)

// STATUS bits of a DF8 frame; bits 1–0 are HR bits 8–7.
const (
	DF8SNSD              byte = 0x40
	DF8OOT               byte = 0x20
	DF8LowPerfusion      byte = 0x10
	DF8MarginalPerfusion byte = 0x08
	DF8Artifact          byte = 0x04
)

// STATUS2 bits of a DF8 frame.
const (
	DF8SensorFault     byte = 0x08
	DF8SpotCheck       byte = 0x04
	DF8CriticalBattery byte = 0x02
	DF8LowBattery      byte = 0x01
)

// Missing values.
const (
	MissingHR   = 511
	MissingSpO2 = 127
)

// Frame is one decoded frame. DF2 and DF7 fill Status, Pleth and Data; DF8
// fills Status (HR bits cleared), HR, SpO2 and Status2.
type Frame struct {
	Status  byte
	Pleth   uint16 // DF2: 0..255; DF7: 0..65535
	Data    byte
	HR      int // DF8: 0..511, MissingHR = missing
	SpO2    int // DF8: 0..127, MissingSpO2 = missing
	Status2 byte
}

// Encode returns fr's wire bytes in format f (nil for an unknown format).
// Bit 7 of STATUS is set; DF8 takes HR bits 8–7 into STATUS.
func Encode(f Format, fr Frame) []byte {
	st := fr.Status | StatusAlways
	switch f {
	case DF2:
		b := []byte{0x01, st, byte(fr.Pleth), fr.Data, 0}
		b[4] = checksum(b[:4])
		return b
	case DF7:
		b := []byte{st, byte(fr.Pleth >> 8), byte(fr.Pleth), fr.Data, 0}
		b[4] = checksum(b[:4])
		return b
	case DF8:
		return []byte{st&^3 | byte(fr.HR>>7)&3, byte(fr.HR) & 0x7F, byte(fr.SpO2) & 0x7F, fr.Status2 & 0x7F}
	}
	return nil
}

func checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return s
}

// ErrFrame is wrapped by Parse for bytes that are not a frame.
var ErrFrame = errors.New("nonin: not a frame")

// Parse decodes one frame of format f from exactly f.FrameLen() bytes,
// checking the framing bits and, for DF2 and DF7, the checksum.
func Parse(f Format, b []byte) (Frame, error) {
	if n := f.FrameLen(); n == 0 || len(b) != n {
		return Frame{}, fmt.Errorf("%w: %d bytes for %v", ErrFrame, len(b), f)
	}
	switch f {
	case DF2:
		if b[0] != 0x01 || b[1]&0x80 == 0 {
			return Frame{}, fmt.Errorf("%w: DF2 header % X", ErrFrame, b[:2])
		}
		if c := checksum(b[:4]); c != b[4] {
			return Frame{}, fmt.Errorf("%w: checksum %02X, want %02X", ErrFrame, b[4], c)
		}
		return Frame{Status: b[1], Pleth: uint16(b[2]), Data: b[3]}, nil
	case DF7:
		if b[0]&0x80 == 0 {
			return Frame{}, fmt.Errorf("%w: DF7 status %02X without bit 7", ErrFrame, b[0])
		}
		if c := checksum(b[:4]); c != b[4] {
			return Frame{}, fmt.Errorf("%w: checksum %02X, want %02X", ErrFrame, b[4], c)
		}
		return Frame{Status: b[0], Pleth: uint16(b[1])<<8 | uint16(b[2]), Data: b[3]}, nil
	}
	if b[0]&0x80 == 0 || (b[1]|b[2]|b[3])&0x80 != 0 {
		return Frame{}, fmt.Errorf("%w: DF8 framing bits % X", ErrFrame, b)
	}
	return Frame{Status: b[0] &^ 3, HR: int(b[0]&3)<<7 | int(b[1]), SpO2: int(b[2]), Status2: b[3]}, nil
}

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error, which is how a serial read timeout looks.
var ErrNoData = errors.New("nonin: no data yet")

// Decoder reads frames of one format, sliding a byte at a time over what
// does not frame (bad framing bits or checksum) until a frame fits again.
type Decoder struct {
	r       io.Reader
	f       Format
	buf     [256]byte
	pos, n  int
	win     []byte // bytes of a candidate frame
	skipped int
}

// NewDecoder returns a decoder of format f reading from r.
func NewDecoder(r io.Reader, f Format) *Decoder {
	return &Decoder{r: r, f: f, win: make([]byte, 0, 8)}
}

// Skipped returns how many bytes were discarded so far.
func (d *Decoder) Skipped() int { return d.skipped }

// Next returns the next frame. It returns io.EOF at the end of the stream
// (leftover bytes count as skipped), ErrNoData when the reader timed out,
// or the reader's error.
func (d *Decoder) Next() (Frame, error) {
	n := d.f.FrameLen()
	if n == 0 {
		return Frame{}, fmt.Errorf("nonin decoder: unknown format %d", byte(d.f))
	}
	for {
		if len(d.win) == n {
			fr, err := Parse(d.f, d.win)
			if err == nil {
				d.win = d.win[:0]
				return fr, nil
			}
			copy(d.win, d.win[1:])
			d.win = d.win[:n-1]
			d.skipped++
			continue
		}
		if d.pos == d.n {
			m, err := d.r.Read(d.buf[:])
			d.pos, d.n = 0, m
			if m == 0 {
				if err == nil {
					return Frame{}, ErrNoData
				}
				if errors.Is(err, io.EOF) {
					d.skipped += len(d.win)
					d.win = d.win[:0]
					return Frame{}, io.EOF
				}
				return Frame{}, fmt.Errorf("read nonin frame: %w", err)
			}
		}
		d.win = append(d.win, d.buf[d.pos])
		d.pos++
	}
}
