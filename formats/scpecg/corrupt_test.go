package scpecg

import (
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"telewave/formats/ecg12"
)

// sample is a small but complete file: every section Encode writes.
func sample(tb testing.TB) []byte {
	tb.Helper()
	rec := syntheticECG(twelve, 500, 1000, 5, true)
	rec.Median = syntheticECG(twelve, 500, 300, 5, false).Leads
	rec.MedianRate = 500
	rec.Measurements = []ecg12.Measurement{meas("QRSDuration", 90, "ms")}
	rec.Statements = []string{"Sinus rhythm"}
	data, err := Encode(rec)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestCorruptFiles(t *testing.T) {
	at := func(d []byte, id int) []byte { return d[sectionAt(d, id)+headerLen:] }
	tests := []struct {
		name   string
		change func(d []byte) []byte
		want   string
	}{
		{"file CRC", func(d []byte) []byte { d[0] ^= 1; return d }, "file header at byte 0: file CRC"},
		{"section 6 CRC", func(d []byte) []byte {
			at(d, 6)[40] ^= 0x10
			putLE16(d, crc16(d[2:])) // the file CRC agrees: only the section's is wrong
			return d
		}, "section 6 at byte"},
		{"section 1 CRC", func(d []byte) []byte { d[sectionAt(d, 1)] ^= 0xFF; putLE16(d, crc16(d[2:])); return d }, "section 1 at byte"},
		{"record length past the end", func(d []byte) []byte { putLE32(d[2:], uint32(len(d)+2)); return d }, "truncated"},
		{"pointer outside", func(d []byte) []byte {
			putLE32(d[fileHeaderLen+headerLen+6*pointerLen+6:], uint32(len(d))) // section 6 index
			return recrc(d)
		}, "section 0 at byte"},
		{"section id mismatch", func(d []byte) []byte { putLE16(d[sectionAt(d, 7)+2:], 9); return recrc(d) }, "header names section 9"},
		{"no leads", func(d []byte) []byte { at(d, 3)[0] = 0; return recrc(d) }, "section 3 at byte"},
		{"lead end before start", func(d []byte) []byte { putLE32(at(d, 3)[2+4:], 0); return recrc(d) }, "lead I: samples 1 to 0"},
		{"zero AVM", func(d []byte) []byte { putLE16(at(d, 6), 0); return recrc(d) }, "amplitude value multiplier is 0"},
		{"difference coding 3", func(d []byte) []byte { at(d, 6)[4] = 3; return recrc(d) }, "difference coding 3"},
		{"lead lengths past the section", func(d []byte) []byte { putLE16(at(d, 6)[6:], 0xFFFF); return recrc(d) }, "leads hold"},
		{"bad Huffman table count", func(d []byte) []byte { putLE16(at(d, 2), 7); return recrc(d) }, "section 2 at byte"},
		{"tag past the section", func(d []byte) []byte { putLE16(at(d, 1)[1:], 5000); return recrc(d) }, "section 1 at byte"},
		{"statement past the section", func(d []byte) []byte { putLE16(at(d, 8)[10:], 5000); return recrc(d) }, "section 8 at byte"},
		{"no section 6", func(d []byte) []byte {
			putLE32(d[fileHeaderLen+headerLen+6*pointerLen+2:], 0)
			return recrc(d)
		}, "rhythm data section is absent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Decode(tc.change(sample(t)))
			if rec != nil || err == nil || !errors.Is(err, ecg12.ErrFormat) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("record %v, error %v; want %q", rec != nil, err, tc.want)
			}
		})
	}
}

// A Huffman table whose codes are not a prefix code is refused.
func TestBadHuffmanTables(t *testing.T) {
	tests := []struct {
		name  string
		codes []code
		want  string
	}{
		{"prefix of another", []code{{prefix: 1, total: 1, bits: 0}, {prefix: 2, total: 2, value: 1, bits: 0b01}}, "code 1 begins with code 0"},
		{"same code twice", []code{{prefix: 2, total: 2, bits: 1}, {prefix: 2, total: 2, value: 1, bits: 1}}, "is a prefix of another code"},
		{"switch out of range", []code{{prefix: 1, total: 1, switchTable: true, value: 4, bits: 0}}, "switches to table 4 of 1"},
		{"zero bits", []code{{prefix: 0, total: 0}}, "0 prefix bits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := fileWith(20, map[int][]byte{2: tableSection(tc.codes), 3: leadSection([]int{1}, 2, 4), 6: dataSection(5000, 2000, 0, 0, [][]byte{{0}})})
			if _, err := Decode(data); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "section 2") {
				t.Errorf("%v", err)
			}
		})
	}
}

