package sierra

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// lzwEncode is the compressor lzwDecode undoes, written from the same
// description, for round trips.
func lzwEncode(in []byte) []byte {
	table := map[string]int{}
	next := firstCode
	var out []byte
	var acc uint64
	bits := 0
	put := func(code int) {
		acc = acc<<codeBits | uint64(code)
		bits += codeBits
		for bits >= 8 {
			out = append(out, byte(acc>>(bits-8)))
			bits -= 8
		}
	}
	code := func(s []byte) int {
		if len(s) == 1 {
			return int(s[0])
		}
		return table[string(s)]
	}
	var w []byte
	for _, c := range in {
		wc := append(slices.Clone(w), c)
		if _, ok := table[string(wc)]; ok || len(wc) == 1 {
			w = wc
			continue
		}
		put(code(w))
		if next < endCode {
			table[string(wc)] = next
			next++
		}
		w = []byte{c}
	}
	if len(w) > 0 {
		put(code(w))
	}
	put(endCode)
	if bits > 0 {
		out = append(out, byte(acc<<(8-bits)))
	}
	return out
}

func TestLZWRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 5000)
	for i := range noise {
		noise[i] = byte(rng.IntN(7)) + 61 // like ECG residuals: few symbols, so the table fills
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"one byte", []byte{7}},
		{"KwKwK", []byte("aaaaaaaaaaaaaaaaaaaaaaaaa")},
		{"text", []byte(strings.Repeat("TOBEORNOTTOBEORTOBEORNOT#", 20))},
		{"table fills and stays full", noise},
		{"all bytes", func() []byte {
			b := make([]byte, 3*256)
			for i := range b {
				b[i] = byte(i * 7)
			}
			return b
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lzwDecode(lzwEncode(tc.in), len(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.in) {
				t.Fatalf("round trip gave %d bytes, want %d", len(got), len(tc.in))
			}
		})
	}
}

func TestLZWErrors(t *testing.T) {
	big := lzwEncode(bytes.Repeat([]byte{1, 2, 3}, 100))
	tests := []struct {
		name  string
		in    []byte
		limit int
		want  string
	}{
		{"code beyond the table", []byte{0xFF, 0x80}, 100, "not yet in the table"}, // 1022 as the first code
		{"code 256 first", []byte{0x40, 0x00, 0x00}, 100, "not yet in the table"},  // 256 with no previous code
		{"over the limit", big, 299, "more than 299 bytes"},
		{"over the limit by a KwKwK", lzwEncode([]byte("aaa")), 2, "more than 2 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lzwDecode(tc.in, tc.limit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(tc.want, "table") && !errors.Is(err, errLZWCode) {
				t.Errorf("%v is not errLZWCode", err)
			}
		})
	}
}

// xliChunk builds one lead's chunk from samples, undoing the
// reconstruction: d[0], d[1] are the samples, the header holds the first
// residual and word i holds residual i+1 plus 64.
func xliChunk(s []int16) []byte {
	n := len(s)
	words := make([]int16, n)
	copy(words, s[:min(n, 2)])
	var first int16
	for i := 2; i < n; i++ {
		r := 2*s[i-1] - s[i-2] - s[i]
		if i == 2 {
			first = r
		} else {
			words[i-1] = r + 64
		}
	}
	buf := make([]byte, 2*n)
	for i, w := range words {
		buf[i], buf[n+i] = byte(uint16(w)>>8), byte(w)
	}
	body := lzwEncode(buf)
	head := binary.LittleEndian.AppendUint32(nil, uint32(len(body)))
	head = binary.LittleEndian.AppendUint16(head, 1)
	head = binary.LittleEndian.AppendUint16(head, uint16(first))
	return append(head, body...)
}

func TestXLIRoundTrip(t *testing.T) {
	leads := [][]int16{
		{0, 0, 0, 0, 0, 0},
		{100, 90, 80, 85, -300, 2000, 1999, 5},
		{-32768, 32767, 0, 1, 2, 3},
	}
	var raw []byte
	for _, s := range leads {
		raw = append(raw, xliChunk(s)...)
	}
	if _, err := decodeXLI(raw, 3, 0); err == nil {
		t.Fatal("leads of different lengths decoded without an error")
	}
	// Equal lengths round-trip.
	raw = nil
	want := [][]int16{leads[1], {7, 7, 7, 7, 7, 7, 7, 7}, {-5, 10, -20, 40, -80, 160, -320, 640}}
	for _, s := range want {
		raw = append(raw, xliChunk(s)...)
	}
	for _, perLead := range []int{0, 8} {
		got, err := decodeXLI(raw, 3, perLead)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			for i := range want[k] {
				if got[k][i] != int32(want[k][i]) {
					t.Fatalf("perLead %d lead %d: %v, want %v", perLead, k, got[k], want[k])
				}
			}
		}
	}
	if _, err := decodeXLI(raw, 3, 9); err == nil || !strings.Contains(err.Error(), "want 18") {
		t.Errorf("wrong length accepted: %v", err)
	}
	if _, err := decodeXLI(raw, 4, 8); err == nil || !strings.Contains(err.Error(), "chunk 3") {
		t.Errorf("missing chunk: %v", err)
	}
}

func TestUndoDifferencesRange(t *testing.T) {
	// d[0] = 32767, d[1] = 32767, a first residual of −1 climbs past int16.
	buf := []byte{0x7F, 0x7F, 0x00, 0xFF, 0xFF, 0x40}
	if _, err := undoDifferences(buf, -1); err == nil || !strings.Contains(err.Error(), "16-bit") {
		t.Errorf("err = %v", err)
	}
}

func TestBadChunkHeaders(t *testing.T) {
	ok := xliChunk([]int16{1, 2, 3, 4})
	negative := slices.Clone(ok)
	binary.LittleEndian.PutUint32(negative, 0xFFFFFFF0)
	long := slices.Clone(ok)
	binary.LittleEndian.PutUint32(long, uint32(len(ok)))
	for name, raw := range map[string][]byte{"negative size": negative, "size past the end": long, "short header": ok[:5]} {
		if _, err := decodeXLI(raw, 1, 4); err == nil || !strings.Contains(err.Error(), "chunk 0") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := decodeXLI(ok, 1, 4); err != nil {
		t.Error(err)
	}
}
