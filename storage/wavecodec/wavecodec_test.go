package wavecodec

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ecgLike synthesises n samples of a 72 bpm ECG at 360 Hz in MIT-BIH-like
// counts (200 per mV, baseline 1024): P, QRS and T waves as Gaussians, slow
// baseline wander and a little noise.
func ecgLike(n int, seed uint64) []int32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	const fs, beat = 360.0, 60.0 / 72
	wave := func(t, at, width, mv float64) float64 {
		d := (t - at) / width
		return mv * math.Exp(-d*d/2)
	}
	out := make([]int32, n)
	for i := range out {
		t := float64(i) / fs
		ph := math.Mod(t, beat)
		mv := wave(ph, 0.20, 0.025, 0.15) + wave(ph, 0.36, 0.008, -0.1) + wave(ph, 0.38, 0.010, 1.2) +
			wave(ph, 0.40, 0.008, -0.25) + wave(ph, 0.62, 0.045, 0.3) + 0.1*math.Sin(2*math.Pi*0.3*t)
		out[i] = 1024 + int32(math.Round(mv*200+rng.NormFloat64()*1.5))
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	random := make([]int32, 1000)
	for i := range random {
		random[i] = int32(rng.Uint32())
	}
	sine := make([]int32, 720)
	for i := range sine {
		sine[i] = int32(1000 * math.Sin(2*math.Pi*float64(i)/90))
	}
	alternating := make([]int32, 130)
	for i := range alternating {
		alternating[i] = math.MaxInt32
		if i%2 == 1 {
			alternating[i] = math.MinInt32
		}
	}
	spike := make([]int32, 200)
	spike[100] = math.MaxInt32
	cases := []struct {
		name    string
		samples []int32
		maxBits float64 // bits per sample the encoding must not exceed; 0 = no bound
	}{
		{"empty", nil, 0},
		{"one sample", []int32{-5}, 0},
		{"min", []int32{math.MinInt32}, 0},
		{"max", []int32{math.MaxInt32, math.MaxInt32}, 0},
		{"constant", slices.Repeat([]int32{1024}, 500), 1.3},
		{"ramp", func() []int32 {
			s := make([]int32, 300)
			for i := range s {
				s[i] = int32(3 * i)
			}
			return s
		}(), 1.2},
		{"extremes alternating", alternating, 60},
		{"one spike", spike, 2.5},
		{"exact block", make([]int32, blockSize), 1.4},
		{"block plus one", make([]int32, blockSize+1), 1.5},
		{"random", random, 40},
		{"sine", sine, 4.5},
		{"ecg-like", ecgLike(3600, 1), 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc := Encode(nil, c.samples)
			got, err := Decode(enc, nil)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !slices.Equal(got, c.samples) && !(len(got) == 0 && len(c.samples) == 0) {
				t.Fatalf("round trip differs: got %d samples, want %d", len(got), len(c.samples))
			}
			if n, err := Count(enc); err != nil || n != len(c.samples) {
				t.Fatalf("count = %d, %v", n, err)
			}
			if c.maxBits > 0 {
				bps := float64(8*len(enc)) / float64(len(c.samples))
				if bps > c.maxBits {
					t.Fatalf("%.2f bits/sample, want <= %.2f", bps, c.maxBits)
				}
			}
		})
	}
}

func TestAppendSemantics(t *testing.T) {
	prefix := []byte("hdr")
	enc := Encode(prefix, []int32{1, 2, 3})
	if string(enc[:3]) != "hdr" {
		t.Fatal("Encode did not append")
	}
	got, err := Decode(enc[3:], []int32{9})
	if err != nil || !slices.Equal(got, []int32{9, 1, 2, 3}) {
		t.Fatalf("Decode append = %v, %v", got, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Encode(nil, ecgLike(100, 2))
	cases := []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"bad version", append([]byte{9}, good[1:]...)},
		{"no count", []byte{Version}},
		{"count larger than body", []byte{Version, 0xff, 0xff, 0x03, 0x00}},
		{"truncated", good[:len(good)-3]},
		{"trailing byte", append(slices.Clone(good), 0)},
		{"bad parameter", []byte{Version, 1, 0xff}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Decode(c.src, nil); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add(Encode(nil, []int32{1, 2, 3, math.MinInt32}))
	f.Add(Encode(nil, ecgLike(200, 3)))
	f.Add([]byte{Version, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b, nil)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to something that decodes the same.
		again, err := Decode(Encode(nil, got), nil)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("re-encode round trip failed: %v", err)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f})
	f.Add([]byte("an ECG is just bytes to a fuzzer"))
	f.Fuzz(func(t *testing.T, b []byte) {
		samples := make([]int32, len(b)/4)
		for i := range samples {
			samples[i] = int32(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
		}
		got, err := Decode(Encode(nil, samples), nil)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !slices.Equal(got, samples) {
			t.Fatalf("round trip differs")
		}
	})
}

func BenchmarkEncodeECG(b *testing.B) {
	samples := ecgLike(360*10, 4)
	var enc []byte
	b.SetBytes(int64(4 * len(samples)))
	b.ReportAllocs()
	for b.Loop() {
		enc = Encode(enc[:0], samples)
	}
	b.ReportMetric(float64(8*len(enc))/float64(len(samples)), "bits/sample")
}

func BenchmarkDecodeECG(b *testing.B) {
	samples := ecgLike(360*10, 4)
	enc := Encode(nil, samples)
	out := make([]int32, 0, len(samples))
	b.SetBytes(int64(4 * len(samples)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = Decode(enc, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(8*len(enc))/float64(len(samples)), "bits/sample")
}
