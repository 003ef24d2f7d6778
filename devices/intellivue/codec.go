// Package intellivue speaks the Philips IntelliVue Data Export protocol over
// the monitor's MIB/RS-232 port (115200 8N1, no handshake): a pure codec for
// the frames, session PDUs, remote operations and attributes, a Driver that
// associates with the monitor and keeps a wave poll and a numerics poll
// alive, and a Simulator that plays the monitor for the demo and the tests.
//
// A frame is C0, then the escaped bytes of a 4-byte header (protocol 0x11,
// message type 0x01, user-data length), the user data and a PPP FCS-16 sent
// low byte first, then C1. C0, C1 and 7D inside a frame are sent as 7D
// followed by the byte XOR 0x20. Some hosts send the FCS unescaped; the
// decoder accepts both.
//
// Wiring the simulator to the driver, as the tests do:
//
//	a, b := devicetest.Pipe() // or a pty master and its slave
//	s := &intellivue.Simulator{}
//	go s.Run(ctx, a)
//	err := intellivue.NewDriver(nil).Run(ctx, b, emit)
package intellivue

import (
	"errors"
	"fmt"
	"io"
)

// Framing bytes.
const (
	frameStart byte = 0xC0
	frameEnd   byte = 0xC1
	escape     byte = 0x7D
	escapeXOR  byte = 0x20
	// protocolID and msgType open every frame's header (MIB/RS-232, data).
	protocolID byte = 0x11
	msgType    byte = 0x01
)

// MaxUserData bounds a frame's user data; longer length fields are treated
// as corrupt. The monitor's own frames stay well below (its MTU is ~1000).
const MaxUserData = 8192

// fcsTable is the PPP (RFC 1662) FCS-16 table, reflected polynomial 0x8408.
var fcsTable = func() [256]uint16 {
	var t [256]uint16
	for i := range t {
		v := uint16(i)
		for range 8 {
			if v&1 != 0 {
				v = v>>1 ^ 0x8408
			} else {
				v >>= 1
			}
		}
		t[i] = v
	}
	return t
}()

// FCS returns the PPP FCS-16 of b: initial 0xFFFF, one's complement at the
// end. It is sent low byte first.
func FCS(b []byte) uint16 {
	fcs := uint16(0xFFFF)
	for _, c := range b {
		fcs = fcs>>8 ^ fcsTable[byte(fcs)^c]
	}
	return ^fcs
}

// EncodeFrame wraps user data (a session PDU) in a frame ready for the
// wire, escaping the header, the data and the FCS.
func EncodeFrame(userData []byte) []byte {
	body := make([]byte, 0, 6+len(userData))
	body = append(body, protocolID, msgType, byte(len(userData)>>8), byte(len(userData)))
	body = append(body, userData...)
	fcs := FCS(body)
	body = append(body, byte(fcs), byte(fcs>>8))
	out := make([]byte, 0, len(body)+len(body)/8+2)
	out = append(out, frameStart)
	for _, c := range body {
		if c == frameStart || c == frameEnd || c == escape {
			out = append(out, escape, c^escapeXOR)
		} else {
			out = append(out, c)
		}
	}
	return append(out, frameEnd)
}

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error (a serial read timeout). Call Next again.
var ErrNoData = errors.New("intellivue: no data yet")

