package datex

import (
	"errors"
	"fmt"
	"io"
)

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error, which is how a serial read timeout looks. A partial
// frame is kept; call Next again.
var ErrNoData = errors.New("datex: no data yet")

// Decoder reads records from a byte stream. It resynchronises on the next
// flag after garbage, a truncated frame or a bad checksum.
type Decoder struct {
	r       io.Reader
	buf     [1024]byte
	pos, n  int
	rec     []byte // unescaped bytes of the frame being read, checksum last
	in      bool   // inside a frame (a flag was seen)
	esc     bool   // the previous byte was 7D
	over    bool   // the frame outgrew MaxRecordSize; wait for the next flag
	skipped int
	bad     int
	lastErr error
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, rec: make([]byte, 0, MaxRecordSize+1)}
}

// Skipped returns how many bytes were discarded: outside any frame, or in
// frames that failed their checks.
func (d *Decoder) Skipped() int { return d.skipped }

// BadFrames returns how many frames were dropped for a wrong checksum,
// length or layout.
func (d *Decoder) BadFrames() int { return d.bad }

// LastError says why the last bad frame was dropped.
func (d *Decoder) LastError() error { return d.lastErr }

// Next returns the next record that passed its checksum and header checks.
// It returns io.EOF at the end of the stream (a partial frame at the end
// is counted as skipped), ErrNoData when the reader timed out, or the
// reader's error.
func (d *Decoder) Next() (Record, error) {
	for {
		if d.pos == d.n {
			n, err := d.r.Read(d.buf[:])
			d.pos, d.n = 0, n
			if n == 0 {
				if err == nil {
					return Record{}, ErrNoData
				}
				if errors.Is(err, io.EOF) {
					d.skipped += len(d.rec)
					d.rec, d.in, d.esc = d.rec[:0], false, false
					return Record{}, io.EOF
				}
				return Record{}, fmt.Errorf("read datex frame: %w", err)
			}
		}
		c := d.buf[d.pos]
		d.pos++
		if c == Flag {
			if d.in && (len(d.rec) > 0 || d.esc || d.over) {
				r, err := d.finish()
				// This flag may open the next frame either way.
				d.rec, d.esc, d.over = d.rec[:0], false, false
				if err == nil {
					return r, nil
				}
				continue
			}
			d.in = true
			continue
		}
		if !d.in || d.over {
			d.skipped++
			continue
		}
		if d.esc {
			c ^= 0x20
			d.esc = false
		} else if c == Escape {
			d.esc = true
			continue
		}
		if len(d.rec) > MaxRecordSize {
			d.over = true
			d.skipped += len(d.rec) + 1
			d.rec = d.rec[:0]
			d.bad++
			d.lastErr = ErrTooLong
			continue
		}
		d.rec = append(d.rec, c)
	}
}

// finish checks the frame collected so far.
func (d *Decoder) finish() (Record, error) {
	fail := func(err error) (Record, error) {
		d.skipped += len(d.rec)
		d.bad++
		d.lastErr = err
		return Record{}, err
	}
	if d.over {
		return Record{}, ErrTooLong // already counted
	}
	if d.esc {
		return fail(errors.New("datex: escape before a flag"))
	}
	if len(d.rec) < HeaderSize+1 {
		return fail(fmt.Errorf("frame of %d bytes: %w", len(d.rec), ErrShortRecord))
	}
	body, sum := d.rec[:len(d.rec)-1], d.rec[len(d.rec)-1]
	if got := Checksum(body); got != sum {
		return fail(fmt.Errorf("sum %02X, frame says %02X: %w", got, sum, ErrChecksum))
	}
	r, err := ParseRecord(body)
	if err != nil {
		return fail(err)
	}
	return r, nil
}
