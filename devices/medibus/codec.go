// Package medibus speaks Dräger Medibus (Evita, Savina, Primus, Fabius
// and their like; 19200 8E1, no handshake): a pure codec, a Driver for the
// workstation and a Simulator that behaves like a ventilator, for the demo
// and the tests.
//
// Two streams share the line. ASCII frames (every byte below 0x80): a
// command `1B cmd args CHK 0D` and its response `01 cmd data CHK 0D`, CHK
// being the byte sum from 1B/01 to the last data byte as two uppercase hex
// digits. Both ends are masters: each sends commands and answers the
// other's. Realtime curves (every byte 0x80 or above) may come between any
// two bytes of an ASCII frame: a sync byte D0|mask, optional sync commands
// with their argument (C4/C5 masks of streams 5–12, C6 C0/C1 start of
// inspiration/expiration), then two 6-bit bytes per sample of each stream
// in the mask.
package medibus

import (
	"errors"
	"fmt"
)

// Framing bytes.
const (
	ESC byte = 0x1B // starts a command
	SOH byte = 0x01 // starts a response
	CR  byte = 0x0D // ends either
)

// Commands.
const (
	CmdNOP          byte = 0x30
	CmdCurAlarmsCP3 byte = 0x23
	CmdDataCP1      byte = 0x24 // measured values, code page 1
	CmdLowLimitsCP1 byte = 0x25
	CmdHighLimits   byte = 0x26
	CmdAlarmsCP1    byte = 0x27
	CmdDateTime     byte = 0x28
	CmdSettings     byte = 0x29
	CmdTextMessages byte = 0x2A
	CmdDataCP2      byte = 0x2B
	CmdICC          byte = 0x51 // initialize communication
	CmdDeviceID     byte = 0x52
	CmdRTConfig     byte = 0x53 // realtime configuration
	CmdRTConfigure  byte = 0x54 // configure realtime transmission
	CmdStop         byte = 0x55 // stop communication
)

// MaxFrame is the longest ASCII frame the decoder keeps.
const MaxFrame = 1024

// Frame is one ASCII frame: a command or a response.
type Frame struct {
	Response bool // 01 … rather than 1B …
	Cmd      byte
	Data     []byte // arguments of a command, data of a response
}

// Encode returns the frame's bytes with its checksum.
func (f Frame) Encode() []byte {
	start := ESC
	if f.Response {
		start = SOH
	}
	b := make([]byte, 0, len(f.Data)+5)
	b = append(b, start, f.Cmd)
	b = append(b, f.Data...)
	return append(append(b, Checksum(b)...), CR)
}

// Command returns the bytes of a command with its arguments.
func Command(cmd byte, args string) []byte { return Frame{Cmd: cmd, Data: []byte(args)}.Encode() }

// Response returns the bytes of a response with its data.
func Response(cmd byte, data string) []byte {
	return Frame{Response: true, Cmd: cmd, Data: []byte(data)}.Encode()
}

const hexDigits = "0123456789ABCDEF"

// Checksum returns the byte sum of b mod 256 as two uppercase hex digits.
func Checksum(b []byte) []byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return []byte{hexDigits[s>>4], hexDigits[s&0x0F]}
}

// Errors of the ASCII layer.
var (
	ErrChecksum  = errors.New("medibus: checksum mismatch")
	ErrShort     = errors.New("medibus: frame too short")
	ErrTooLong   = errors.New("medibus: frame too long")
	ErrCut       = errors.New("medibus: frame cut by a new start")
	ErrRealtime  = errors.New("medibus: realtime frame cut short")
	ErrNotAFrame = errors.New("medibus: not a frame")
)

// ParseFrame checks and reads one ASCII frame (start byte to CR).
func ParseFrame(b []byte) (Frame, error) {
	if len(b) < 5 {
		return Frame{}, fmt.Errorf("%d bytes: %w", len(b), ErrShort)
	}
	if (b[0] != ESC && b[0] != SOH) || b[len(b)-1] != CR {
		return Frame{}, ErrNotAFrame
	}
	body, chk := b[:len(b)-3], b[len(b)-3:len(b)-1]
	if want := Checksum(body); want[0] != chk[0] || want[1] != chk[1] {
		return Frame{}, fmt.Errorf("sum %s, frame says %q: %w", want, chk, ErrChecksum)
	}
	return Frame{Response: b[0] == SOH, Cmd: b[1], Data: append([]byte(nil), body[2:]...)}, nil
}
