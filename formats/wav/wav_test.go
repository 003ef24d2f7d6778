package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ramp returns channels×n samples that visit the whole range, extremes
// included, distinct per channel.
func ramp(channels, n int) [][]float32 {
	s := make([][]float32, channels)
	for c := range s {
		s[c] = make([]float32, n)
		for i := range s[c] {
			s[c][i] = float32(math.Sin(float64(i*(c+1))*0.37)) * 0.99
		}
		s[c][0], s[c][n-1] = -1, float32(1-1.0/(1<<7))
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		bits     int
		float    bool
		channels int
		rate     int
		frames   int
		tol      float64 // largest allowed |read − written|
	}{
		{8, false, 1, 8000, 101, 0.5 / (1 << 7)},
		{16, false, 1, 4000, 1000, 0.5 / (1 << 15)},
		{16, false, 2, 44100, 333, 0.5 / (1 << 15)},
		{24, false, 3, 48000, 257, 0.5 / (1 << 23)},
		{32, false, 2, 96000, 64, 1.0 / (1 << 23)},
		{32, true, 1, 2000, 99, 0},
		{64, true, 5, 1, 7, 0},
	}
	for _, tc := range tests {
		name := strings.Join([]string{itoa(tc.bits), map[bool]string{true: "float", false: "int"}[tc.float], itoa(tc.channels) + "ch"}, "-")
		t.Run(name, func(t *testing.T) {
			in := Audio{Rate: tc.rate, Channels: tc.channels, Bits: tc.bits, Float: tc.float, Samples: ramp(tc.channels, tc.frames)}
			var buf bytes.Buffer
			if err := Write(&buf, in); err != nil {
				t.Fatal(err)
			}
			wantLen := 44 + tc.frames*tc.channels*tc.bits/8
			if tc.float {
				wantLen += 2
			}
			wantLen += wantLen % 2
			if buf.Len() != wantLen {
				t.Errorf("file is %d bytes, want %d", buf.Len(), wantLen)
			}
			out, err := Read(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if out.Rate != tc.rate || out.Channels != tc.channels || out.Bits != tc.bits || out.Float != tc.float || out.Frames() != tc.frames {
				t.Fatalf("read %d Hz %d ch %d bits float=%v %d frames", out.Rate, out.Channels, out.Bits, out.Float, out.Frames())
			}
			for c := range in.Samples {
				for i, v := range in.Samples[c] {
					if d := math.Abs(float64(out.Samples[c][i] - v)); d > tc.tol {
						t.Fatalf("channel %d sample %d: %v read back as %v", c, i, v, out.Samples[c][i])
					}
				}
			}
			// A second trip is exact: the values are now on the grid.
			var again bytes.Buffer
			if err := Write(&again, *out); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Errorf("second write differs from the first (err %v)", err)
			}
		})
	}
}

func itoa(v int) string { return string(rune('0'+v/10)) + string(rune('0'+v%10)) }

// riff assembles a WAVE file from raw chunks, padding odd ones.
func riff(chunks ...[]byte) []byte {
	var body []byte
	body = append(body, "WAVE"...)
	for _, c := range chunks {
		body = append(body, c...)
		if len(c)%2 == 1 {
			body = append(body, 0)
		}
	}
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

func chunk(id string, body []byte) []byte {
	return append(binary.LittleEndian.AppendUint32([]byte(id), uint32(len(body))), body...)
}

func fmtBody(tag uint16, channels, rate, bits int) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, tag)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*channels*bits/8))
	b = le.AppendUint16(b, uint16(channels*bits/8))
	return le.AppendUint16(b, uint16(bits))
}

func extensible(sub uint16, channels, rate, bits int) []byte {
	le := binary.LittleEndian
	b := fmtBody(tagExtensible, channels, rate, bits)
	b = le.AppendUint16(b, 22)
	b = le.AppendUint16(b, uint16(bits))
	b = le.AppendUint32(b, 0x3)
	b = le.AppendUint16(b, sub)
	return append(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"...)
}

func int16s(v ...int16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, uint16(x))
	}
	return b
}

