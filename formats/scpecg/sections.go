package scpecg

import "fmt"

const (
	fileHeaderLen = 6  // CRC u16 and record length u32
	headerLen     = 16 // section header: CRC, id, length, versions, reserved
	pointerLen    = 10 // section 0 pointer: id u16, length u32, index u32
	maxSections   = 1024
)

// section is one section as found in the file.
type section struct {
	id       int
	offset   int    // file offset of the section header
	body     []byte // the bytes after the 16-byte header
	version  uint8  // section version
	protocol uint8  // protocol version: 10–13 = 1.x, 20–22 = 2.x, 29/30 = 3.0
}

// SectionInfo describes one section of a parsed file.
type SectionInfo struct {
	ID       int
	Offset   int // file offset of the section header
	Length   int // bytes, header included
	Version  string
	Protocol string
}

// versionName spells a version byte: 13 → "1.3", 20 → "2.0", 29 → "3.0"
// (the draft of version 3 wrote 29).
func versionName(v uint8) string {
	if v == 29 {
		return "3.0"
	}
	return fmt.Sprintf("%d.%d", v/10, v%10)
}

// splitSections checks the file header, the file CRC and section 0, then
// returns every section section 0 points at, each with its header and CRC
// checked, keyed by section id.
func splitSections(data []byte) (map[int]*section, error) {
	if len(data) < fileHeaderLen+headerLen {
		return nil, formatErr(-1, 0, "file of %d bytes is shorter than the file and section 0 headers", len(data))
	}
	size := le32(data[2:])
	if uint64(size) > uint64(len(data)) {
		return nil, formatErr(-1, 2, "record length says %d bytes, the file has %d (truncated)", size, len(data))
	}
	if size < fileHeaderLen+headerLen {
		return nil, formatErr(-1, 2, "record length %d is shorter than the headers", size)
	}
	data = data[:size] // bytes past the record length are padding
	if got, want := crc16(data[2:]), le16(data); got != want {
		return nil, formatErr(-1, 0, "file CRC is %#04x, the bytes give %#04x", want, got)
	}
	s0, err := readSection(data, fileHeaderLen, 0, -1)
	if err != nil {
		return nil, err
	}
	if len(s0.body)%pointerLen != 0 || len(s0.body) == 0 || len(s0.body)/pointerLen > maxSections {
		return nil, formatErr(0, s0.offset+4, "pointer table of %d bytes is not a whole number of %d-byte pointers", len(s0.body), pointerLen)
	}
	secs := map[int]*section{0: s0}
	for k := 0; k < len(s0.body); k += pointerLen {
		p := s0.body[k:]
		id, length, index := int(le16(p)), le32(p[2:]), le32(p[6:])
		at := s0.offset + headerLen + k
		if id == 0 || length == 0 || index == 0 {
			continue // section 0 itself, or an absent section
		}
		if _, dup := secs[id]; dup {
			return nil, formatErr(0, at, "section %d is pointed at twice", id)
		}
		if uint64(index)-1+uint64(length) > uint64(len(data)) || index-1 < fileHeaderLen {
			return nil, formatErr(0, at, "pointer to section %d (byte %d, %d bytes) lies outside the %d-byte record", id, index, length, len(data))
		}
		s, err := readSection(data, int(index-1), id, int64(length))
		if err != nil {
			return nil, err
		}
		secs[id] = s
	}
	return secs, nil
}

// readSection reads the section header at off, checks its id, its length
// against the pointer's (want < 0: not known) and its CRC.
func readSection(data []byte, off, id int, want int64) (*section, error) {
	if off+headerLen > len(data) {
		return nil, formatErr(id, off, "header needs %d bytes, %d left", headerLen, len(data)-off)
	}
	h := data[off:]
	if got := int(le16(h[2:])); got != id {
		return nil, formatErr(id, off+2, "header names section %d", got)
	}
	n := int64(le32(h[4:]))
	if want >= 0 && n != want {
		return nil, formatErr(id, off+4, "header length %d differs from section 0's %d", n, want)
	}
	if n < headerLen || int64(off)+n > int64(len(data)) {
		return nil, formatErr(id, off+4, "length %d does not fit the %d bytes from its start to the end of the record", n, len(data)-off)
	}
	s := data[off : off+int(n)]
	if got, want := crc16(s[2:]), le16(s); got != want {
		return nil, formatErr(id, off, "CRC is %#04x, the bytes give %#04x", want, got)
	}
	return &section{id: id, offset: off, body: s[headerLen:], version: s[8], protocol: s[9]}, nil
}
