package wfdb

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestParseHeaderRecord100(t *testing.T) {
	f, err := os.Open("../../testdata/mitdb/100.hea")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := ParseHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "100" || h.Freq != 360 || h.NSamples != 650000 || len(h.Signals) != 2 {
		t.Fatalf("header = %+v", h)
	}
	s := h.Signals[0]
	if s.Description != "MLII" || s.Gain != 200 || s.Baseline != 1024 || s.ADCRes != 11 || s.InitValue != 995 || s.Units != "mV" {
		t.Errorf("signal 0 = %+v", s)
	}
	if h.Signals[1].Description != "V5" {
		t.Errorf("signal 1 = %q", h.Signals[1].Description)
	}
}

func TestParseHeaderForms(t *testing.T) {
	tests := []struct {
		name, in string
		check    func(Header) bool
		wantErr  bool
	}{
		{"gain with baseline and units", "r 1 500\nr.dat 16 1000(-3)/uV 16 0 5 0 0 ECG I\n",
			func(h Header) bool {
				s := h.Signals[0]
				return s.Gain == 1000 && s.Baseline == -3 && s.Units == "uV" && s.Description == "ECG I"
			}, false},
		{"defaults", "r 1\nr.dat 16\n", func(h Header) bool { return h.Freq == 250 && h.Signals[0].Gain == 200 }, false},
		{"counter frequency", "r 1 360/180(0) 10\nr.dat 212\n", func(h Header) bool { return h.Freq == 360 }, false},
		{"missing signal line", "r 2 360\nr.dat 212\n", nil, true},
		{"no record line", "# only a comment\n", nil, true},
		{"bad frequency", "r 1 abc\nr.dat 212\n", nil, true},
		{"skew", "r 1\nr.dat 212:3\n", nil, true},
		{"multi-segment", "r/2 1\n", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader(strings.NewReader(tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrHeader) {
					t.Fatalf("err = %v, want ErrHeader", err)
				}
				return
			}
			if err != nil || !tc.check(h) {
				t.Fatalf("ParseHeader = %+v, %v", h, err)
			}
		})
	}
}

func TestRead212MatchesHeaderChecksumAndInitValue(t *testing.T) {
	r, err := Read(os.DirFS("../../testdata"), "mitdb/100")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range r.Signals {
		got := r.Samples[i]
		if len(got) != 650000 {
			t.Fatalf("signal %d has %d samples", i, len(got))
		}
		if got[0] != s.InitValue {
			t.Errorf("signal %d first sample %d, header says %d", i, got[0], s.InitValue)
		}
		var sum int16
		for _, v := range got {
			sum += int16(v)
		}
		if sum != s.Checksum {
			t.Errorf("signal %d checksum %d, header says %d", i, sum, s.Checksum)
		}
	}
}

func Test212RoundTrip(t *testing.T) {
	in := [][]int32{{0, 1, -1, 2047, -2048, 100}, {-5, 7, 1000, -1000, 3, 0}}
	out, err := Decode212(Encode212(in), 2)
	if err != nil {
		t.Fatal(err)
	}
	for s := range in {
		for i := range in[s] {
			if out[s][i] != in[s][i] {
				t.Fatalf("sig %d sample %d: %d != %d", s, i, out[s][i], in[s][i])
			}
		}
	}
}

func TestPlaybackInMillivolts(t *testing.T) {
	r, err := Read(os.DirFS("../../testdata"), "mitdb/100")
	if err != nil {
		t.Fatal(err)
	}
	src := r.Source()
	frame := make([]float64, 2)
	if err := src.Next(frame); err != nil {
		t.Fatal(err)
	}
	if want := (995.0 - 1024) / 200; frame[0] != want {
		t.Errorf("first MLII value %v mV, want %v", frame[0], want)
	}
	r.Samples[0], r.Samples[1] = r.Samples[0][:2], r.Samples[1][:2]
	if err := src.Next(frame); err != nil {
		t.Fatal(err)
	}
	if err := src.Next(frame); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func FuzzParseHeader(f *testing.F) {
	f.Add("100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n")
	f.Add("r 1 500\nr.dat 16 1000(-3)/uV 16 0 5 0 0 ECG I\n")
	f.Add("# c\n\nx 0\n")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHeader(strings.NewReader(s))
		if err == nil {
			for _, sig := range h.Signals {
				if sig.Gain <= 0 {
					t.Fatalf("accepted gain %v", sig.Gain)
				}
			}
		}
	})
}

func FuzzDecode212(f *testing.F) {
	f.Add([]byte{0xe3, 0x33, 0xf3}, 2)
	f.Add([]byte{1, 2, 3, 4, 5}, 1)
	f.Fuzz(func(t *testing.T, data []byte, nsig int) {
		if nsig > 64 {
			nsig = nsig%64 + 1
		}
		sig, err := Decode212(data, nsig)
		if err != nil {
			return
		}
		for _, s := range sig {
			for _, v := range s {
				if v < -2048 || v > 2047 {
					t.Fatalf("sample %d outside 12 bits", v)
				}
			}
		}
		// Whole frames re-encode to the same bytes.
		if len(sig) > 0 && len(sig[0]) > 0 && (len(sig)*len(sig[0]))%2 == 0 {
			enc := Encode212(sig)
			if !bytes.Equal(enc, data[:len(enc)]) {
				t.Fatalf("re-encoding changed bytes")
			}
		}
	})
}

func FuzzDecode16(f *testing.F) {
	f.Add([]byte{1, 0, 0xff, 0xff}, 2)
	f.Fuzz(func(t *testing.T, data []byte, nsig int) {
		if nsig > 64 {
			nsig = nsig%64 + 1
		}
		sig, err := Decode16(data, nsig)
		if err == nil && nsig > 0 && len(sig) != nsig {
			t.Fatalf("%d signals for %d", len(sig), nsig)
		}
	})
}

// BenchmarkDecode212 decodes record 100 (2 × 650,000 samples), what the
// demo does at start-up.
func BenchmarkDecode212(b *testing.B) {
	data, err := os.ReadFile("../../testdata/mitdb/100.dat")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Decode212(data, 2); err != nil {
			b.Fatal(err)
		}
	}
}
