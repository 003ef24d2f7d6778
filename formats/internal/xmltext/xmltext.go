// Package xmltext turns the XML files carts export into text encoding/xml reads:
// UTF-16 with or without a byte-order mark, UTF-8 with one, and
// ISO-8859-1 / windows-1252 declared encodings.
package xmltext

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// UTF8 returns an XML file's bytes as UTF-8: UTF-16 (by byte-order
// mark, or by a first "<" paired with a zero byte) is converted and a UTF-8
// byte-order mark dropped. Other files come back unchanged; their declared
// encoding is CharsetReader's business.
func UTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return fromUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return fromUTF16(data[2:], true)
	case len(data) >= 2 && data[0] == '<' && data[1] == 0:
		return fromUTF16(data, false)
	case len(data) >= 2 && data[0] == 0 && data[1] == '<':
		return fromUTF16(data, true)
	}
	return data, nil
}

// fromUTF16 converts UTF-16 to UTF-8; unpaired surrogates become U+FFFD.
func fromUTF16(b []byte, bigEndian bool) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("UTF-16 text of odd length %d", len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	out := make([]byte, 0, len(u)+len(u)/4)
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// CharsetReader lets encoding/xml read files that declare a Latin
// encoding. ISO-8859-1 is read as windows-1252 (as browsers do: carts that
// say Latin-1 write € and curly quotes in 0x80–0x9F). A file that declares
// UTF-16 was already converted by UTF8.
func CharsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(FromWindows1252(b)), nil
	case "utf-16", "utf-16le", "utf-16be", "unicode", "ucs-2":
		return r, nil
	}
	return nil, errors.New("unsupported encoding " + label)
}

// cp1252 maps bytes 0x80–0x9F; the five undefined ones stay C1 controls.
var cp1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func FromWindows1252(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xA0:
			out = utf8.AppendRune(out, cp1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out
}

// Head is the text of the first n bytes of an XML file (all of b when it
// is shorter), as UTF-8, for sniffing a format by its root element. A
// UTF-16 head cut after an odd number of bytes loses its last, half code
// unit (a sniffer is given a fixed number of bytes, and half a character
// must not make the whole head unreadable). Bytes that are not text come
// back as they are; Head never fails.
func Head(b []byte, n int) string {
	if n >= 0 && n < len(b) {
		b = b[:n]
	}
	if len(b)%2 == 1 && utf16Head(b) {
		b = b[:len(b)-1]
	}
	text, err := UTF8(b)
	if err != nil {
		return string(b) // not reachable: an even-length head always converts
	}
	return string(text)
}

// utf16Head reports whether b looks like the start of UTF-16 text: a
// byte-order mark, or a zero byte among the first two (ASCII in UTF-16).
func utf16Head(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) ||
		(len(b) > 1 && (b[0] == 0 || b[1] == 0))
}
