// Package ad8232 reads a single-lead AD8232 heart-monitor board behind an
// Arduino running the SparkFun-style sketch: one 10-bit ADC value per line
// in ASCII ("512\r\n"), or "!\r\n" while the leads are off. The stream has
// no clock and no counter: samples are timed on the host.
//
// A leads-off line carries no sample. The driver breaks the run of samples
// there and marks the first chunk after the leads-off run GapBefore|LeadOff;
// the simulator's Sent leaves those lines out in the same way.
package ad8232

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"telewave/devices"
)

// MaxValue is the largest count of the Arduino's 10-bit converter.
const MaxValue = 1023

// maxLine is the longest line kept: "1023\r" plus slack; a longer one is
// garbage (another device, a wrong baud rate).
const maxLine = 8

// Line is one line of the stream: a sample, or leads off.
type Line struct {
	Value    int32 // 0..1023 when LeadsOff is false
	LeadsOff bool  // the sketch printed "!"
}

// Encode returns the line as the sketch prints it with Serial.println.
func Encode(l Line) []byte { return AppendLine(nil, l) }

// AppendLine appends the line as the sketch prints it.
func AppendLine(b []byte, l Line) []byte {
	if l.LeadsOff {
		return append(b, '!', '\r', '\n')
	}
	return append(strconv.AppendInt(b, int64(l.Value), 10), '\r', '\n')
}

// ParseLine parses a line without its "\n" (a trailing "\r" is allowed).
func ParseLine(b []byte) (Line, error) {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if len(b) == 1 && b[0] == '!' {
		return Line{LeadsOff: true}, nil
	}
	if len(b) == 0 || len(b) > 4 {
		return Line{}, fmt.Errorf("ad8232 line %q: want 1 to 4 digits or !", b)
	}
	v := int32(0)
	for _, c := range b {
		if c < '0' || c > '9' {
			return Line{}, fmt.Errorf("ad8232 line %q: not a number", b)
		}
		v = v*10 + int32(c-'0')
	}
	if v > MaxValue {
		return Line{}, fmt.Errorf("ad8232 line %q: above %d", b, MaxValue)
	}
	return Line{Value: v}, nil
}

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error (a serial read timeout). Buffered bytes are kept.
var ErrNoData = errors.New("ad8232: no data yet")

// Decoder reads lines from a byte stream. The first line is dropped: a
// host that opens the port mid-stream cannot tell a cut line ("12" of
// "512") from a whole one. Lines that do not parse are skipped.
type Decoder struct {
	r       io.Reader
	buf     []byte // unconsumed bytes, a window of store
	store   [256]byte
	synced  bool // the first line terminator was seen
	discard bool // inside an overlong line: drop it up to its end
	skipped int
	eof     bool
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Skipped returns how many bytes of bad lines were discarded; the first
// line, dropped on purpose, is not counted.
func (d *Decoder) Skipped() int { return d.skipped }

// Next returns the next valid line. It returns io.EOF at the end of the
// stream, ErrNoData when the reader timed out, or the reader's error.
func (d *Decoder) Next() (Line, error) {
	for {
		if i := indexNL(d.buf); i >= 0 {
			line := d.buf[:i]
			d.buf = d.buf[i+1:]
			switch {
			case !d.synced:
				d.synced = true
				continue
			case d.discard:
				d.discard = false
				d.skipped += i + 1
				continue
			}
			l, err := ParseLine(line)
			if err != nil {
				d.skipped += i + 1
				continue
			}
			return l, nil
		}
		if len(d.buf) > maxLine {
			if d.synced {
				d.skipped += len(d.buf)
			}
			d.buf = nil
			d.discard = d.synced
		}
		if d.eof {
			if d.synced {
				d.skipped += len(d.buf)
			}
			d.buf = nil
			return Line{}, io.EOF
		}
		if err := d.fill(); err != nil {
			return Line{}, err
		}
	}
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// fill moves the partial line to the front of store and reads after it.
func (d *Decoder) fill() (err error) {
	d.buf, err = devices.Refill(d.r, d.store[:], d.buf, &d.eof, ErrNoData, "ad8232 line")
	return err
}
