package contec

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func decodeLegacy(tb testing.TB, b []byte) ([]LegacyPacket, int) {
	tb.Helper()
	d := NewLegacyDecoder(bytes.NewReader(b))
	var ps []LegacyPacket
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

// Hand-assembled from the bit table of the reference (§3a).
func TestLegacyKnownBytes(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want LegacyPacket
	}{
		{"beat, PR above 127", "C5 33 46 34 61",
			LegacyPacket{Beep: true, Strength: 5, Pleth: 51, Bar: 6, PR: 180, SpO2: 97}},
		{"PR 127 has bit 7 clear", "83 7F 0F 7F 64",
			LegacyPacket{Strength: 3, Pleth: 127, Bar: 15, PR: 127, SpO2: 100}},
		{"finger out, invalid values", "90 00 60 7F 7F",
			LegacyPacket{FingerOut: true, Searching: true, PR: LegacyNoPR, SpO2: LegacyNoSpO2}},
		{"SpO2 dropping, probe error", "AF 01 10 3C 58",
			LegacyPacket{SpO2Dropping: true, Strength: 15, Pleth: 1, ProbeError: true, PR: 60, SpO2: 88}},
		{"PR 128", "80 00 40 00 00", LegacyPacket{PR: 128}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := hexBytes(t, tt.wire)
			ps, skipped := decodeLegacy(t, wire)
			if len(ps) != 1 || skipped != 0 {
				t.Fatalf("%d packets, %d skipped", len(ps), skipped)
			}
			if ps[0] != tt.want {
				t.Fatalf("got %+v, want %+v", ps[0], tt.want)
			}
			if enc := tt.want.Encode(); !bytes.Equal(enc[:], wire) {
				t.Errorf("encode % X, want % X", enc, wire)
			}
		})
	}
}

func TestParseLegacyErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"short", []byte{0x80, 0, 0, 0}},
		{"no sync", []byte{0x00, 0, 0, 0, 0}},
		{"sync in byte 3", []byte{0x80, 0, 0, 0x80, 0}},
	}
	for _, tt := range tests {
		if _, err := ParseLegacy(tt.b); !errors.Is(err, ErrLegacyFraming) {
			t.Errorf("%s: err %v, want ErrLegacyFraming", tt.name, err)
		}
	}
}

func TestLegacyDecoderResync(t *testing.T) {
	pkt := LegacyPacket{Strength: 4, Pleth: 90, PR: 200, SpO2: 95}.Encode()
	p := pkt[:]
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name        string
		wire        []byte
		wantPackets int
		wantSkipped int
	}{
		{"leading data bytes", cat([]byte{0x12, 0x34, 0x7F}, p), 1, 3},
		{"cut packet", cat(p[:3], p), 1, 3},
		{"two syncs", cat([]byte{0x81}, p, p), 2, 1},
		{"truncated tail", cat(p, p[:4]), 1, 4},
		{"stray byte between", cat(p, []byte{0x05}, p), 2, 1},
		{"empty", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, skipped := decodeLegacy(t, tt.wire)
			if len(ps) != tt.wantPackets || skipped != tt.wantSkipped {
				t.Fatalf("%d packets, %d skipped; want %d, %d", len(ps), skipped, tt.wantPackets, tt.wantSkipped)
			}
			for _, got := range ps {
				if got.PR != 200 || got.Pleth != 90 {
					t.Errorf("packet %+v", got)
				}
			}
		})
	}
}

func TestLegacyDecoderTimeoutReads(t *testing.T) {
	pkt := LegacyPacket{Pleth: 9, PR: 70, SpO2: 99}.Encode()
	d := NewLegacyDecoder(&stutter{b: append(pkt[:], pkt[:]...)})
	got := 0
	for range 100 {
		_, err := d.Next()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != 2 || d.Skipped() != 0 {
		t.Errorf("%d packets, %d skipped; want 2, 0", got, d.Skipped())
	}
}

func FuzzLegacyDecoder(f *testing.F) {
	good := LegacyPacket{Beep: true, Strength: 5, Pleth: 51, Bar: 6, PR: 180, SpO2: 97}
	g := good.Encode()
	f.Add([]byte{})
	f.Add(g[:])
	f.Add([]byte{0x80, 0x80, 0x00, 0x01, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, skipped := decodeLegacy(t, b)
		if len(ps)*LegacyPacketLen+skipped != len(b) {
			t.Fatalf("%d packets and %d skipped bytes from %d bytes", len(ps), skipped, len(b))
		}
		// A good packet after any garbage still decodes.
		ps, _ = decodeLegacy(t, append(append([]byte(nil), b...), g[:]...))
		if len(ps) == 0 || ps[len(ps)-1] != good {
			t.Fatalf("good packet after garbage not decoded")
		}
	})
}

func BenchmarkLegacyDecoder(b *testing.B) {
	pkt := LegacyPacket{Strength: 5, Pleth: 51, PR: 72, SpO2: 97}.Encode()
	wire := bytes.Repeat(pkt[:], 600)
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		d := NewLegacyDecoder(bytes.NewReader(wire))
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
