package wavecodec

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"telewave/formats/wfdb"
)

// record100 loads MIT-BIH record 100 from the project's testdata.
func record100(tb testing.TB) [][]int32 {
	tb.Helper()
	r, err := wfdb.Read(os.DirFS(filepath.Join("..", "..", "testdata")), "mitdb/100")
	if err != nil {
		tb.Fatalf("read record 100: %v", err)
	}
	return r.Samples
}

func blockCases(t *testing.T) []struct {
	name    string
	samples []int32
	maxBits float64 // bits per sample the block must not exceed; 0 = no bound
} {
	rng := rand.New(rand.NewPCG(11, 12))
	random := make([]int32, 5000)
	for i := range random {
		random[i] = int32(rng.Uint32())
	}
	small := make([]int32, 3000)
	for i := range small {
		small[i] = int32(rng.IntN(7)) - 3
	}
	alternating := make([]int32, 400)
	for i := range alternating {
		alternating[i] = math.MaxInt32
		if i%2 == 1 {
			alternating[i] = math.MinInt32
		}
	}
	spikes := ecgLike(7200, 5)
	for _, i := range []int{10, 11, 500, 3000, 3001, 7199} {
		spikes[i] = math.MinInt32
	}
	spikes[4000] = math.MaxInt32
	ramp := make([]int32, 2000)
	for i := range ramp {
		ramp[i] = int32(-7 * i)
	}
	wrapRamp := make([]int32, 1000)
	for i := range wrapRamp {
		wrapRamp[i] = math.MaxInt32 - 1000 + int32(i) // climbs into the ceiling
	}
	rec := record100(t)
	return []struct {
		name    string
		samples []int32
		maxBits float64
	}{
		{"empty", nil, 0},
		{"one sample", []int32{-5}, 0},
		{"one min", []int32{math.MinInt32}, 0},
		{"one max", []int32{math.MaxInt32}, 0},
		{"two extremes", []int32{math.MaxInt32, math.MinInt32}, 0},
		{"zeros", make([]int32, 21600), 0.05},
		{"constant", slices.Repeat([]int32{1024}, 21600), 0.05},
		{"ramp", ramp, 0.3},
		{"ramp at the ceiling", wrapRamp, 1.5},
		{"extremes alternating", alternating, 40},
		{"extreme spikes in ecg", spikes, 5},
		{"small noise", small, 3.6},
		{"random full range", random, 36},
		{"ecg-like", ecgLike(21600, 6), 4.5},
		{"mitdb 100 lead 0", rec[0], 3.9},
		{"mitdb 100 lead 1 first minute", rec[1][:21600], 3.9},
	}
}

func TestBlockRoundTrip(t *testing.T) {
	for _, c := range blockCases(t) {
		t.Run(c.name, func(t *testing.T) {
			enc := EncodeBlock(nil, c.samples)
			if enc[0] != BlockVersion {
				t.Fatalf("version byte %d", enc[0])
			}
			got, err := DecodeBlock(enc, nil)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(got) != len(c.samples) || !slices.Equal(got, c.samples) {
				t.Fatalf("round trip differs: got %d samples, want %d", len(got), len(c.samples))
			}
			if n, err := Count(enc); err != nil || n != len(c.samples) {
				t.Fatalf("count = %d, %v", n, err)
			}
			if c.maxBits > 0 {
				bps := float64(8*len(enc)) / float64(len(c.samples))
				t.Logf("%d samples, %.3f bits/sample", len(c.samples), bps)
				if bps > c.maxBits {
					t.Fatalf("%.3f bits/sample, want <= %.2f", bps, c.maxBits)
				}
			}
		})
	}
}

// TestDecodeReadsEveryVersion checks that one Decode (and DecodeBlock)
// reads chunks and blocks alike, appending to dst.
func TestDecodeReadsEveryVersion(t *testing.T) {
	samples := ecgLike(1000, 9)
	for _, enc := range [][]byte{Encode(nil, samples), EncodeBlock(nil, samples)} {
		for _, dec := range []func([]byte, []int32) ([]int32, error){Decode, DecodeBlock} {
			got, err := dec(enc, []int32{42})
			if err != nil {
				t.Fatalf("version %d: %v", enc[0], err)
			}
			if got[0] != 42 || !slices.Equal(got[1:], samples) {
				t.Fatalf("version %d: round trip differs", enc[0])
			}
		}
	}
}

