package contec

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

func hexBytes(tb testing.TB, s string) []byte {
	tb.Helper()
	var out []byte
	for _, f := range bytes.Fields([]byte(s)) {
		var b byte
		for _, c := range f {
			switch {
			case c >= '0' && c <= '9':
				b = b<<4 | (c - '0')
			case c >= 'A' && c <= 'F':
				b = b<<4 | (c - 'A' + 10)
			default:
				tb.Fatalf("bad hex %q", f)
			}
		}
		out = append(out, b)
	}
	return out
}

func decodeAll(tb testing.TB, b []byte) ([]Packet, int) {
	tb.Helper()
	d := NewDecoder(bytes.NewReader(b))
	var ps []Packet
	for {
		p, err := d.Next()
		if errors.Is(err, io.EOF) {
			return ps, d.Skipped()
		}
		if err != nil {
			tb.Fatal(err)
		}
		ps = append(ps, p)
	}
}

// The two example lines of the reference (§3b).
func TestDecodeReferenceExamples(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want Live
	}{
		{"valid", "01 E0 85 B3 96 C1 E1 FF FF", Live{Strength: 5, Pleth: 51, Bar: 6, PR: 65, SpO2: 97, PI: -1}},
		{"finger out", "01 E1 84 C0 90 80 80 FF FF", Live{Strength: 4, FingerOut: true, Pleth: 64, Bar: 0, PR: 0, SpO2: 0, PI: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := hexBytes(t, tt.wire)
			ps, skipped := decodeAll(t, wire)
			if len(ps) != 1 || skipped != 0 {
				t.Fatalf("%d packets, %d skipped", len(ps), skipped)
			}
			got, ok := ParseLive(ps[0])
			if !ok || got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			// Encoding the parsed values gives the captured bytes back.
			if enc := Encode(got.Packet()); !bytes.Equal(enc, wire) {
				t.Errorf("encode % X, want % X", enc, wire)
			}
		})
	}
}

func TestCommandBytes(t *testing.T) {
	tests := []struct {
		cc, arg byte
		want    string
	}{
		{CmdLive, 0, "7D 81 A1 80 80 80 80 80 80"},
		{CmdKeepAlive, 0, "7D 81 AF 80 80 80 80 80 80"},
		{0xA6, 3, "7D 81 A6 80 83 80 80 80 80"},
	}
	for _, tt := range tests {
		if got := Command(tt.cc, tt.arg); !bytes.Equal(got, hexBytes(t, tt.want)) {
			t.Errorf("Command(%X, %d) = % X, want %s", tt.cc, tt.arg, got, tt.want)
		}
	}
	if got := Encode(Packet{Type: TypeVersion, Data: []byte{0, 7}}); !bytes.Equal(got, hexBytes(t, "06 80 80 87")) {
		t.Errorf("version reply % X", got)
	}
}

func TestDecoderResync(t *testing.T) {
	live := Encode(Live{Strength: 3, Pleth: 100, PR: 80, SpO2: 95, PI: 250}.Packet())
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name        string
		wire        []byte
		wantPackets int
		wantSkipped int
	}{
		{"leading data bytes", cat(hexBytes(t, "FF 85 90"), live), 1, 3},
		{"unknown type", cat(hexBytes(t, "7F 0D"), live), 1, 2},
		{"cut packet", cat(live[:5], live), 1, 5},
		{"truncated tail", cat(live, live[:4]), 1, 4},
		{"two packets", cat(live, Encode(Packet{Type: TypeStopped})), 2, 0},
		{"empty", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, skipped := decodeAll(t, tt.wire)
			if len(ps) != tt.wantPackets || skipped != tt.wantSkipped {
				t.Fatalf("%d packets, %d skipped; want %d, %d", len(ps), skipped, tt.wantPackets, tt.wantSkipped)
			}
			if len(ps) == 0 {
				return
			}
			if l, ok := ParseLive(ps[0]); !ok || l.PR != 80 || l.PI != 250 {
				t.Errorf("first packet %+v", l)
			}
		})
	}
}

// stutter returns its bytes one at a time with (0, nil) reads in between,
// as a serial port with a short read timeout does.
type stutter struct {
	b    []byte
	idle bool
}

func (s *stutter) Read(p []byte) (int, error) {
	s.idle = !s.idle
	if s.idle {
		return 0, nil
	}
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	p[0] = s.b[0]
	s.b = s.b[1:]
	return 1, nil
}

func TestDecoderTimeoutReads(t *testing.T) {
	want := Live{Strength: 5, Pleth: 51, Bar: 6, PR: 65, SpO2: 97, PI: -1}
	d := NewDecoder(&stutter{b: Encode(want.Packet())})
	noData := 0
	for {
		p, err := d.Next()
		if errors.Is(err, ErrNoData) {
			noData++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ParseLive(p); got != want {
			t.Fatalf("got %+v", got)
		}
		break
	}
	if noData != 9 {
		t.Errorf("%d ErrNoData, want one per byte (9)", noData)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(hexBytes(f, "01 E0 85 B3 96 C1 E1 FF FF"))
	f.Add(hexBytes(f, "01 E1 84 C0 90 80 80 FF FF 06 80 80 87 0C 80"))
	f.Add(hexBytes(f, "FF 01 E0 85 7D 81 A1 80 80 80 80 80 80"))
	f.Add(Command(CmdLive, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, skipped := decodeAll(t, b)
		used := 0
		for _, p := range ps {
			used += PacketLen(p.Type)
			// Round trip: what the decoder gives, Encode frames so that
			// the decoder gives it back unchanged.
			again, sk := decodeAll(t, Encode(p))
			if len(again) != 1 || sk != 0 || !reflect.DeepEqual(again[0], p) {
				t.Fatalf("round trip of %+v gave %+v (skipped %d)", p, again, sk)
			}
		}
		if used+skipped != len(b) {
			t.Fatalf("%d bytes in packets + %d skipped != %d", used, skipped, len(b))
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	var wire []byte
	for i := range 600 {
		wire = append(wire, Encode(Live{Strength: 5, Pleth: uint8(i % 128), PR: 70, SpO2: 97, PI: -1}.Packet())...)
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
