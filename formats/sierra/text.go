package sierra

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// toUTF8 turns a file's bytes into UTF-8: UTF-16 with a byte-order mark (or
// without one, recognised by "<" followed by a zero byte) is converted;
// anything else is returned as it is, for the XML decoder to check. partial
// allows an odd trailing byte, for Sniff on a file's first bytes.
func toUTF8(data []byte, partial bool) ([]byte, error) {
	var bigEndian bool
	switch {
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE:
		data = data[2:]
	case len(data) >= 2 && data[0] == 0xFE && data[1] == 0xFF:
		data, bigEndian = data[2:], true
	case len(data) >= 2 && data[0] == '<' && data[1] == 0:
	case len(data) >= 2 && data[0] == 0 && data[1] == '<':
		bigEndian = true
	default:
		if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
			data = data[3:]
		}
		return data, nil
	}
	if len(data)%2 != 0 {
		if !partial {
			return nil, errors.New("UTF-16 text has an odd number of bytes")
		}
		data = data[:len(data)-1]
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		a, b := uint16(data[2*i]), uint16(data[2*i+1])
		if bigEndian {
			a, b = b, a
		}
		units[i] = a | b<<8
	}
	out := make([]byte, 0, len(units))
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// charsetReader lets the XML decoder accept the encodings a declaration
// may name: the text has already been converted to UTF-8 (see toUTF8 and
// fromLatin1).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	if isLatin1(label) {
		return in, nil
	}
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-16", "utf-16le", "utf-16be", "unicode", "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

func isLatin1(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		return true
	}
	return false
}

// fromLatin1 converts text whose XML declaration names a Latin-1 encoding
// to UTF-8 (byte value = code point; Windows-1252's extras in 0x80–0x9F are
// rare in carts' files and read as the C1 controls).
func fromLatin1(text []byte) []byte {
	end := bytes.Index(text, []byte("?>"))
	if !bytes.HasPrefix(text, []byte("<?xml")) || end < 0 {
		return text
	}
	decl := string(text[:end])
	k := strings.Index(decl, "encoding=")
	if k < 0 || k+len("encoding=")+1 >= len(decl) {
		return text
	}
	rest := decl[k+len("encoding="):]
	q := rest[0]
	rest = rest[1:]
	j := strings.IndexByte(rest, q)
	if j < 0 || !isLatin1(rest[:j]) {
		return text
	}
	out := make([]byte, 0, len(text)+len(text)/8)
	for _, b := range text {
		out = utf8.AppendRune(out, rune(b))
	}
	return out
}
