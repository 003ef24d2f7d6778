package dicomecg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"telewave/formats/ecg12"
)

// ErrUnsupported is wrapped (beside ecg12.ErrFormat) when a file is DICOM
// but encoded in a way this package does not read: big endian, deflated or
// compressed transfer syntaxes.
var ErrUnsupported = errors.New("unsupported DICOM encoding")

// Transfer syntaxes.
const (
	syntaxImplicitLE = "1.2.840.10008.1.2"
	syntaxExplicitLE = "1.2.840.10008.1.2.1"
	syntaxDeflated   = "1.2.840.10008.1.2.1.99"
	syntaxExplicitBE = "1.2.840.10008.1.2.2"
)

const (
	undefinedLength = 0xFFFFFFFF
	preambleLen     = 128
	maxDepth        = 12      // sequences nested deeper than this are refused
	maxElements     = 1 << 20 // elements in one file, all levels together
)

// file is a parsed Part 10 file.
type file struct {
	meta   *dataset
	ds     *dataset
	syntax string
}

// parser walks the bytes of one file.
type parser struct {
	data     []byte
	implicit bool
	count    int
}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ecg12.ErrFormat}, args...)...)
}

// parseFile reads the preamble, the file meta group and the data set.
func parseFile(data []byte) (*file, error) {
	if !Sniff(data) {
		return nil, formatErr("no DICM prefix at offset %d (not a DICOM Part 10 file)", preambleLen)
	}
	p := &parser{data: data}
	meta := &dataset{offset: preambleLen + 4}
	off := preambleLen + 4
	for off+4 <= len(data) && binary.LittleEndian.Uint16(data[off:]) == 0x0002 {
		e, next, err := p.element(off, len(data), 0)
		if err != nil {
			return nil, fmt.Errorf("file meta group: %w", err)
		}
		meta.elems = append(meta.elems, e)
		off = next
	}
	ts := ""
	if e := meta.find(tagTransferSyntax); e != nil {
		ts = trimUID(e.value)
	}
	switch ts {
	case syntaxExplicitLE:
	case syntaxImplicitLE:
		p.implicit = true
	case "":
		return nil, formatErr("file meta group has no transfer syntax (0002,0010)")
	case syntaxExplicitBE:
		return nil, fmt.Errorf("%w: %w: transfer syntax %s (explicit VR big endian)", ecg12.ErrFormat, ErrUnsupported, ts)
	case syntaxDeflated:
		return nil, fmt.Errorf("%w: %w: transfer syntax %s (deflated)", ecg12.ErrFormat, ErrUnsupported, ts)
	default:
		return nil, fmt.Errorf("%w: %w: transfer syntax %s (compressed or unknown; only explicit and implicit VR little endian are read)", ecg12.ErrFormat, ErrUnsupported, ts)
	}
	ds, _, err := p.dataset(off, len(data), false, 0)
	if err != nil {
		return nil, fmt.Errorf("data set: %w", err)
	}
	return &file{meta: meta, ds: ds, syntax: ts}, nil
}

// dataset reads elements from off up to limit. A delimited data set (an
// item of undefined length) ends at its item delimitation item; otherwise
// it fills [off, limit) exactly.
func (p *parser) dataset(off, limit int, delimited bool, depth int) (*dataset, int, error) {
	ds := &dataset{offset: off}
	for {
		if off == limit {
			if delimited {
				return nil, off, formatErr("item at offset %d has no item delimitation item before offset %d", ds.offset, limit)
			}
			return ds, off, nil
		}
		if off+8 > limit {
			return nil, off, formatErr("offset %d: %d bytes left, too few for an element header", off, limit-off)
		}
		t := tag(uint32(binary.LittleEndian.Uint16(p.data[off:]))<<16 | uint32(binary.LittleEndian.Uint16(p.data[off+2:])))
		if t == tagItemDelim {
			if !delimited {
				return nil, off, formatErr("offset %d: item delimitation item outside an item of undefined length", off)
			}
			return ds, off + 8, nil
		}
		e, next, err := p.element(off, limit, depth)
		if err != nil {
			return nil, off, err
		}
		ds.elems = append(ds.elems, e)
		off = next
	}
}