// inputs are the files truncation and flip tests run on: the synthetic one
// and the shared real files when present.
func inputs(t *testing.T) map[string][]byte {
	in := map[string][]byte{"synthetic": sample(t)}
	for _, f := range sharedFiles {
		if p := sharedPath(f); p != "" {
			if b, err := os.ReadFile(p); err == nil {
				in[f] = b
			}
		} else {
			t.Logf("shared data %s absent: truncation and flips run on the synthetic file only", f)
		}
	}
	return in
}

// budget scales a test's iterations down for the large shared files
// (the Contec file is 0.8 MB), keeping the suite to a second or two.
func budget(size, n int) int {
	if size > 200<<10 {
		return n / 15
	}
	return n
}

func TestTruncated(t *testing.T) {
	for name, data := range inputs(t) {
		t.Run(name, func(t *testing.T) {
			step := max(1, len(data)/budget(len(data), 1000))
			for cut := 0; cut < len(data); cut += step {
				if rec, err := Decode(data[:cut]); err == nil || rec != nil || !errors.Is(err, ecg12.ErrFormat) {
					t.Fatalf("cut at %d: %v", cut, err)
				}
				// the same cut with the length and CRCs made to agree: the
				// section pointers then point past the end
				if cut >= fileHeaderLen+headerLen {
					d := recrc(append([]byte(nil), data[:cut]...))
					if rec, err := Decode(d); err == nil || rec != nil {
						t.Fatalf("consistent cut at %d decoded", cut)
					}
				}
			}
		})
	}
}

// Random byte flips: the CRCs catch every one; with the CRCs recomputed
// over the flipped bytes the decoder must still not panic, and whatever it
// returns must be a valid record.
func TestByteFlips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, data := range inputs(t) {
		t.Run(name, func(t *testing.T) {
			for range budget(len(data), 300) {
				d := append([]byte(nil), data...)
				for range 1 + rng.IntN(3) {
					d[rng.IntN(len(d))] ^= byte(1 + rng.IntN(255))
				}
				if rec, err := Decode(d); err == nil || rec != nil {
					t.Fatal("a flipped byte passed the CRCs")
				}
				if rec, err := Decode(recrc(d)); err == nil {
					if verr := rec.Validate(); verr != nil {
						t.Fatalf("invalid record: %v", verr)
					}
				} else if rec != nil {
					t.Fatal("record with an error")
				}
			}
		})
	}
}

// FuzzDecode recomputes the CRCs over its input so that the fuzzer gets
// past them into the sections.
func FuzzDecode(f *testing.F) {
	f.Add(sample(f))
	small, _ := Encode(syntheticECG([]string{"I", "II"}, 500, 20, 5, true))
	f.Add(small)
	v := []int32{1, 2, 3, 4}
	f.Add(fileWith(13, map[int][]byte{3: leadSection([]int{1}, 4, 4), 6: dataSection(5000, 2000, 1, 0, [][]byte{rawInt16(v)})}))
	for _, name := range sharedFiles {
		if p := sharedPath(name); p != "" {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, recrc(append([]byte(nil), data...))} {
			rec, err := Decode(d)
			if err != nil {
				if rec != nil || !errors.Is(err, ecg12.ErrFormat) {
					t.Fatalf("record %v with error %v", rec != nil, err)
				}
				continue
			}
			if err := rec.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Bytes after the record's end (block padding by a cart or a copy tool)
// are ignored with a warning; the record is unchanged.
func TestTrailingPadding(t *testing.T) {
	data := sample(t)
	want, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(append(data, make([]byte, 512)...))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "512 bytes after the record's end") || len(f.Record.Leads) != len(want.Leads) {
		t.Errorf("warnings %q", f.Warnings)
	}
}
