package pdf

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// winAnsiHigh maps the characters windows-1252 puts in 0x80–0x9F, where
// Latin-1 has control codes, to their WinAnsiEncoding byte.
var winAnsiHigh = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// winAnsi encodes s for a simple font with WinAnsiEncoding: printable
// ASCII and Latin-1 as themselves, the windows-1252 extras from their
// table, control characters as spaces and anything else as '?', so a
// name in another script prints visibly wrong rather than as garbage.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7F:
			out = append(out, ' ')
		case r < 0x7F, r >= 0xA0 && r <= 0xFF:
			out = append(out, byte(r))
		default:
			if b, ok := winAnsiHigh[r]; ok {
				out = append(out, b)
			} else {
				out = append(out, '?')
			}
		}
	}
	return out
}

// literal writes b as a PDF literal string, escaping the delimiters and
// writing bytes outside printable ASCII as octal so the content stream
// stays 7-bit.
func literal(b []byte) []byte {
	out := make([]byte, 0, len(b)+2)
	out = append(out, '(')
	for _, c := range b {
		switch {
		case c == '(' || c == ')' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20 || c > 0x7E:
			out = append(out, fmt.Sprintf("\\%03o", c)...)
		default:
			out = append(out, c)
		}
	}
	return append(out, ')')
}

// textString encodes s for the document information dictionary: a
// literal when it is ASCII, else UTF-16BE with a byte-order mark.
func textString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		return string(literal([]byte(s)))
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