func TestReadLayouts(t *testing.T) {
	pcm := chunk("fmt ", fmtBody(tagPCM, 1, 4000, 16))
	data := chunk("data", int16s(1, -2, 3))
	tests := []struct {
		name string
		file []byte
		want []float32
	}{
		{"plain", riff(pcm, data), []float32{1, -2, 3}},
		{"LIST before fmt", riff(chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00abcde")), pcm, data), []float32{1, -2, 3}},
		{"odd chunk padded", riff(pcm, chunk("junk", []byte{1, 2, 3}), data), []float32{1, -2, 3}},
		{"trailing chunk after data", riff(pcm, data, chunk("cue ", make([]byte, 4))), []float32{1, -2, 3}},
		{"extensible PCM", riff(chunk("fmt ", extensible(tagPCM, 1, 4000, 16)), data), []float32{1, -2, 3}},
		{"fmt with cbSize 0", riff(chunk("fmt ", append(fmtBody(tagPCM, 1, 4000, 16), 0, 0)), data), []float32{1, -2, 3}},
		{"empty data", riff(pcm, chunk("data", nil)), []float32{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Read(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.Channels != 1 || a.Rate != 4000 || a.Bits != 16 || len(a.Samples[0]) != len(tc.want) {
				t.Fatalf("%+v", a)
			}
			for i, v := range tc.want {
				if a.Samples[0][i]*(1<<15) != v {
					t.Errorf("sample %d = %v, want %v", i, a.Samples[0][i]*(1<<15), v)
				}
			}
		})
	}
}

func TestExtensibleFloat(t *testing.T) {
	d := binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.25))
	d = binary.LittleEndian.AppendUint32(d, math.Float32bits(-0.5))
	a, err := Read(bytes.NewReader(riff(chunk("fmt ", extensible(tagFloat, 2, 8000, 32)), chunk("data", d))))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Float || a.Channels != 2 || a.Samples[0][0] != 0.25 || a.Samples[1][0] != -0.5 {
		t.Fatalf("%+v", a)
	}
	if m := a.Mono(); len(m) != 1 || m[0] != -0.125 {
		t.Errorf("mono %v", m)
	}
}

func TestReadErrors(t *testing.T) {
	pcm := chunk("fmt ", fmtBody(tagPCM, 1, 4000, 16))
	full := riff(pcm, chunk("data", int16s(1, 2, 3, 4)))
	tests := []struct {
		name   string
		file   []byte
		target error
		words  string // the message must name what was wrong
	}{
		{"empty", nil, ErrTruncated, "RIFF header"},
		{"not RIFF", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), ErrFormat, "RIFF header"},
		{"no data", riff(pcm), ErrFormat, "no data chunk"},
		{"data before fmt", riff(chunk("data", int16s(1)), pcm), ErrFormat, "before fmt"},
		{"truncated data", full[:len(full)-3], ErrTruncated, `"data" chunk`},
		{"half frame", riff(pcm, chunk("data", []byte{1, 2, 3})), ErrTruncated, "whole number"},
		{"truncated LIST", riff(pcm, chunk("LIST", make([]byte, 10)))[:45], ErrTruncated, `"LIST" chunk`},
		{"truncated chunk header", append(riff(pcm), "dat"...), ErrTruncated, "chunk 1 header"},
		{"mu-law", riff(chunk("fmt ", fmtBody(7, 1, 8000, 8)), chunk("data", []byte{1})), ErrFormat, "0x0007"},
		{"12-bit", riff(chunk("fmt ", fmtBody(tagPCM, 1, 8000, 12)), chunk("data", []byte{1})), ErrFormat, "12-bit"},
		{"zero channels", riff(chunk("fmt ", fmtBody(tagPCM, 0, 8000, 16)), chunk("data", nil)), ErrFormat, "0 channels"},
		{"zero rate", riff(chunk("fmt ", fmtBody(tagPCM, 1, 0, 16)), chunk("data", nil)), ErrFormat, "rate 0"},
		{"short fmt", riff(chunk("fmt ", make([]byte, 8)), chunk("data", nil)), ErrFormat, "fmt chunk"},
		{"short extensible", riff(chunk("fmt ", fmtBody(tagExtensible, 1, 8000, 16)), chunk("data", nil)), ErrFormat, "EXTENSIBLE"},
		{"huge fmt", riff(chunk("fmt ", make([]byte, 70000))), ErrFormat, `"fmt " chunk of 70000`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.file))
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.words) {
				t.Errorf("error %v, want %v naming %q", err, tc.target, tc.words)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		a    Audio
	}{
		{"no channels", Audio{Rate: 4000, Bits: 16}},
		{"ragged", Audio{Rate: 4000, Bits: 16, Samples: [][]float32{{1, 2}, {1}}}},
		{"channel count", Audio{Rate: 4000, Bits: 16, Channels: 2, Samples: [][]float32{{1}}}},
		{"bits", Audio{Rate: 4000, Bits: 20, Samples: [][]float32{{1}}}},
		{"float bits", Audio{Rate: 4000, Bits: 16, Float: true, Samples: [][]float32{{1}}}},
		{"rate", Audio{Bits: 16, Samples: [][]float32{{1}}}},
	}
	for _, tc := range tests {
		if err := Write(&bytes.Buffer{}, tc.a); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// Integer writes clip rather than wrap around.
func TestWriteClips(t *testing.T) {
	var buf bytes.Buffer
	in := Audio{Rate: 8000, Bits: 16, Samples: [][]float32{{2, -3, float32(math.NaN())}}}
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	a, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Samples[0]; got[0] != 32767.0/32768 || got[1] != -1 || got[2] != 0 {
		t.Errorf("clipped to %v", got)
	}
}

// sharedData finds ../shared/data beside the repository root, or skips
// loudly.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skipf("SKIPPED: no repository root above the test; shared data %s not read", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("SKIPPED: shared data %s is absent (%v)", p, err)
	}
	return p
}

