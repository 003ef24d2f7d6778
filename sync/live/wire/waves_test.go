package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage/wavecodec"
)

func TestWavesRoundTrip(t *testing.T) {
	sent := time.UnixMilli(1_700_000_000_040)
	ramp := make([]int32, 300)
	for i := range ramp {
		ramp[i] = int32(i*i) - 40000
	}
	tests := []struct {
		name   string
		chunks []WaveChunk
	}{
		{"none", nil},
		{"one", []WaveChunk{{Handle: 1, Seq: 0, Time: sent.Add(-40 * time.Millisecond), Samples: []int32{1024, 1030, 1041}}}},
		{"several with flags", []WaveChunk{
			{Handle: 1, Seq: 1 << 40, Time: sent.Add(-38 * time.Millisecond), Flags: devices.GapBefore, Samples: []int32{-5, -7, -9, 12}},
			{Handle: math.MaxUint32, Seq: 2, Time: sent.Add(3 * time.Millisecond), Flags: devices.LeadOff | devices.Questionable, Samples: []int32{math.MinInt32, math.MaxInt32, 0}},
			{Handle: 3, Seq: 0, Time: sent, Samples: nil},
			{Handle: 4, Seq: 9, Time: sent.Add(-time.Hour), Samples: ramp},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("keep")
			p := AppendWaves(bytes.Clone(prefix), sent, tt.chunks)
			if !bytes.HasPrefix(p, prefix) {
				t.Fatal("AppendWaves overwrote dst")
			}
			gotSent, got, err := ReadWaves(p[len(prefix):])
			if err != nil {
				t.Fatal(err)
			}
			if !gotSent.Equal(sent) || len(got) != len(tt.chunks) {
				t.Fatalf("sent %v with %d chunks, want %v with %d", gotSent, len(got), sent, len(tt.chunks))
			}
			for i, c := range tt.chunks {
				g := got[i]
				if g.Handle != c.Handle || g.Seq != c.Seq || !g.Time.Equal(c.Time) || g.Flags != c.Flags || len(g.Samples) != len(c.Samples) ||
					(len(c.Samples) > 0 && !reflect.DeepEqual(g.Samples, c.Samples)) {
					t.Errorf("chunk %d: got %+v, want %+v", i, g, c)
				}
			}
			if len(got) > 1 && len(got[0].Samples) > 0 && cap(got[0].Samples) != len(got[0].Samples) {
				t.Error("an append to one chunk's samples would overwrite the next")
			}
		})
	}
}

// TestWavesFirstSampleOutsideCodec checks what the first sample's own field
// buys: a signal far from 0 costs no more than the same signal around 0.
func TestWavesFirstSampleOutsideCodec(t *testing.T) {
	s := []int32{3, 5, 9, 4, -2, -6, -3, 0, 2, 1, 0, -1, 0, 1, 2, 1, 0, 0, -1, 0}
	size := func(offset int32) int {
		o := make([]int32, len(s))
		for i, x := range s {
			o[i] = x + offset
		}
		return len(AppendWaves(nil, time.UnixMilli(0), []WaveChunk{{Samples: o}}))
	}
	base := size(0)
	for _, off := range []int32{2048, -8192, 1 << 20} {
		if got := size(off); got > base+3 { // the varint of a 24-bit value is up to 3 bytes longer
			t.Errorf("offset %d: %d bytes, around 0: %d: the first sample is paid inside the codec", off, got, base)
		}
	}
}

func TestWavesMillisecondPrecision(t *testing.T) {
	sent := time.UnixMilli(1_700_000_000_000).Add(700 * time.Microsecond)
	at := sent.Add(-12*time.Millisecond - 300*time.Microsecond)
	_, got, err := ReadWaves(AppendWaves(nil, sent, []WaveChunk{{Time: at, Samples: []int32{1}}}))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.UnixMilli(at.UnixMilli()); !got[0].Time.Equal(want) {
		t.Errorf("time %v, want %v (truncated to ms)", got[0].Time, want)
	}
}

// chunkBytes builds one chunk by hand: handle, seq, time, flags, first
// sample 0, then the length and the encoding.
func chunkBytes(enc []byte) []byte {
	b := []byte{1, 0, 0, 0, 0}
	b = binary.AppendUvarint(b, uint64(len(enc)))
	return append(b, enc...)
}

func TestReadWavesBounds(t *testing.T) {
	head := binary.BigEndian.AppendUint64(nil, 1_700_000_000_000)
	one := wavecodec.Encode(nil, []int32{5, 6, 7})
	many := bytes.Clone(head)
	for range maxChunks + 1 {
		many = append(many, chunkBytes(wavecodec.Encode(nil, nil))...)
	}
	big := append(bytes.Clone(head), chunkBytes(wavecodec.Encode(nil, make([]int32, maxSamples+1)))...)
	forged := []byte{wavecodec.Version}
	forged = binary.AppendUvarint(forged, 1<<30) // a billion samples claimed in 8 bytes
	forged = append(forged, make([]byte, 8)...)
	tests := []struct {
		name string
		p    []byte
	}{
		{"empty", nil},
		{"short sent", head[:7]},
		{"sent before 1970", binary.BigEndian.AppendUint64(nil, 1<<63)},
		{"truncated header", append(bytes.Clone(head), 1, 0)},
		{"handle over u32", append(binary.AppendUvarint(bytes.Clone(head), 1<<32), 0, 0, 0, 1, 0)},
		{"length past end", append(bytes.Clone(head), 1, 0, 0, 0, 0, 10, 1, 0)},
		{"zero length", append(bytes.Clone(head), 1, 0, 0, 0, 0, 0)},
		{"no first sample", append(bytes.Clone(head), 1, 0, 0, 0)},
		{"first sample over int32", append(binary.AppendVarint(append(bytes.Clone(head), 1, 0, 0, 0), 1<<31), chunkBytes(one)[5:]...)},
		{"time before 1970", append(binary.AppendVarint(append(bytes.Clone(head), 1, 0), -1_700_000_000_001), append([]byte{0}, chunkBytes(one)[4:]...)...)},
		{"block version", append(bytes.Clone(head), chunkBytes(wavecodec.EncodeBlock(nil, []int32{1, 2, 3}))...)},
		{"corrupt samples", append(bytes.Clone(head), chunkBytes(one[:len(one)-1])...)},
		{"forged count", append(bytes.Clone(head), chunkBytes(forged)...)},
		{"too many chunks", many},
		{"too many samples", big},
		{"over a frame", make([]byte, MaxFrame+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, c, err := ReadWaves(tt.p); !errors.Is(err, ErrFrame) {
				t.Errorf("ReadWaves = %d chunks, %v; want ErrFrame", len(c), err)
			}
		})
	}
	t.Run("at the limits", func(t *testing.T) {
		p := bytes.Clone(head)
		for range maxChunks - 1 {
			p = append(p, chunkBytes(wavecodec.Encode(nil, nil))...)
		}
		p = append(p, chunkBytes(wavecodec.Encode(nil, make([]int32, maxSamples)))...)
		if _, c, err := ReadWaves(p); err != nil || len(c) != maxChunks {
			t.Errorf("ReadWaves at the limits: %d chunks, %v", len(c), err)
		}
	})
}
