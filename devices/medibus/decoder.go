package medibus

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// ErrNoData is returned by Decoder.Next when the port's Read returned no
// bytes and no error (a serial read timeout). Partial frames are kept.
var ErrNoData = errors.New("medibus: no data yet")

// ItemKind says what Decoder.Next found.
type ItemKind int

// Item kinds.
const (
	ItemFrame    ItemKind = iota // an ASCII command or response
	ItemRealtime                 // one realtime sample set
	ItemSync                     // a sync command the decoder does not fold into a sample set
)

// Cycle markers carried by a realtime sample set.
const (
	CycleNone        byte = 0
	CycleInspiration byte = 1
	CycleExpiration  byte = 2
)

// Sync bytes and commands.
const (
	SyncByte    byte = 0xD0 // | mask of streams 1–4
	SyncEnd     byte = 0xC0 // end of sequence
	SyncEnable1 byte = 0xC1 // host: enable streams 1–4 (argument C0|mask)
	SyncEnable2 byte = 0xC2 // host: streams 5–8
	SyncEnable3 byte = 0xC3 // host: streams 9–12
	SyncMask2   byte = 0xC4 // device: streams 5–8 follow (argument C0|mask)
	SyncMask3   byte = 0xC5 // device: streams 9–12 follow
	SyncCycle   byte = 0xC6 // argument C0 inspiration, C1 expiration starts
	SyncCorrupt byte = 0xCF
)

// Realtime is one sample set: a sample of each stream in Mask (bit i =
// stream i+1), in stream order.
type Realtime struct {
	Mask    uint16
	Samples []uint16 // 12-bit values
	Cycle   byte
}

// SyncCommand is a sync command with its argument, as the host sends to
// switch streams on (C1 CF) or as the device sends beyond those folded
// into a Realtime.
type SyncCommand struct{ Cmd, Arg byte }

// Item is what Decoder.Next returns.
type Item struct {
	Kind     ItemKind
	Frame    Frame
	Realtime Realtime
	Sync     SyncCommand
}

// Decoder separates the two streams of a Medibus line and returns ASCII
// frames and realtime sample sets, each as soon as it is complete.
type Decoder struct {
	r      io.Reader
	buf    [512]byte
	pos, n int
	// ASCII frame state
	frame []byte
	// realtime state
	inRT    bool   // a sync byte opened a sample set
	mask    uint16 // streams of the open set
	data    []byte // its sample bytes so far
	cycle   byte
	cmd     byte // a sync command waiting for its argument, 0 if none
	skipped int
	bad     int
	rtBad   int
	lastErr error
	queued  []Item
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, frame: make([]byte, 0, 64)}
}

// Skipped returns how many ASCII bytes were outside any frame or in frames
// that failed their checks.
func (d *Decoder) Skipped() int { return d.skipped }

// BadFrames returns how many ASCII frames failed (checksum, cut short,
// too long).
func (d *Decoder) BadFrames() int { return d.bad }

// BadRealtime returns how many realtime sample sets were cut short.
func (d *Decoder) BadRealtime() int { return d.rtBad }

// LastError says why the last bad frame was dropped.
func (d *Decoder) LastError() error { return d.lastErr }

// Next returns the next item. It returns io.EOF at the end of the stream,
// ErrNoData when the reader timed out, or the reader's error.
func (d *Decoder) Next() (Item, error) {
	for {
		if len(d.queued) > 0 {
			it := d.queued[0]
			d.queued = d.queued[1:]
			return it, nil
		}
		if d.pos == d.n {
			n, err := d.r.Read(d.buf[:])
			d.pos, d.n = 0, n
			if n == 0 {
				if err == nil {
					return Item{}, ErrNoData
				}
				if errors.Is(err, io.EOF) {
					d.skipped += len(d.frame)
					d.frame = d.frame[:0]
					return Item{}, io.EOF
				}
				return Item{}, fmt.Errorf("read medibus: %w", err)
			}
		}
		c := d.buf[d.pos]
		d.pos++
		if c&0x80 != 0 {
			d.realtime(c)
		} else {
			d.ascii(c)
		}
	}
}

func (d *Decoder) push(it Item) { d.queued = append(d.queued, it) }

func (d *Decoder) fail(n int, err error) {
	d.skipped += n
	d.bad++
	d.lastErr = err
}

