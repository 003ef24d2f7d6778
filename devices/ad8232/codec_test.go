package ad8232

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func decodeAll(tb testing.TB, b []byte) ([]Line, int) {
	tb.Helper()
	d := NewDecoder(bytes.NewReader(b))
	var ls []Line
	for {
		l, err := d.Next()
		if errors.Is(err, io.EOF) {
			return ls, d.Skipped()
		}
		if err != nil {
			tb.Fatal(err)
		}
		ls = append(ls, l)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		l    Line
		want string
	}{
		{Line{Value: 512}, "512\r\n"},
		{Line{Value: 0}, "0\r\n"},
		{Line{Value: 1023}, "1023\r\n"},
		{Line{LeadsOff: true}, "!\r\n"},
		{Line{Value: 7, LeadsOff: true}, "!\r\n"},
	}
	for _, tt := range tests {
		if got := string(Encode(tt.l)); got != tt.want {
			t.Errorf("Encode(%+v) = %q, want %q", tt.l, got, tt.want)
		}
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		in      string
		want    Line
		wantErr bool
	}{
		{"512\r", Line{Value: 512}, false},
		{"512", Line{Value: 512}, false},
		{"0", Line{}, false},
		{"1023", Line{Value: 1023}, false},
		{"!\r", Line{LeadsOff: true}, false},
		{"1024", Line{}, true},
		{"10000", Line{}, true},
		{"-1", Line{}, true},
		{"", Line{}, true},
		{"\r", Line{}, true},
		{"5 12", Line{}, true},
		{"!!", Line{}, true},
		{"3.3", Line{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLine([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseLine(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDecoderResync(t *testing.T) {
	tests := []struct {
		name        string
		wire        string
		want        []Line
		wantSkipped int
	}{
		{"first line dropped", "12\r\n512\r\n!\r\n", []Line{{Value: 512}, {LeadsOff: true}}, 0},
		{"bare newlines", "\n1\n2\n", []Line{{Value: 1}, {Value: 2}}, 0},
		{"bad lines between", "\r\n1\r\nabc\r\n2\r\n2000\r\n3\r\n", []Line{{Value: 1}, {Value: 2}, {Value: 3}}, 5 + 6},
		{"overlong line dropped whole", "\r\n1\r\n" + strings.Repeat("x", 40) + "512\r\n2\r\n", []Line{{Value: 1}, {Value: 2}}, 40 + 5},
		{"overlong first line", strings.Repeat("9", 300) + "\r\n7\r\n", []Line{{Value: 7}}, 0},
		{"cut last line", "\r\n1\r\n51", []Line{{Value: 1}}, 2},
		{"nothing whole", "512", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, skipped := decodeAll(t, []byte(tt.wire))
			if !slices.Equal(got, tt.want) || skipped != tt.wantSkipped {
				t.Errorf("got %+v skipped %d; want %+v, %d", got, skipped, tt.want, tt.wantSkipped)
			}
		})
	}
}

// slowPort hands out one byte per read and (0, nil) in between, as a
// serial port with a read timeout.
type slowPort struct {
	b    []byte
	idle bool
}

func (r *slowPort) Read(p []byte) (int, error) {
	if r.idle = !r.idle; r.idle {
		return 0, nil
	}
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func TestDecoderSlowReader(t *testing.T) {
	d := NewDecoder(&slowPort{b: []byte("3\r\n1023\r\n!\r\n0\r\n")})
	var got []Line
	for {
		l, err := d.Next()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if want := []Line{{Value: 1023}, {LeadsOff: true}, {}}; !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte("512\r\n513\r\n!\r\n"))
	f.Add([]byte("\r\n\r\n9999\r\n"))
	f.Add([]byte(strings.Repeat("1", 20) + "\n1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, skipped := decodeAll(t, b)
		if skipped > len(b) {
			t.Fatalf("skipped %d of %d bytes", skipped, len(b))
		}
		for _, l := range ls {
			if l.Value < 0 || l.Value > MaxValue || (l.LeadsOff && l.Value != 0) {
				t.Fatalf("line %+v", l)
			}
			if again, err := ParseLine(Encode(l)[:len(Encode(l))-1]); err != nil || again != l {
				t.Fatalf("round trip of %+v: %+v, %v", l, again, err)
			}
		}
		// Whole lines after the garbage still come through.
		ls, _ = decodeAll(t, append(bytes.Clone(b), "\r\n1\r\n2\r\n3\r\n"...))
		if n := len(ls); n < 2 || ls[n-2] != (Line{Value: 2}) || ls[n-1] != (Line{Value: 3}) {
			t.Fatalf("lines after %q lost: %+v", b, ls)
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	var wire []byte
	for i := range DefaultRate {
		wire = AppendLine(wire, Line{Value: int32(300 + i)})
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	r := bytes.NewReader(wire)
	for b.Loop() {
		r.Reset(wire)
		d := NewDecoder(r)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
