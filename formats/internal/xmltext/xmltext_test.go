package xmltext

import (
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16le(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestUTF8(t *testing.T) {
	const doc = `<?xml version="1.0"?><a>Zürich</a>`
	for name, in := range map[string][]byte{
		"utf-8":           []byte(doc),
		"utf-8 bom":       append([]byte{0xEF, 0xBB, 0xBF}, doc...),
		"utf-16le bom":    utf16le(doc, true),
		"utf-16le no bom": utf16le(doc, false),
	} {
		got, err := UTF8(in)
		if err != nil || string(got) != doc {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := UTF8(utf16le(doc, true)[:5]); err == nil {
		t.Error("an odd-length UTF-16 file was accepted")
	}
}

func TestCharsetReaderLatin1(t *testing.T) {
	r, err := CharsetReader("ISO-8859-1", strings.NewReader("Z\xfcrich"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	if string(b) != "Zürich" {
		t.Fatalf("got %q", b)
	}
	if _, err := CharsetReader("EBCDIC", strings.NewReader("x")); err == nil {
		t.Fatal("an unknown charset was accepted")
	}
}
