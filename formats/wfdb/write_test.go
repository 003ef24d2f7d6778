package wfdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sharedMitdbForWrite finds ../shared/data/mitdb beside the repository
// root, or skips loudly.
func sharedMitdbForWrite(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, "..", "shared", "data", "mitdb")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("SKIPPED: shared data %s is absent (%v); the header round trip over all of mitdb did not run", p, err)
	}
	return p
}

func headerRoundTrip(t *testing.T, text []byte) {
	t.Helper()
	h, err := ParseHeader(bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHeader(&buf, h); err != nil {
		t.Fatal(err)
	}
	back, err := ParseHeader(&buf)
	if err != nil {
		t.Fatalf("re-parse %q: %v", buf.String(), err)
	}
	if !reflect.DeepEqual(back, h) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, h)
	}
}

func TestWriteHeaderRoundTripsMitdb(t *testing.T) {
	local, _ := filepath.Glob("../../testdata/mitdb/*.hea")
	if len(local) == 0 {
		t.Fatal("no headers in testdata/mitdb")
	}
	files := append(local, globOrSkip(t)...)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			headerRoundTrip(t, b)
		})
	}
	t.Logf("%d headers round-tripped", len(files))
}

func globOrSkip(t *testing.T) []string {
	t.Helper()
	dir := sharedMitdbForWrite(t)
	m, _ := filepath.Glob(filepath.Join(dir, "*.hea"))
	if len(m) == 0 {
		t.Fatalf("no headers in %s", dir)
	}
	return m
}

// The record and signal lines of record 100 come out as PhysioNet wrote
// them (less the copy's carriage returns).
func TestWriteHeaderRecord100Lines(t *testing.T) {
	b, err := os.ReadFile("../../testdata/mitdb/100.hea")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHeader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHeader(&buf, h); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"100 2 360 650000\n", "100.dat 212 200 11 1024 995 -22131 0 MLII\n", "100.dat 212 200 11 1024 1011 20052 0 V5\n"} {
		if !strings.Contains(buf.String(), line) || !strings.Contains(strings.ReplaceAll(string(b), "\r", ""), line) {
			t.Errorf("line %q missing from\n%s", line, buf.String())
		}
	}
}

func TestWriteHeaderForms(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"baseline and units", "r 1 500\nr.dat 16 1000(-3)/uV 16 0 5 0 0 ECG I\n"},
		{"empty units", "r 1 500\nr.dat 16 1000/ 16 0 5 0 0\n"},
		{"fractional frequency and gain", "r 2 62.5 10\nr.dat 212 12.75(7) 12 3 0 0 0 a\nr.dat 212 200 12 0 0 0 0   b   c  \n# c1\n#\n"},
		{"no signals", "r 0 128\n"},
		{"defaults", "r 1\nr.dat 16\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { headerRoundTrip(t, []byte(tc.in)) })
	}
}

func TestWriteHeaderRejects(t *testing.T) {
	ok := Header{Name: "r", Freq: 360, Signals: []SignalSpec{{File: "r.dat", Format: 212, Gain: 200, Units: "mV"}}}
	tests := []struct {
		name string
		edit func(*Header)
	}{
		{"empty name", func(h *Header) { h.Name = "" }},
		{"name with a slash", func(h *Header) { h.Name = "a/b" }},
		{"name as a comment", func(h *Header) { h.Name = "#a" }},
		{"zero frequency", func(h *Header) { h.Freq = 0 }},
		{"file with a space", func(h *Header) { h.Signals[0].File = "r 1.dat" }},
		{"zero gain", func(h *Header) { h.Signals[0].Gain = 0 }},
		{"units with a space", func(h *Header) { h.Signals[0].Units = "m V" }},
		{"comment with a newline", func(h *Header) { h.Comments = []string{"a\nb"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := ok
			h.Signals = append([]SignalSpec(nil), ok.Signals...)
			tc.edit(&h)
			if err := WriteHeader(&bytes.Buffer{}, h); !errors.Is(err, ErrHeader) {
				t.Fatalf("err = %v, want ErrHeader", err)
			}
		})
	}
}

func TestWriteRecordRoundTrip(t *testing.T) {
	orig, err := Read(os.DirFS("../../testdata"), "mitdb/100")
	if err != nil {
		t.Fatal(err)
	}
	short := [][]int32{orig.Samples[0][:3601], orig.Samples[1][:3601]} // odd: a half byte group at the end
	wide := [][]int32{{0, 2048, -2049, 32767}, {-32768, 5, 6, 7}}
	tests := []struct {
		name    string
		format  int
		samples [][]int32
		want    int
	}{
		{"record 100, 212", 212, short, 212},
		{"record 100, 16", 16, short, 16},
		{"record 100, automatic", 0, short, 212},
		{"wide values, automatic", 0, wide, 16},
		{"one signal, odd length", 212, [][]int32{{1, -2, 3}}, 212},
		{"no samples", 212, [][]int32{{}, {}}, 212},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := orig.Header
			h.Signals = append([]SignalSpec(nil), orig.Signals[:len(tc.samples)]...)
			for i := range h.Signals {
				h.Signals[i].Format = tc.format
			}
			dir := t.TempDir()
			if err := WriteRecord(Dir(dir), "copy", h, tc.samples); err != nil {
				t.Fatal(err)
			}
			got, err := Read(os.DirFS(dir), "copy")
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "copy" || got.Freq != h.Freq || got.NSamples != len(tc.samples[0]) || !reflect.DeepEqual(got.Comments, h.Comments) {
				t.Errorf("header %+v", got.Header)
			}
			for i, s := range got.Signals {
				o := h.Signals[i]
				if s.Format != tc.want || s.File != "copy.dat" || s.Gain != o.Gain || s.Baseline != o.Baseline || s.Units != o.Units || s.Description != o.Description {
					t.Errorf("signal %d = %+v", i, s)
				}
				var sum int16
				for _, v := range tc.samples[i] {
					sum += int16(v)
				}
				if s.Checksum != sum {
					t.Errorf("signal %d checksum %d, want %d", i, s.Checksum, sum)
				}
				if len(got.Samples[i]) != len(tc.samples[i]) || (len(tc.samples[i]) > 0 && !reflect.DeepEqual(got.Samples[i], tc.samples[i])) {
					t.Errorf("signal %d samples differ (%d read, %d written)", i, len(got.Samples[i]), len(tc.samples[i]))
				}
			}
		})
	}
}