// Every heart-sound recording in ../shared/data reads as mono 16-bit at
// its database's rate, and writes back byte for byte.
func TestReadHeartSounds(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		rate int
	}{{"heart-sounds/circor", 4000}, {"heart-sounds/physionet2016", 2000}} {
		files, _ := filepath.Glob(filepath.Join(sharedData(t, tc.dir), "*.wav"))
		if len(files) == 0 {
			t.Fatalf("no .wav in %s", tc.dir)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Read(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if a.Rate != tc.rate || a.Channels != 1 || a.Bits != 16 || a.Frames() < tc.rate*4 {
				t.Errorf("%s: %d Hz %d ch %d bits %d frames", f, a.Rate, a.Channels, a.Bits, a.Frames())
			}
			var out bytes.Buffer
			if err := Write(&out, *a); err != nil {
				t.Fatal(err)
			}
			if len(raw) == out.Len() && !bytes.Equal(raw, out.Bytes()) {
				t.Errorf("%s: rewritten file differs", f)
			}
		}
		t.Logf("%s: %d files", tc.dir, len(files))
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, Audio{Rate: 4000, Bits: 16, Samples: ramp(1, 20)})
	f.Add(buf.Bytes())
	buf.Reset()
	Write(&buf, Audio{Rate: 8000, Bits: 24, Samples: ramp(2, 9)})
	f.Add(buf.Bytes())
	f.Add(riff(chunk("LIST", []byte("abc")), chunk("fmt ", extensible(tagFloat, 1, 8000, 32)), chunk("data", make([]byte, 8))))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Read(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("error %v is neither ErrFormat nor ErrTruncated", err)
			}
			return
		}
		if a.Frames()*a.Channels*a.Bits/8 > len(b) {
			t.Fatalf("%d frames from %d bytes", a.Frames(), len(b))
		}
		var out bytes.Buffer
		if err := Write(&out, *a); err != nil {
			t.Fatalf("a file that reads does not write: %v", err)
		}
	})
}

func BenchmarkRead20s(b *testing.B) {
	var buf bytes.Buffer
	Write(&buf, Audio{Rate: 4000, Bits: 16, Samples: ramp(1, 80000)})
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
