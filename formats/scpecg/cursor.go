package scpecg

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// cursor reads little-endian fields from one section's body. The first read
// past the end records an error naming the element and every later read
// returns zero, so a parser can read a whole structure and check err once.
type cursor struct {
	b       []byte
	pos     int
	section int
	base    int // file offset of b[0]
	err     error
}

func newCursor(s *section) *cursor {
	return &cursor{b: s.body, section: s.id, base: s.offset + headerLen}
}

func (c *cursor) left() int { return len(c.b) - c.pos }

// offset is the file offset of the next byte, for error messages.
func (c *cursor) offset() int { return c.base + c.pos }

func (c *cursor) fail(format string, a ...any) {
	if c.err == nil {
		c.err = formatErr(c.section, c.offset(), format, a...)
	}
}

func (c *cursor) take(n int, what string) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || n > c.left() {
		c.fail("%s needs %d bytes, %d left", what, n, c.left())
		return nil
	}
	b := c.b[c.pos : c.pos+n]
	c.pos += n
	return b
}

func (c *cursor) u8(what string) uint8 {
	if b := c.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (c *cursor) u16(what string) uint16 {
	if b := c.take(2, what); b != nil {
		return le16(b)
	}
	return 0
}

func (c *cursor) i16(what string) int16 { return int16(c.u16(what)) }

func (c *cursor) u32(what string) uint32 {
	if b := c.take(4, what); b != nil {
		return le32(b)
	}
	return 0
}

// text turns a NUL-terminated (or NUL-padded) string field into UTF-8:
// bytes that are not valid UTF-8 are read as Latin-1, the standard's default
// character set; control characters are dropped.
func text(b []byte) string {
	b = bytes.TrimLeft(b, "\x00") // some carts pad the front of fixed fields
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	var s strings.Builder
	if utf8.Valid(b) {
		for _, r := range string(b) {
			if r >= ' ' && r != 0x7f {
				s.WriteRune(r)
			}
		}
	} else {
		for _, x := range b {
			if x >= ' ' && x != 0x7f && (x < 0x80 || x >= 0xa0) {
				s.WriteRune(rune(x))
			}
		}
	}
	return strings.TrimSpace(s.String())
}
