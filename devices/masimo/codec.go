// Package masimo speaks Masimo's "ASCII 1" serial output (Rad-8,
// Radical-7, Rad-97/Root; 9600 8N1): a pure codec, a Driver and a
// Simulator. The device writes one line a second, ending CR LF:
//
//	02/22/16 22:47:45 SN=0000056661 SPO2=098% BPM=097 PI=03.60% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000800
//
// a date (MM/DD/YY), a time, then key=value tokens; dashes mean no value.
// There is no waveform.
package masimo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxLine bounds one line; a longer run of bytes without LF is skipped.
const MaxLine = 512

// Field is one key=value token, the value as sent ("098%", "--.-%").
type Field struct {
	Key, Raw string
}

// Line is one decoded line.
type Line struct {
	Time   time.Time // the device clock, in the decoder's location
	Fields []Field   // in line order
}

// Get returns the raw value of key and whether the line has it.
func (l Line) Get(key string) (string, bool) {
	for _, f := range l.Fields {
		if f.Key == key {
			return f.Raw, true
		}
	}
	return "", false
}

// Hex returns the value of a hexadecimal field (ALARM, EXC, EXC1), 0 when
// absent or not hexadecimal.
func (l Line) Hex(key string) uint32 {
	raw, _ := l.Get(key)
	v, err := strconv.ParseUint(raw, 16, 32)
	if err != nil {
		return 0
	}
	return uint32(v)
}

// DateLayout is the layout of the date and time at the start of a line.
const DateLayout = "01/02/06 15:04:05"

// Format renders a line as the device sends it, CR LF included.
func Format(l Line) string {
	var b strings.Builder
	b.WriteString(l.Time.Format(DateLayout))
	for _, f := range l.Fields {
		b.WriteByte(' ')
		b.WriteString(f.Key)
		b.WriteByte('=')
		b.WriteString(f.Raw)
	}
	b.WriteString("\r\n")
	return b.String()
}

// ErrLine is wrapped by ParseLine for text that is not an ASCII 1 line.
var ErrLine = errors.New("masimo: not an ASCII 1 line")

// ParseLine decodes one line (without or with its CR LF); the date and
// time are read in loc. It wants the date, the time and at least one
// key=value token, every token after the time being one.
func ParseLine(s string, loc *time.Location) (Line, error) {
	s = strings.TrimRight(s, "\r\n")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E {
			return Line{}, fmt.Errorf("%w: byte %#02x at %d", ErrLine, c, i)
		}
	}
	tok := strings.Fields(s)
	if len(tok) < 3 {
		return Line{}, fmt.Errorf("%w: %d tokens", ErrLine, len(tok))
	}
	t, err := time.ParseInLocation(DateLayout, tok[0]+" "+tok[1], loc)
	if err != nil {
		return Line{}, fmt.Errorf("%w: date: %w", ErrLine, err)
	}
	l := Line{Time: t, Fields: make([]Field, 0, len(tok)-2)}
	for _, kv := range tok[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !validKey(k) {
			return Line{}, fmt.Errorf("%w: token %q", ErrLine, kv)
		}
		l.Fields = append(l.Fields, Field{Key: k, Raw: v})
	}
	return l, nil
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Value is a field's value read as a number.
type Value struct {
	V       float64
	Percent bool // the value ended in "%"
	Invalid bool // dashes: the device has no value
}

// ParseValue reads "098%", "03.60%", "+05", "--.-%" or "+--". ok is false
// for text that is neither a number nor dashes (a serial number, hex flags
// are read with Line.Hex).
func ParseValue(raw string) (v Value, ok bool) {
	s, pct := strings.CutSuffix(raw, "%")
	v.Percent = pct
	if s == "" {
		return v, false
	}
	if strings.Trim(s, "+-.") == "" && strings.Contains(s, "-") {
		v.Invalid = true
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return v, false
	}
	v.V = f
	return v, true
}

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error, which is how a serial read timeout looks.
var ErrNoData = errors.New("masimo: no data yet")

// Decoder reads lines, skipping those that do not parse.
type Decoder struct {
	r       io.Reader
	buf     [256]byte
	pos, n  int
	loc     *time.Location
	cur     []byte // bytes of the line so far
	skipped int
	bad     int
}

// NewDecoder returns a decoder reading from r, reading device times in
// loc (nil: time.Local).
func NewDecoder(r io.Reader, loc *time.Location) *Decoder {
	if loc == nil {
		loc = time.Local
	}
	return &Decoder{r: r, loc: loc}
}

// Skipped returns how many bytes were discarded (bad or over-long lines).
func (d *Decoder) Skipped() int { return d.skipped }

// BadLines returns how many lines were discarded.
func (d *Decoder) BadLines() int { return d.bad }

// Next returns the next line that parses. It returns io.EOF at the end of
// the stream (an unfinished line there counts as skipped), ErrNoData when
// the reader timed out, or the reader's error.
func (d *Decoder) Next() (Line, error) {
	for {
		if d.pos == d.n {
			n, err := d.r.Read(d.buf[:])
			d.pos, d.n = 0, n
			if n == 0 {
				if err == nil {
					return Line{}, ErrNoData
				}
				if errors.Is(err, io.EOF) {
					d.drop()
					return Line{}, io.EOF
				}
				return Line{}, fmt.Errorf("read masimo line: %w", err)
			}
		}
		c := d.buf[d.pos]
		d.pos++
		if c != '\n' {
			if len(d.cur) >= MaxLine {
				d.skipped++
				continue // an over-long line: drop the rest up to LF
			}
			d.cur = append(d.cur, c)
			continue
		}
		if len(bytes.TrimSpace(d.cur)) == 0 {
			d.cur = d.cur[:0] // a blank line is no bad line
			continue
		}
		l, perr := ParseLine(string(d.cur), d.loc)
		if perr != nil || len(d.cur) >= MaxLine {
			d.drop()
			continue
		}
		d.cur = d.cur[:0]
		return l, nil
	}
}

func (d *Decoder) drop() {
	if len(d.cur) > 0 {
		d.skipped += len(d.cur)
		d.bad++
	}
	d.cur = d.cur[:0]
}
