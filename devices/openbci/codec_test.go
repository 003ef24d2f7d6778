package openbci

import (
	"bytes"
	"errors"
	"io"
	"math"
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

func samplePacket(n uint8) Packet {
	return Packet{Sample: n, Channels: [8]int32{0, 1, -1, 1<<23 - 1, -(1 << 23), 12345, -54321, int32(n)},
		Aux: [3]int16{-2, 0, 32767}, Footer: 0xC1}
}

func TestEncodeLayout(t *testing.T) {
	b := Encode(samplePacket(7))
	if len(b) != 33 || b[0] != 0xA0 || b[1] != 7 || b[32] != 0xC1 {
		t.Fatalf("% X", b)
	}
	// Channel 3 is -1: FF FF FF; channel 4 is 2^23-1: 7F FF FF; big-endian.
	if !bytes.Equal(b[8:11], []byte{0xFF, 0xFF, 0xFF}) || !bytes.Equal(b[11:14], []byte{0x7F, 0xFF, 0xFF}) {
		t.Errorf("channels 3-4 % X", b[8:14])
	}
	if !bytes.Equal(b[26:28], []byte{0xFF, 0xFE}) {
		t.Errorf("aux 1 % X", b[26:28])
	}
	if got := math.Abs(ScaleUV - 0.02235); got > 1e-5 {
		t.Errorf("scale %g µV/count", ScaleUV)
	}
}

func TestDecoderResync(t *testing.T) {
	p1, p2 := Encode(samplePacket(1)), Encode(samplePacket(2))
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name        string
		wire        []byte
		want        []uint8
		wantSkipped int
	}{
		{"clean", cat(p1, p2), []uint8{1, 2}, 0},
		{"banner before", cat([]byte(Banner("v3.1.2")), p1), []uint8{1}, len(Banner("v3.1.2"))},
		{"cut packet", cat(p1[:20], p2), []uint8{2}, 20},
		{"stray A0", cat([]byte{0xA0}, p1), []uint8{1}, 1},
		{"bad footer", cat(p1[:32], []byte{0x00}, p2), []uint8{2}, 33},
		{"truncated tail", cat(p1, p2[:10]), []uint8{1}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, skipped := decodeAll(t, tt.wire)
			var got []uint8
			for _, p := range ps {
				got = append(got, p.Sample)
			}
			if !bytes.Equal(got, tt.want) || skipped != tt.wantSkipped {
				t.Errorf("samples %v skipped %d; want %v, %d", got, skipped, tt.want, tt.wantSkipped)
			}
			for _, p := range ps {
				if want := samplePacket(p.Sample); p != want {
					t.Errorf("decoded %+v, want %+v", p, want)
				}
			}
		})
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(Encode(samplePacket(3)))
	f.Add(append([]byte(Banner("v3.1.2")), Encode(samplePacket(255))...))
	f.Add([]byte{0xA0, 0xA0, 0xC0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, skipped := decodeAll(t, b)
		if len(ps)*PacketSize+skipped != len(b) {
			t.Fatalf("%d packets + %d skipped != %d bytes", len(ps), skipped, len(b))
		}
		for _, p := range ps {
			if p.Channels[0] < -(1<<23) || p.Channels[0] >= 1<<23 {
				t.Fatalf("channel outside 24 bits: %d", p.Channels[0])
			}
			again, sk := decodeAll(t, Encode(p))
			if len(again) != 1 || sk != 0 || again[0] != p {
				t.Fatalf("round trip of %+v gave %+v", p, again)
			}
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	var wire []byte
	for i := range 250 {
		wire = append(wire, Encode(samplePacket(uint8(i)))...)
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