func TestWriteRecordRejects(t *testing.T) {
	h := Header{Freq: 250, Signals: []SignalSpec{{Gain: 200, Units: "mV", Format: 212}, {Gain: 200, Units: "mV", Format: 212}}}
	tests := []struct {
		name    string
		edit    func(*Header)
		samples [][]int32
		msg     string
	}{
		{"out of 212", nil, [][]int32{{0, 0}, {0, 2048}}, "signal 1 sample 1: 2048 outside format 212"},
		{"out of 16", func(h *Header) { h.Signals[0].Format, h.Signals[1].Format = 16, 16 }, [][]int32{{-32769, 0}, {0, 0}}, "signal 0 sample 0"},
		{"out of 16 automatically", func(h *Header) { h.Signals[0].Format, h.Signals[1].Format = 0, 0 }, [][]int32{{0, 0}, {0, 40000}}, "signal 1 sample 1: 40000 outside format 16"},
		{"mixed formats", func(h *Header) { h.Signals[1].Format = 16 }, [][]int32{{0}, {0}}, "one format"},
		{"format 80", func(h *Header) { h.Signals[0].Format, h.Signals[1].Format = 80, 80 }, [][]int32{{0}, {0}}, "format 80"},
		{"ragged", nil, [][]int32{{0, 1}, {0}}, "signal 1 has 1 samples"},
		{"signal count", nil, [][]int32{{0}}, "1 sample slices for 2 signals"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hh := h
			hh.Signals = append([]SignalSpec(nil), h.Signals...)
			if tc.edit != nil {
				tc.edit(&hh)
			}
			dir := t.TempDir()
			err := WriteRecord(Dir(dir), "r", hh, tc.samples)
			if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written despite the error: %v", entries)
			}
		})
	}
}

// Any header ParseHeader accepts, WriteHeader writes so that it parses
// back the same.
func FuzzWriteHeader(f *testing.F) {
	f.Add("100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n# 69 M\n")
	f.Add("r 1 500\nr.dat 16 1000(-3)/uV 16 0 5 0 0 ECG I\n")
	f.Add("r 1 62.5\nr.dat 16 0.001/ 16\n")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHeader(strings.NewReader(s))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteHeader(&buf, h); err != nil {
			if !errors.Is(err, ErrHeader) {
				t.Fatalf("WriteHeader: %v", err)
			}
			return
		}
		back, err := ParseHeader(&buf)
		if err != nil {
			t.Fatalf("re-parse %q: %v", buf.String(), err)
		}
		if !reflect.DeepEqual(back, h) {
			t.Fatalf("round trip\n got %+v\nwant %+v", back, h)
		}
	})
}

// BenchmarkEncodeRecord encodes record 100 (2 × 650,000 samples) in
// format 212, what exporting a 30-minute two-lead recording costs.
func BenchmarkEncodeRecord(b *testing.B) {
	r, err := Read(os.DirFS("../../testdata"), "mitdb/100")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := EncodeRecord("100", r.Header, r.Samples); err != nil {
			b.Fatal(err)
		}
	}
}