// element reads one data element whose header starts at off.
func (p *parser) element(off, limit, depth int) (element, int, error) {
	p.count++
	if p.count > maxElements {
		return element{}, off, formatErr("more than %d elements", maxElements)
	}
	d := p.data
	if off+8 > limit {
		return element{}, off, formatErr("offset %d: %d bytes left, too few for an element header", off, limit-off)
	}
	t := tag(uint32(binary.LittleEndian.Uint16(d[off:]))<<16 | uint32(binary.LittleEndian.Uint16(d[off+2:])))
	e := element{tag: t, offset: off}
	if t.group() == 0xFFFE {
		return e, off, formatErr("element %s at offset %d: item tag where an element was expected", t, off)
	}
	var length uint32
	var vstart int
	if p.implicit && t.group() != 0x0002 {
		e.vr = implicitVR[t]
		if e.vr == "" {
			e.vr = "UN"
		}
		length = binary.LittleEndian.Uint32(d[off+4:])
		vstart = off + 8
	} else {
		e.vr = string(d[off+4 : off+6])
		if !knownVR(e.vr) {
			return e, off, formatErr("element %s at offset %d: unknown VR %q", t, off, e.vr)
		}
		if longVR(e.vr) {
			if off+12 > limit {
				return e, off, formatErr("element %s at offset %d: header cut short", t, off)
			}
			length = binary.LittleEndian.Uint32(d[off+8:])
			vstart = off + 12
		} else {
			length = uint32(binary.LittleEndian.Uint16(d[off+6:]))
			vstart = off + 8
		}
	}
	isSeq := e.vr == "SQ"
	if length == undefinedLength {
		switch {
		case isSeq:
		case e.vr == "UN":
			// PS3.5 6.2.2: a UN of undefined length is a sequence in
			// implicit VR little endian.
			isSeq = true
			saved := p.implicit
			p.implicit = true
			defer func() { p.implicit = saved }()
		default:
			return e, off, formatErr("element %s at offset %d: undefined length on VR %s", t, off, e.vr)
		}
		items, next, err := p.sequence(e, vstart, limit, true, depth+1)
		e.items = items
		return e, next, err
	}
	end := int64(vstart) + int64(length)
	if end > int64(limit) {
		return e, off, formatErr("element %s at offset %d: value length %d exceeds the %d bytes left", t, off, length, limit-vstart)
	}
	if isSeq {
		items, next, err := p.sequence(e, vstart, int(end), false, depth+1)
		if err == nil && next != int(end) {
			err = formatErr("sequence %s at offset %d: items end at %d, not at %d", t, off, next, end)
		}
		e.items = items
		return e, int(end), err
	}
	e.value = d[vstart:int(end)]
	return e, int(end), nil
}

// sequence reads the items of the sequence e from off: up to limit, or up to
// its sequence delimitation item when undefined.
func (p *parser) sequence(e element, off, limit int, undefined bool, depth int) ([]*dataset, int, error) {
	if depth > maxDepth {
		return nil, off, formatErr("sequence %s at offset %d: nested more than %d deep", e.tag, e.offset, maxDepth)
	}
	var items []*dataset
	for {
		if !undefined && off == limit {
			return items, off, nil
		}
		if off+8 > limit {
			return nil, off, formatErr("sequence %s at offset %d: cut short at offset %d", e.tag, e.offset, off)
		}
		t := tag(uint32(binary.LittleEndian.Uint16(p.data[off:]))<<16 | uint32(binary.LittleEndian.Uint16(p.data[off+2:])))
		length := binary.LittleEndian.Uint32(p.data[off+4:])
		switch t {
		case tagSequenceDelim:
			if !undefined {
				return nil, off, formatErr("sequence %s: sequence delimitation item at offset %d in a sequence of defined length", e.tag, off)
			}
			return items, off + 8, nil
		case tagItem:
		default:
			return nil, off, formatErr("sequence %s: %s at offset %d where an item was expected", e.tag, t, off)
		}
		var item *dataset
		var err error
		if length == undefinedLength {
			item, off, err = p.dataset(off+8, limit, true, depth)
		} else {
			end := int64(off) + 8 + int64(length)
			if end > int64(limit) {
				return nil, off, formatErr("sequence %s: item at offset %d has length %d, beyond the %d bytes left", e.tag, off, length, limit-off-8)
			}
			item, off, err = p.dataset(off+8, int(end), false, depth)
		}
		if err != nil {
			return nil, off, fmt.Errorf("sequence %s item %d: %w", e.tag, len(items)+1, err)
		}
		items = append(items, item)
	}
}

// trimUID strips the NUL and space padding of a UI value.
func trimUID(b []byte) string {
	return strings.TrimRight(string(b), "\x00 ")
}
