package ads1298

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

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

func samplePacket(n uint32) Packet {
	return Packet{Counter: n, LoffP: 0x81, LoffN: 0x03, GPIO: 0x5,
		Channels: [8]int32{1, -1, 1<<23 - 1, -(1 << 23), 0, 0x123456, -2, int32(n & 0xFFFF)}}
}

// The frame written out byte by byte from the layout in the package doc.
func TestEncodeKnownVector(t *testing.T) {
	p := samplePacket(0x01020304)
	p.Channels[7] = 0x010203
	want := []byte{
		0x0A, 0xFA, 0x1F, 0x00, 0x02, // sync, len 31 LE, type
		0x04, 0x03, 0x02, 0x01, // counter LE
		0xC8, 0x10, 0x35, // 1100 | STATP 1000 0001 | STATN 0000 0011 | GPIO 0101
		0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0x80, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFE, 0x01, 0x02, 0x03,
		0x00, 0x0B,
	}
	got := Encode(p)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% X\nwant\n% X", got, want)
	}
	if p.Status() != 0xC81035 {
		t.Errorf("status %06X", p.Status())
	}
	ps, skipped := decodeAll(t, want)
	if len(ps) != 1 || skipped != 0 || ps[0] != p {
		t.Errorf("decoded %+v (skipped %d), want %+v", ps, skipped, p)
	}
}

func TestScale(t *testing.T) {
	// 2·2.4 V / (6·2^24) = 0.0476837158203125 µV, a power-of-two fraction.
	if ScaleUV != 3125.0/65536 {
		t.Errorf("ScaleUV %.17g, want %.17g", ScaleUV, 3125.0/65536)
	}
	if FrameSize != 38 || PayloadSize != 31 {
		t.Errorf("frame %d payload %d", FrameSize, PayloadSize)
	}
}

func TestDecoderResync(t *testing.T) {
	p1, p2 := Encode(samplePacket(1)), Encode(samplePacket(2))
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	mutate := func(b []byte, i int, v byte) []byte {
		c := bytes.Clone(b)
		c[i] = v
		return c
	}
	tests := []struct {
		name        string
		wire        []byte
		want        []uint32
		wantSkipped int
	}{
		{"clean", cat(p1, p2), []uint32{1, 2}, 0},
		{"text before", cat([]byte("ADS1298 ready\r\n"), p1), []uint32{1}, 15},
		{"cut frame", cat(p1[:20], p2), []uint32{2}, 20},
		{"stray sync", cat([]byte{0x0A, 0xFA}, p1), []uint32{1}, 2},
		{"bad trailer", cat(mutate(p1, FrameSize-1, 0x0C), p2), []uint32{2}, FrameSize},
		{"bad length", cat(mutate(p1, 2, 0x20), p2), []uint32{2}, FrameSize},
		{"other type", cat(mutate(p1, 4, 0x03), p2), []uint32{2}, FrameSize},
		{"status without 1100", cat(mutate(p1, 9, 0x48), p2), []uint32{2}, FrameSize},
		{"truncated tail", cat(p1, p2[:10]), []uint32{1}, 10},
		{"interleaved garbage", cat(p1, []byte{0x0A, 0x00, 0xFA}, p2), []uint32{1, 2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, skipped := decodeAll(t, tt.wire)
			var got []uint32
			for _, p := range ps {
				got = append(got, p.Counter)
				if want := samplePacket(p.Counter); p != want {
					t.Errorf("decoded %+v, want %+v", p, want)
				}
			}
			if !equal(got, tt.want) || skipped != tt.wantSkipped {
				t.Errorf("counters %v skipped %d; want %v, %d", got, skipped, tt.want, tt.wantSkipped)
			}
		})
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// oneByte reads one byte at a time and returns (0, nil) every other call,
// as a serial port with a read timeout does.
type oneByte struct {
	b    []byte
	idle bool
}

func (r *oneByte) Read(p []byte) (int, error) {
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
	wire := append([]byte("xx"), append(Encode(samplePacket(7)), Encode(samplePacket(8))...)...)
	d := NewDecoder(&oneByte{b: wire})
	var got []uint32
	for {
		p, err := d.Next()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Counter)
	}
	if !equal(got, []uint32{7, 8}) || d.Skipped() != 2 {
		t.Errorf("got %v skipped %d", got, d.Skipped())
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(Encode(samplePacket(3)))
	f.Add(append([]byte("garbage\x0a\xfa"), Encode(samplePacket(1<<31))...))
	f.Add([]byte{0x0A, 0xFA, 0x1F, 0x00, 0x02, 0x00, 0x0B})
	good := Encode(samplePacket(42))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, skipped := decodeAll(t, b)
		if len(ps)*FrameSize+skipped != len(b) {
			t.Fatalf("%d packets + %d skipped != %d bytes", len(ps), skipped, len(b))
		}
		for _, p := range ps {
			for _, v := range p.Channels {
				if v < -(1<<23) || v >= 1<<23 {
					t.Fatalf("channel outside 24 bits: %d", v)
				}
			}
			if again := Encode(p); len(again) != FrameSize {
				t.Fatalf("re-encoded %d bytes", len(again))
			}
		}
		// A whole frame after the garbage is still found.
		ps, _ = decodeAll(t, append(bytes.Clone(b), good...))
		if len(ps) == 0 || ps[len(ps)-1] != samplePacket(42) {
			t.Fatalf("frame after %d garbage bytes lost: %d packets", len(b), len(ps))
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	var wire []byte
	for i := range SampleRate {
		wire = AppendFrame(wire, samplePacket(uint32(i)))
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