func TestEncodeBlockAppends(t *testing.T) {
	enc := EncodeBlock([]byte("hdr"), []int32{1, 2, 3})
	if string(enc[:3]) != "hdr" {
		t.Fatal("EncodeBlock did not append")
	}
	if got, err := DecodeBlock(enc[3:], nil); err != nil || !slices.Equal(got, []int32{1, 2, 3}) {
		t.Fatalf("decode = %v, %v", got, err)
	}
}

func TestDecodeBlockRejects(t *testing.T) {
	good := EncodeBlock(nil, ecgLike(2000, 2))
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x5a
	cases := []struct {
		name string
		src  []byte
	}{
		{"no count", []byte{BlockVersion}},
		{"overlong count", []byte{BlockVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"forged count", []byte{BlockVersion, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4}},
		{"count without body", []byte{BlockVersion, 5}},
		{"bytes after empty block", []byte{BlockVersion, 0, 0}},
		{"truncated by one", good[:len(good)-1]},
		{"truncated by half", good[:len(good)/2]},
		{"trailing byte", append(slices.Clone(good), 0)},
		{"flipped byte", flipped},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeBlock(c.src, nil)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v (%d samples), want ErrCorrupt", err, len(got))
			}
		})
	}
}

// TestDecodeBlockFlippedBits flips each bit of a small block in turn: the
// decoder must never panic, and must reject the block or return different
// samples unless the flip is in the last four bytes, whose low bits a range
// coder's final interval may leave free.
func TestDecodeBlockFlippedBits(t *testing.T) {
	samples := ecgLike(300, 3)
	good := EncodeBlock(nil, samples)
	rejected := 0
	for i := range 8 * len(good) {
		bad := slices.Clone(good)
		bad[i/8] ^= 1 << (i % 8)
		got, err := DecodeBlock(bad, nil)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("bit %d: err = %v, want ErrCorrupt", i, err)
			}
			rejected++
			continue
		}
		if slices.Equal(got, samples) && i < 8*(len(good)-4) {
			t.Fatalf("bit %d: flipped encoding decodes to the original", i)
		}
	}
	t.Logf("%d of %d single-bit flips rejected", rejected, 8*len(good))
}

func FuzzDecodeBlock(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{BlockVersion, 0})
	f.Add(EncodeBlock(nil, []int32{1, 2, 3, math.MinInt32, math.MaxInt32}))
	f.Add(EncodeBlock(nil, ecgLike(500, 3)))
	f.Add([]byte{BlockVersion, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodeBlock(b, nil)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			return
		}
		if len(b) > 0 && b[0] == BlockVersion && len(got) > len(b)*8*samplesPerBit {
			t.Fatalf("%d samples from %d bytes", len(got), len(b))
		}
		again, err := DecodeBlock(EncodeBlock(nil, got), nil)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("re-encode round trip failed: %v", err)
		}
	})
}

func FuzzBlockRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f})
	f.Add([]byte("an ECG is just bytes to a fuzzer"))
	f.Fuzz(func(t *testing.T, b []byte) {
		samples := make([]int32, len(b)/4)
		for i := range samples {
			samples[i] = int32(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
		}
		got, err := DecodeBlock(EncodeBlock(nil, samples), nil)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !slices.Equal(got, samples) {
			t.Fatalf("round trip differs")
		}
	})
}

func benchSamples(b *testing.B) []int32 {
	rec := record100(b)
	return slices.Concat(rec...) // both leads, 30 min each
}

func BenchmarkEncodeBlock(b *testing.B) {
	samples := benchSamples(b)
	var enc []byte
	b.SetBytes(int64(4 * len(samples)))
	b.ReportAllocs()
	for b.Loop() {
		enc = EncodeBlock(enc[:0], samples)
	}
	b.ReportMetric(float64(len(samples))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(8*len(enc))/float64(len(samples)), "bits/sample")
}

func BenchmarkDecodeBlock(b *testing.B) {
	samples := benchSamples(b)
	enc := EncodeBlock(nil, samples)
	out := make([]int32, 0, len(samples))
	b.SetBytes(int64(4 * len(samples)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = DecodeBlock(enc, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(samples))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(8*len(enc))/float64(len(samples)), "bits/sample")
}

// TestDecodeBlockForgedCountBoundsMemory gives a 100-byte block the largest
// count blockHeader admits: whatever the decoder makes of the bytes, it must
// not reserve memory for that count up front.
func TestDecodeBlockForgedCountBoundsMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	body := make([]byte, 100)
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	src := binary.AppendUvarint([]byte{BlockVersion}, uint64(len(body)*8*samplesPerBit))
	src = append(src, body...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := DecodeBlock(src, nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v after %d samples, want ErrCorrupt", err, len(got))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("decoding a forged 100-byte block allocated %d bytes", alloc)
	}
}
