package xmltext

import "testing"

func utf16be(s string) []byte {
	le := utf16le(s, false)
	out := []byte{0xFE, 0xFF}
	for i := 0; i+1 < len(le); i += 2 {
		out = append(out, le[i+1], le[i])
	}
	return out
}

func TestHead(t *testing.T) {
	const doc = `<?xml version="1.0"?><RestingECG>`
	le := utf16le(doc, true)
	tests := []struct {
		name string
		in   []byte
		n    int
		want string
	}{
		{"utf-8 whole", []byte(doc), 1 << 10, doc},
		{"utf-8 cut", []byte(doc), 5, "<?xml"},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, doc...), 8, "<?xml"},
		{"utf-16le bom, even cut", le, 12, "<?xml"},
		{"utf-16le bom, odd cut drops the half unit", le, 13, "<?xml"},
		{"utf-16le no bom, odd length", utf16le(doc, false)[:11], 100, "<?xml"},
		{"utf-16be bom, odd cut", utf16be(doc), 13, "<?xml"},
		{"n beyond the data", le, 1 << 20, doc},
		{"negative n reads all", le, -1, doc},
		{"one byte", []byte{0xFF}, 10, "\xff"},
		{"empty", nil, 10, ""},
		{"odd binary without zeros is left whole", []byte{1, 2, 3}, 10, "\x01\x02\x03"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Head(tc.in, tc.n); got != tc.want {
				t.Errorf("Head(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}
