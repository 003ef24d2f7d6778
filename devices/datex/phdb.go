package datex

import (
	"encoding/binary"
	"fmt"
)

// PHDB record types: what a numerics request asks for and what the
// subrecord types of the answer say.
const (
	PHDBDisplayed byte = 1 // the values on screen
	PHDB10sTrend  byte = 2
	PHDB60sTrend  byte = 3
)

// Class bits of a numerics request. The basic class comes unless
// ClassDenyBasic is set.
const (
	ClassDenyBasic uint32 = 1 << 0
	ClassExt1      uint32 = 1 << 1
	ClassExt2      uint32 = 1 << 2
	ClassExt3      uint32 = 1 << 3
)

// Sizes of a PHDB subrecord.
const (
	ClassBlockSize = 270
	PHDBSize       = 4 + ClassBlockSize + 4 // time, class block, marker, reserved, cl_drilvl_subt
)

// PHDBRequest asks for numerics: which record type, how often (seconds; 0
// stops the transmission) and which classes.
type PHDBRequest struct {
	Type     byte
	Interval int16
	Classes  uint32
}

// EncodePHDBRequest returns the 49-byte request record, framed.
func EncodePHDBRequest(q PHDBRequest) []byte {
	data := make([]byte, 9)
	data[0] = q.Type
	binary.LittleEndian.PutUint16(data[1:], uint16(q.Interval))
	binary.LittleEndian.PutUint32(data[3:], q.Classes)
	return Encode(NewRecord(Header{MainType: MainPHDB}, []byte{0}, [][]byte{data}))
}

// ParsePHDBRequest reads a request record (as the simulator receives it).
func ParsePHDBRequest(r Record) (PHDBRequest, error) {
	if r.MainType != MainPHDB || len(r.Subs) == 0 || r.Subs[0].Type != 0 {
		return PHDBRequest{}, fmt.Errorf("datex: not a numerics request (main type %d)", r.MainType)
	}
	b, err := r.Subrecord(0)
	if err != nil || len(b) < 9 {
		return PHDBRequest{}, fmt.Errorf("datex: numerics request of %d bytes", len(b))
	}
	return PHDBRequest{
		Type:     b[0],
		Interval: int16(binary.LittleEndian.Uint16(b[1:])),
		Classes:  binary.LittleEndian.Uint32(b[3:]),
	}, nil
}

// Group is one group of the basic class as read: its status word, its
// label (a site code for pressures and temperatures) and its values in the
// device's units (see Field.Scale).
type Group struct {
	Status uint32
	Label  uint16
	Values []int16
}

// Group status bits.
const (
	GroupExists uint32 = 1 << 0
	GroupActive uint32 = 1 << 1
)

// PHDB is one physiological-database subrecord of the basic class.
type PHDB struct {
	Time   uint32 // Unix seconds
	Groups []Group
	Marker byte
	// ClassLevel is cl_drilvl_subt: the class in bits 8–11 (0 = basic), the
	// interface level and subtype in the others.
	ClassLevel uint16
}

// Class returns the class of the subrecord: 0 basic, 1–3 extensions.
func (p PHDB) Class() int { return int(p.ClassLevel>>8) & 0x0F }

// EncodePHDB lays out p as a 278-byte subrecord. Missing groups and values
// are written as FlagInvalid; a group without header (ecg_extra) has no
// status or label.
func EncodePHDB(p PHDB) []byte {
	b := make([]byte, PHDBSize)
	le := binary.LittleEndian
	le.PutUint32(b, p.Time)
	off := 4
	for gi, g := range BasicGroups {
		var grp Group
		if gi < len(p.Groups) {
			grp = p.Groups[gi]
		}
		if g.Header {
			le.PutUint32(b[off:], grp.Status)
			le.PutUint16(b[off+4:], grp.Label)
			off += 6
		}
		for fi := range g.Fields {
			v := FlagInvalid
			if fi < len(grp.Values) {
				v = grp.Values[fi]
			}
			le.PutUint16(b[off:], uint16(v))
			off += 2
		}
	}
	b[4+ClassBlockSize] = p.Marker
	le.PutUint16(b[4+ClassBlockSize+2:], p.ClassLevel)
	return b
}

// ParsePHDB reads a PHDB subrecord. Only the basic class is laid out here;
// for another class Groups is nil and Class says which it is.
func ParsePHDB(b []byte) (PHDB, error) {
	if len(b) < PHDBSize {
		return PHDB{}, fmt.Errorf("datex: PHDB subrecord of %d bytes, want %d", len(b), PHDBSize)
	}
	le := binary.LittleEndian
	p := PHDB{Time: le.Uint32(b), Marker: b[4+ClassBlockSize], ClassLevel: le.Uint16(b[4+ClassBlockSize+2:])}
	if p.Class() != 0 {
		return p, nil
	}
	off := 4
	p.Groups = make([]Group, len(BasicGroups))
	for gi, g := range BasicGroups {
		grp := &p.Groups[gi]
		if g.Header {
			grp.Status = le.Uint32(b[off:])
			grp.Label = le.Uint16(b[off+4:])
			off += 6
		}
		grp.Values = make([]int16, len(g.Fields))
		for fi := range g.Fields {
			grp.Values[fi] = int16(le.Uint16(b[off:]))
			off += 2
		}
	}
	return p, nil
}