func (d *Decoder) ascii(c byte) {
	switch {
	case c == ESC || c == SOH:
		if len(d.frame) > 0 {
			d.fail(len(d.frame), ErrCut)
		}
		d.frame = append(d.frame[:0], c)
	case len(d.frame) == 0:
		d.skipped++
	case c == CR:
		b := append(d.frame, c)
		d.frame = d.frame[:0]
		f, err := ParseFrame(b)
		if err != nil {
			d.fail(len(b), err)
			return
		}
		d.push(Item{Kind: ItemFrame, Frame: f})
	case len(d.frame) >= MaxFrame:
		d.fail(len(d.frame)+1, ErrTooLong)
		d.frame = d.frame[:0]
	default:
		d.frame = append(d.frame, c)
	}
}

func (d *Decoder) realtime(c byte) {
	switch {
	case d.cmd != 0: // the argument of a sync command
		cmd := d.cmd
		d.cmd = 0
		switch cmd {
		case SyncMask2:
			if d.inRT && len(d.data) == 0 {
				d.mask |= uint16(c&0x0F) << 4
				return
			}
		case SyncMask3:
			if d.inRT && len(d.data) == 0 {
				d.mask |= uint16(c&0x0F) << 8
				return
			}
		case SyncCycle:
			if d.inRT && len(d.data) == 0 {
				d.cycle = CycleInspiration + c&0x01
				return
			}
		}
		d.push(Item{Kind: ItemSync, Sync: SyncCommand{Cmd: cmd, Arg: c}})
	case c&0xF0 == SyncByte:
		d.cutRT()
		d.inRT, d.mask, d.data, d.cycle = true, uint16(c&0x0F), d.data[:0], CycleNone
	case c&0xF0 == 0xC0:
		if d.inRT && len(d.data) > 0 {
			d.cutRT() // a command inside the samples: the set is broken
		}
		d.cmd = c
	default: // a sample byte
		if !d.inRT {
			d.rtBad++
			return
		}
		d.data = append(d.data, c)
		n := bits.OnesCount16(d.mask)
		if len(d.data) == 2*n {
			rt := Realtime{Mask: d.mask, Cycle: d.cycle, Samples: make([]uint16, n)}
			for i := range rt.Samples {
				rt.Samples[i] = uint16(d.data[2*i]&0x3F) | uint16(d.data[2*i+1]&0x3F)<<6
			}
			d.inRT, d.data = false, d.data[:0]
			d.push(Item{Kind: ItemRealtime, Realtime: rt})
		}
	}
}

// cutRT closes an open sample set that did not get all its bytes.
func (d *Decoder) cutRT() {
	if d.inRT && (len(d.data) > 0 || d.mask != 0) {
		d.rtBad++
		d.lastErr = ErrRealtime
	} else if d.inRT && d.cycle != CycleNone {
		// A cycle marker on a set without streams still counts.
		d.push(Item{Kind: ItemRealtime, Realtime: Realtime{Cycle: d.cycle}})
	}
	d.inRT, d.data = false, d.data[:0]
}

// EncodeRealtime returns the bytes of a sample set: the sync byte, C4/C5
// when streams 5–12 are in the mask, the cycle marker, then the samples
// (12 bits each, low 6 bits first).
func EncodeRealtime(rt Realtime) []byte {
	b := make([]byte, 0, 7+2*len(rt.Samples))
	b = append(b, SyncByte|byte(rt.Mask&0x0F))
	if m := byte(rt.Mask>>4) & 0x0F; m != 0 {
		b = append(b, SyncMask2, 0xC0|m)
	}
	if m := byte(rt.Mask>>8) & 0x0F; m != 0 {
		b = append(b, SyncMask3, 0xC0|m)
	}
	if rt.Cycle != CycleNone {
		b = append(b, SyncCycle, 0xC0|(rt.Cycle-1))
	}
	for _, v := range rt.Samples {
		b = append(b, 0x80|byte(v&0x3F), 0x80|byte(v>>6&0x3F))
	}
	return b
}

// EnableRealtime returns what the host sends to switch realtime streams
// 1–4 on (mask bit i = stream i+1); mask 0 switches them off.
func EnableRealtime(mask byte) []byte {
	return []byte{SyncByte, SyncEnable1, 0xC0 | mask&0x0F, SyncEnd, 0xC0}
}