// Decoder reads frames from a byte stream. It skips bytes outside frames and
// frames that fail their length or FCS check, and starts again at the next
// C0, so that one corrupt frame costs only itself.
type Decoder struct {
	r       io.Reader
	buf     [1024]byte
	pos, n  int
	back    []byte // raw bytes handed back for a rescan after a bad frame
	skipped int
	bad     int

	raw     []byte // escaped bytes of the frame being read, C0 excluded
	body    []byte // unescaped header + user data so far
	esc     bool   // the previous raw byte was 7D
	inside  bool   // a C0 was seen
	dataEnd int    // len(raw) once header and user data are complete, else -1
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Skipped returns how many bytes were discarded: garbage between frames and
// the bytes of bad frames.
func (d *Decoder) Skipped() int { return d.skipped }

// BadFrames returns how many frames failed their header, length or FCS check
// or were cut short by the next C0.
func (d *Decoder) BadFrames() int { return d.bad }

func (d *Decoder) readByte() (byte, error) {
	if len(d.back) > 0 {
		c := d.back[0]
		d.back = d.back[1:]
		return c, nil
	}
	if d.pos == d.n {
		n, err := d.r.Read(d.buf[:])
		d.pos, d.n = 0, n
		if n == 0 {
			if err == nil {
				return 0, ErrNoData
			}
			return 0, err
		}
	}
	c := d.buf[d.pos]
	d.pos++
	return c, nil
}

func (d *Decoder) start() {
	d.inside, d.esc, d.dataEnd = true, false, -1
	d.raw, d.body = d.raw[:0], d.body[:0]
}

// reject drops the frame being read and rescans its bytes after the C0 for
// a frame start that a corrupt length field may have swallowed.
func (d *Decoder) reject() {
	d.bad++
	d.inside = false
	d.skipped++ // the C0; the rest is counted as it is rescanned
	d.back = append(append([]byte(nil), d.raw...), d.back...)
	d.raw, d.body = d.raw[:0], d.body[:0]
}

// Next returns the user data of the next good frame (a fresh slice). It
// returns io.EOF at the end of the stream (a partial frame then counts as
// skipped), ErrNoData when the reader timed out, or the reader's error.
func (d *Decoder) Next() ([]byte, error) {
	for {
		c, err := d.readByte()
		if err != nil {
			if errors.Is(err, ErrNoData) {
				return nil, err
			}
			if errors.Is(err, io.EOF) {
				if d.inside {
					d.skipped += 1 + len(d.raw)
					d.inside = false
					d.raw, d.body = d.raw[:0], d.body[:0]
				}
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read intellivue frame: %w", err)
		}
		if !d.inside {
			if c == frameStart {
				d.start()
			} else {
				d.skipped++
			}
			continue
		}
		if data, done := d.feed(c); done {
			return data, nil
		}
	}
}

// feed adds one raw byte to the frame being read and reports a complete,
// checked frame.
func (d *Decoder) feed(c byte) ([]byte, bool) {
	if d.dataEnd < 0 {
		// Header or user data: escapes apply, C0 and C1 cannot occur.
		switch {
		case c == frameStart: // the frame was cut short; a new one starts
			d.bad++
			d.skipped += 1 + len(d.raw)
			d.start()
			return nil, false
		case c == frameEnd:
			d.raw = append(d.raw, c)
			d.reject()
			return nil, false
		}
		d.raw = append(d.raw, c)
		switch {
		case d.esc:
			d.esc = false
			d.body = append(d.body, c^escapeXOR)
		case c == escape:
			d.esc = true
			return nil, false
		default:
			d.body = append(d.body, c)
		}
		if len(d.body) == 4 && (d.body[0] != protocolID || d.body[1] != msgType || d.userLen() > MaxUserData) {
			d.reject()
			return nil, false
		}
		if len(d.body) >= 4 && len(d.body) == 4+d.userLen() {
			d.dataEnd = len(d.raw)
		}
		return nil, false
	}
	// The FCS, escaped or plain, then C1.
	d.raw = append(d.raw, c)
	tail := d.raw[d.dataEnd:]
	if c == frameEnd && len(tail) >= 3 {
		if fcs, ok := fcsOf(tail[:len(tail)-1]); ok && FCS(d.body) == fcs {
			data := append([]byte(nil), d.body[4:]...)
			d.inside = false
			d.raw, d.body = d.raw[:0], d.body[:0]
			return data, true
		}
		d.reject()
		return nil, false
	}
	if len(tail) >= 5 {
		d.reject()
	}
	return nil, false
}

func (d *Decoder) userLen() int { return int(d.body[2])<<8 | int(d.body[3]) }

// fcsOf reads a 2-byte FCS, low byte first, from the raw bytes before C1:
// escaped as the protocol asks, or plain as some hosts send it.
func fcsOf(t []byte) (uint16, bool) {
	var b [2]byte
	switch {
	case len(t) == 2:
		b = [2]byte{t[0], t[1]}
	case len(t) == 3 && t[0] == escape:
		b = [2]byte{t[1] ^ escapeXOR, t[2]}
	case len(t) == 3 && t[1] == escape:
		b = [2]byte{t[0], t[2] ^ escapeXOR}
	case len(t) == 4 && t[0] == escape && t[2] == escape:
		b = [2]byte{t[1] ^ escapeXOR, t[3] ^ escapeXOR}
	default:
		return 0, false
	}
	return uint16(b[0]) | uint16(b[1])<<8, true
}
