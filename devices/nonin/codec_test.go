package nonin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

func hexBytes(tb testing.TB, s string) []byte {
	tb.Helper()
	var out []byte
	for _, f := range bytes.Fields([]byte(s)) {
		var b byte
		if _, err := fmt.Sscanf(string(f), "%02X", &b); err != nil {
			tb.Fatalf("bad hex %q", f)
		}
		out = append(out, b)
	}
	return out
}

func decodeAll(tb testing.TB, f Format, b []byte) ([]Frame, int) {
	tb.Helper()
	d := NewDecoder(bytes.NewReader(b), f)
	var out []Frame
	for {
		fr, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out, d.Skipped()
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, fr)
	}
}

func TestFormatCommand(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		want string
	}{{DF2, "02 70 02 02 02 03"}, {DF7, "02 70 02 02 07 03"}, {DF8, "02 70 02 02 08 03"}} {
		got := FormatCommand(tt.f)
		if !bytes.Equal(got, hexBytes(t, tt.want)) {
			t.Errorf("%v: % X, want %s", tt.f, got, tt.want)
		}
		if f, ok := ParseFormatCommand(got); !ok || f != tt.f {
			t.Errorf("%v: parsed back as %v, %v", tt.f, f, ok)
		}
	}
	if _, ok := ParseFormatCommand(hexBytes(t, "02 70 02 02 07 04")); ok {
		t.Error("command without ETX parsed")
	}
}

// Hand-assembled from the reference (§4): checksums are byte sums.
func TestKnownFrames(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		wire string
		want Frame
	}{
		{"DF7 sync frame", DF7, "81 12 34 01 C8", Frame{Status: 0x81, Pleth: 0x1234, Data: 0x01}},
		{"DF7 sensor off, artifact", DF7, "E0 00 00 00 E0", Frame{Status: 0xE0}},
		{"DF7 checksum wraps", DF7, "FF FF FF FF FC", Frame{Status: 0xFF, Pleth: 0xFFFF, Data: 0xFF}},
		{"DF2 frame", DF2, "01 81 7F 02 03", Frame{Status: 0x81, Pleth: 0x7F, Data: 0x02}},
		{"DF8 HR 180", DF8, "81 34 61 00", Frame{Status: 0x80, HR: 180, SpO2: 97}},
		{"DF8 HR 250, low battery", DF8, "81 7A 5F 01", Frame{Status: 0x80, HR: 250, SpO2: 95, Status2: DF8LowBattery}},
		{"DF8 missing, sensor off", DF8, "C3 7F 7F 00", Frame{Status: 0xC0, HR: MissingHR, SpO2: MissingSpO2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := hexBytes(t, tt.wire)
			frs, skipped := decodeAll(t, tt.f, wire)
			if len(frs) != 1 || skipped != 0 {
				t.Fatalf("%d frames, %d skipped", len(frs), skipped)
			}
			if frs[0] != tt.want {
				t.Fatalf("got %+v, want %+v", frs[0], tt.want)
			}
			if enc := Encode(tt.f, tt.want); !bytes.Equal(enc, wire) {
				t.Errorf("encode % X, want % X", enc, wire)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		wire string
	}{
		{"DF7 bad checksum", DF7, "81 12 34 01 C9"},
		{"DF7 status bit 7 clear", DF7, "01 12 34 01 48"},
		{"DF2 no 01", DF2, "02 81 7F 02 04"},
		{"DF8 bit 7 in SpO2", DF8, "81 34 E1 00"},
		{"short", DF7, "81 12 34 01"},
		{"unknown format", Format(5), "81 12 34 01 C8"},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.f, hexBytes(t, tt.wire)); !errors.Is(err, ErrFrame) {
			t.Errorf("%s: err %v, want ErrFrame", tt.name, err)
		}
	}
}

func TestDecoderResync(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, f := range []Format{DF2, DF7, DF8} {
		good := Encode(f, Frame{Status: StatusGPRF, Pleth: 200, Data: 0x33, HR: 200, SpO2: 93})
		bad := append([]byte(nil), good...)
		bad[len(bad)-1] ^= 0x80 // checksum (DF8: a framing bit)
		tests := []struct {
			name        string
			wire        []byte
			wantFrames  int
			wantSkipped int
		}{
			{"leading garbage", cat([]byte{0x00, 0x7F, 0x05}, good), 1, 3},
			{"corrupt frame", cat(good, bad, good), 2, len(good)},
			{"cut frame", cat(good, good[:3], good), 2, 3},
			{"truncated tail", cat(good, good[:2]), 1, 2},
			{"empty", nil, 0, 0},
		}
		for _, tt := range tests {
			t.Run(f.String()+" "+tt.name, func(t *testing.T) {
				frs, skipped := decodeAll(t, f, tt.wire)
				if len(frs) != tt.wantFrames || skipped != tt.wantSkipped {
					t.Fatalf("%d frames, %d skipped; want %d, %d", len(frs), skipped, tt.wantFrames, tt.wantSkipped)
				}
			})
		}
	}
}

// stutter returns one byte per read with (0, nil) reads in between, as a
// serial port with a short read timeout.
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
	p[0], s.b = s.b[0], s.b[1:]
	return 1, nil
}

func TestDecoderTimeoutReads(t *testing.T) {
	want := Frame{Status: 0x81, Pleth: 999, Data: 7}
	d := NewDecoder(&stutter{b: Encode(DF7, want)}, DF7)
	noData := 0
	for {
		fr, err := d.Next()
		if errors.Is(err, ErrNoData) {
			noData++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if fr != want {
			t.Fatalf("got %+v", fr)
		}
		break
	}
	if noData != 5 {
		t.Errorf("%d ErrNoData, want 5", noData)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(byte(7), []byte{})
	f.Add(byte(2), hexBytes(f, "01 81 7F 02 03"))
	f.Add(byte(8), hexBytes(f, "81 34 61 00 80"))
	f.Add(byte(7), hexBytes(f, "81 12 34 01 C8 06 15"))
	f.Fuzz(func(t *testing.T, fb byte, b []byte) {
		format := []Format{DF2, DF7, DF8}[int(fb)%3]
		frs, skipped := decodeAll(t, format, b)
		if len(frs)*format.FrameLen()+skipped != len(b) {
			t.Fatalf("%d frames and %d skipped from %d bytes", len(frs), skipped, len(b))
		}
		// Two good frames after garbage: at least the last decodes (the
		// first may be swallowed by a window that started in the garbage).
		good := Frame{Status: 0x80 | StatusGPRF, Pleth: 77, Data: 1, HR: 300, SpO2: 90}
		want, _ := Parse(format, Encode(format, good))
		g := Encode(format, good)
		frs, _ = decodeAll(t, format, bytes.Join([][]byte{b, g, g}, nil))
		if len(frs) == 0 || frs[len(frs)-1] != want {
			t.Fatalf("good frame after garbage not decoded: %+v", frs)
		}
	})
}

func BenchmarkDecoderDF7(b *testing.B) {
	wire := bytes.Repeat(Encode(DF7, Frame{Status: 0x82, Pleth: 30000, Data: 5}), 750)
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(wire), DF7)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
