// Package datex speaks the GE Datex-Ohmeda S/5 Computer Interface (S/5,
// AS/3, CS/3 and the Carescape monitors that kept it; 19200 8E1 with
// RTS/CTS): a pure codec, a Driver for the workstation and a Simulator that
// answers like a monitor, for the demo and the tests.
//
// Every record travels as 7E · escaped(record · checksum) · 7E, where 7E
// and 7D inside are sent as 7D 5E and 7D 5D and the checksum is the 8-bit
// sum of the unescaped record. A record is little-endian: a 40-byte header
// naming its main type (physiological data, waves, alarms) and up to eight
// subrecords, then the subrecords themselves.
//
// Wiring the simulator to the driver, as `telewave simulate` and the tests do:
//
//	a, b := devicetest.Pipe() // or a pty master and its slave
//	s := &datex.Simulator{}
//	go s.Run(ctx, a)
//	err := datex.NewDriver(nil).Run(ctx, b, emit)
package datex

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Framing bytes.
const (
	Flag   byte = 0x7E // starts and ends a frame
	Escape byte = 0x7D // the next byte is XORed with 0x20
)

// Record sizes.
const (
	HeaderSize    = 40
	MaxRecordSize = 1490
	MaxSubrecords = 8
	// EndOfList is the subrecord type that ends a header's list, and the
	// wave type that ends a wave request's list.
	EndOfList byte = 0xFF
)

// Main types of a record (r_maintype).
const (
	MainPHDB  int16 = 0 // physiological database: numerics
	MainWave  int16 = 1
	MainAlarm int16 = 4
)

// SubDesc is one entry of a header's subrecord list: where the subrecord
// starts in the data area and what it holds.
type SubDesc struct {
	Offset int16
	Type   byte
}

// Header is the 40-byte record header.
type Header struct {
	Len      int16  // r_len: whole record, header included
	Nbr      uint8  // r_nbr
	DriLevel uint8  // interface level: 7 = 2001 … 11 = 2015
	PlugID   uint16 // plug_id
	Time     uint32 // r_time, Unix seconds
	MainType int16
	Subs     []SubDesc // up to 8, without the closing FF entry
}

// Record is a decoded record: its header and the data after it.
type Record struct {
	Header
	Data []byte
}

// Errors of the record layer.
var (
	ErrShortRecord = errors.New("datex: record shorter than its header")
	ErrLength      = errors.New("datex: r_len does not match the record")
	ErrChecksum    = errors.New("datex: checksum mismatch")
	ErrTooLong     = errors.New("datex: record longer than 1490 bytes")
	ErrSubrecord   = errors.New("datex: subrecord outside the record")
)

// Subrecord returns the bytes of subrecord i: from its offset to the next
// one's, or to the end of the data for the last.
func (r Record) Subrecord(i int) ([]byte, error) {
	if i < 0 || i >= len(r.Subs) {
		return nil, fmt.Errorf("subrecord %d of %d: %w", i, len(r.Subs), ErrSubrecord)
	}
	start, end := int(r.Subs[i].Offset), len(r.Data)
	if i+1 < len(r.Subs) {
		end = int(r.Subs[i+1].Offset)
	}
	if start < 0 || start > end || end > len(r.Data) {
		return nil, fmt.Errorf("subrecord %d at %d..%d of %d bytes: %w", i, start, end, len(r.Data), ErrSubrecord)
	}
	return r.Data[start:end], nil
}

// NewRecord lays out a record of the given main type whose subrecords are
// parts, typed by types, back to back in the data area.
func NewRecord(h Header, types []byte, parts [][]byte) Record {
	h.Subs = h.Subs[:0:0]
	var data []byte
	for i, p := range parts {
		h.Subs = append(h.Subs, SubDesc{Offset: int16(len(data)), Type: types[i]})
		data = append(data, p...)
	}
	return Record{Header: h, Data: data}
}

// MarshalRecord returns the record's bytes (header and data, no framing),
// with r_len filled in. At most eight subrecords are listed.
func MarshalRecord(r Record) []byte {
	b := make([]byte, HeaderSize, HeaderSize+len(r.Data))
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(HeaderSize+len(r.Data)))
	b[2] = r.Nbr
	b[3] = r.DriLevel
	le.PutUint16(b[4:], r.PlugID)
	le.PutUint32(b[6:], r.Time)
	// b[10:14] reserved
	le.PutUint16(b[14:], uint16(r.MainType))
	subs := r.Subs
	if len(subs) > MaxSubrecords {
		subs = subs[:MaxSubrecords]
	}
	for i, s := range subs {
		le.PutUint16(b[16+3*i:], uint16(s.Offset))
		b[18+3*i] = s.Type
	}
	if len(subs) < MaxSubrecords {
		b[18+3*len(subs)] = EndOfList
	}
	return append(b, r.Data...)
}

// ParseRecord reads an unescaped record (no checksum).
func ParseRecord(b []byte) (Record, error) {
	if len(b) < HeaderSize {
		return Record{}, fmt.Errorf("%d bytes: %w", len(b), ErrShortRecord)
	}
	if len(b) > MaxRecordSize {
		return Record{}, fmt.Errorf("%d bytes: %w", len(b), ErrTooLong)
	}
	le := binary.LittleEndian
	h := Header{
		Len:      int16(le.Uint16(b[0:])),
		Nbr:      b[2],
		DriLevel: b[3],
		PlugID:   le.Uint16(b[4:]),
		Time:     le.Uint32(b[6:]),
		MainType: int16(le.Uint16(b[14:])),
	}
	if int(h.Len) != len(b) {
		return Record{}, fmt.Errorf("r_len %d, record %d bytes: %w", h.Len, len(b), ErrLength)
	}
	data := b[HeaderSize:]
	for i := range MaxSubrecords {
		typ := b[18+3*i]
		if typ == EndOfList {
			break
		}
		off := int16(le.Uint16(b[16+3*i:]))
		if off < 0 || int(off) > len(data) || (len(h.Subs) > 0 && off < h.Subs[len(h.Subs)-1].Offset) {
			return Record{}, fmt.Errorf("subrecord %d offset %d in %d bytes: %w", i, off, len(data), ErrSubrecord)
		}
		h.Subs = append(h.Subs, SubDesc{Offset: off, Type: typ})
	}
	return Record{Header: h, Data: append([]byte(nil), data...)}, nil
}

// Checksum is the 8-bit sum of b.
func Checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return s
}

// Frame wraps a marshalled record for the wire: flag, the record and its
// checksum with 7E and 7D escaped, flag.
func Frame(record []byte) []byte {
	out := make([]byte, 0, len(record)+8)
	out = append(out, Flag)
	put := func(c byte) {
		if c == Flag || c == Escape {
			out = append(out, Escape, c^0x20)
			return
		}
		out = append(out, c)
	}
	for _, c := range record {
		put(c)
	}
	put(Checksum(record))
	return append(out, Flag)
}

// Encode marshals and frames r.
func Encode(r Record) []byte { return Frame(MarshalRecord(r)) }
