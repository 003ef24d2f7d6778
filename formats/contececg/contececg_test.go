package contececg

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"telewave/formats/ecg12"
	"telewave/formats/edf"
	"telewave/formats/scpecg"
)

const (
	file50 = "ecg12/contec-native/contec_ecg90a_0000050.ECG"
	file37 = "ecg12/contec-native/contec_ecg90a_0000037.ECG"
)

// The two public files are GPL: they are read from ../shared/data, never
// copied.
func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	data, err := os.ReadFile(sharedData(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// synth builds an ECG90A file: a header, one record per sample of ii and
// iii, chest leads either recorded (a copy of ii scaled per lead) or
// flagged unconnected, and the trailer.
func synth(ii, iii []int16, chest bool) []byte {
	out := make([]byte, headerSize)
	copy(out, "0000123")
	copy(out[10:], "2024-02-29 08:15:00")
	copy(out[32:], "Ada")
	out[40], out[41], out[42] = 0, 37, 61
	for i := range ii {
		w := []uint16{uint16(ii[i] + zeroCount), uint16(iii[i] + zeroCount)}
		for k := range 6 {
			if chest {
				w = append(w, uint16(ii[i]*int16(k+1)/2+zeroCount))
			} else {
				w = append(w, 0x6800)
			}
		}
		for _, x := range w {
			out = binary.LittleEndian.AppendUint16(out, x)
		}
	}
	return append(out, make([]byte, trailerSize)...)
}

func sine(n int, amp float64, phase float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(amp * math.Sin(2*math.Pi*float64(i)/800+phase)))
	}
	return s
}

func TestDecodeShared(t *testing.T) {
	tests := []struct {
		file     string
		samples  int
		acquired time.Time
		patient  ecg12.Patient
		header   Header
	}{
		{file50, 37855, time.Date(2020, 11, 16, 21, 44, 39, 0, time.UTC), ecg12.Patient{},
			Header{CaseNumber: "0000050", Acquired: time.Date(2020, 11, 16, 21, 44, 39, 0, time.UTC)}},
		{file37, 8375, time.Date(2020, 11, 15, 12, 59, 50, 0, time.UTC), ecg12.Patient{FamilyName: "Niccolo", Sex: "M"},
			Header{CaseNumber: "0000037", Acquired: time.Date(2020, 11, 15, 12, 59, 50, 0, time.UTC), Name: "Niccolo", Sex: "M", AgeYears: 54, WeightKg: 73}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data := readShared(t, tc.file)
			if !Sniff(data[:64]) {
				t.Error("Sniff = false")
			}
			h, err := ReadHeader(data)
			if err != nil || h != tc.header {
				t.Errorf("header %+v, %v; want %+v", h, err, tc.header)
			}
			rec, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Format != "Contec ECG90A" || rec.SampleRate != 800 || !rec.Acquired.Equal(tc.acquired) || rec.Patient != tc.patient {
				t.Errorf("%q %v Hz %v %+v", rec.Format, rec.SampleRate, rec.Acquired, rec.Patient)
			}
			// At 5 µV per count lead II spans a QRS-sized 0.5–3 mV (the
			// EDF conversion's scale would make it 3.7–18 mV).
			II, _ := rec.Lead("II")
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, v := range II.Microvolts() {
				lo, hi = min(lo, v), max(hi, v)
			}
			if hi-lo < 500 || hi-lo > 3000 {
				t.Errorf("lead II spans %v µV", hi-lo)
			}
			// Both recordings have the chest leads unconnected.
			want := []string{"I", "II", "III", "aVR", "aVL", "aVF"}
			if len(rec.Leads) != len(want) {
				t.Fatalf("%d leads", len(rec.Leads))
			}
			for k, l := range rec.Leads {
				derived := l.Label != "II" && l.Label != "III"
				if l.Label != want[k] || len(l.Samples) != tc.samples || l.Scale != 5 || l.Derived != derived {
					t.Errorf("lead %d: %s × %d at %v µV, derived %v", k, l.Label, len(l.Samples), l.Scale, l.Derived)
				}
			}
		})
	}
}

// The same recording converted to EDF and to SCP-ECG by its author's
// tools: every sample of every lead agrees (the SCP holds the first 41 s). The EDF holds the same counts
// (its declared scale, 2000 mV / 65535 counts, is not the cart's), the SCP
// the same microvolts at 5 µV per count; the derived augmented leads may
// round the other way by a count.
func TestAgainstConversions(t *testing.T) {
	rec, err := Decode(readShared(t, file50))
	if err != nil {
		t.Fatal(err)
	}
	e, err := edf.ReadFile(sharedData(t, "edf/contec_0000050.ECG.edf"))
	if err != nil {
		t.Fatal(err)
	}
	scp, err := scpecg.Decode(readShared(t, "ecg12/scp-ecg/contec_0000050.ECG.scp"))
	if err != nil {
		t.Fatal(err)
	}
	if !e.Start.Equal(rec.Acquired) || !scp.Acquired.Equal(rec.Acquired) {
		t.Errorf("start %v, EDF %v, SCP %v", rec.Acquired, e.Start, scp.Acquired)
	}
	for _, s := range e.Signals {
		label := ecg12.NormalizeLabel(s.Label)
		l, ok := rec.Lead(label)
		if !ok {
			for k, c := range s.Samples {
				if c != 0 {
					t.Fatalf("EDF %s sample %d = %d, but the native file flags the lead unconnected", label, k, c)
				}
			}
			continue
		}
		if s.SampleRate != rec.SampleRate || len(s.Samples) != len(l.Samples) {
			t.Fatalf("%s: EDF %d samples at %v Hz, native %d", label, len(s.Samples), s.SampleRate, len(l.Samples))
		}
		tol := int32(0)
		if l.Label[0] == 'a' {
			tol = 1
		}
		for k, c := range l.Samples {
			if d := c - s.Samples[k]; d < -tol || d > tol {
				t.Fatalf("%s sample %d: native %d counts, EDF %d", label, k, c, s.Samples[k])
			}
		}
		sl, ok := scp.Lead(label)
		// The SCP's per-lead byte count is a uint16: its converter
		// stored the first 32767 samples of each lead.
		if !ok || len(sl.Samples) != min(len(l.Samples), 32767) {
			t.Fatalf("SCP lead %s: %v, %d samples", label, ok, len(sl.Samples))
		}
		want, got := sl.Microvolts(), l.Microvolts()
		for k := range want {
			if math.Abs(got[k]-want[k]) > float64(tol)*Scale+1e-9 {
				t.Fatalf("%s sample %d: native %v µV, SCP %v µV", label, k, got[k], want[k])
			}
		}
	}
}

func TestSynthetic(t *testing.T) {
	ii, iii := sine(800, 300, 0), sine(800, 120, 1)
	tests := []struct {
		name   string
		chest  bool
		labels []string
	}{
		{"limb leads only", false, []string{"I", "II", "III", "aVR", "aVL", "aVF"}},
		{"twelve leads", true, ecg12.StandardOrder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Decode(synth(ii, iii, tc.chest))
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Leads) != len(tc.labels) {
				t.Fatalf("%d leads", len(rec.Leads))
			}
			for k, l := range rec.Leads {
				if l.Label != tc.labels[k] || len(l.Samples) != 800 {
					t.Fatalf("lead %d: %s × %d", k, l.Label, len(l.Samples))
				}
			}
			I, _ := rec.Lead("I")
			II, _ := rec.Lead("II")
			for j := range 800 {
				if II.Samples[j] != int32(ii[j]) || I.Samples[j] != int32(ii[j])-int32(iii[j]) {
					t.Fatalf("sample %d: I %d II %d", j, I.Samples[j], II.Samples[j])
				}
			}
			if tc.chest {
				v4, _ := rec.Lead("V4")
				if v4.Samples[200] != int32(ii[200]*4/2) {
					t.Errorf("V4 sample 200 = %d", v4.Samples[200])
				}
			}
			if p := rec.Patient; p.FamilyName != "Ada" || p.Sex != "F" {
				t.Errorf("patient %+v", p)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	good := synth(sine(10, 1, 0), sine(10, 1, 0), false)
	bad := func(at int, b byte) []byte {
		c := append([]byte(nil), good[:headerSize]...)
		c[at] = b
		return c
	}
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"synthetic", good[:headerSize], true},
		{"short", good[:headerSize-1], false},
		{"letter in the case number", bad(3, 'x'), false},
		{"empty case number", bad(0, 0), false},
		{"month 13", bad(15, '3'), false},
		{"SCP-ECG", append([]byte{0x34, 0x12, 0, 0, 0, 0}, make([]byte, 60)...), false},
		{"EDF", []byte("0       dd-MMM-yyyy                                                                     "), false},
	}
	for _, tc := range tests {
		if got := Sniff(tc.head); got != tc.want {
			t.Errorf("%s: Sniff = %v", tc.name, got)
		}
	}
}

func TestTruncatedAndDamaged(t *testing.T) {
	data := synth(sine(400, 300, 0), sine(400, 100, 2), true)
	for cut := range len(data) {
		rec, err := Decode(data[:cut])
		if err == nil || rec != nil || !errors.Is(err, ecg12.ErrFormat) {
			t.Fatalf("cut at %d: record %v, err %v", cut, rec != nil, err)
		}
	}
	if _, err := Decode(append(data, 0)); err == nil {
		t.Error("a stray byte after the trailer was accepted")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		bad := append([]byte(nil), data...)
		bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
		rec, err := Decode(bad)
		if err != nil {
			if rec != nil || !errors.Is(err, ecg12.ErrFormat) {
				t.Fatalf("%v with a record", err)
			}
			continue
		}
		if err := rec.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(synth(sine(40, 300, 0), sine(40, 100, 2), true))
	f.Add(synth(sine(40, 300, 0), sine(40, 100, 2), false))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Decode(data)
		if err != nil {
			if rec != nil {
				t.Fatal("a record with an error")
			}
			return
		}
		if err := rec.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkDecode decodes 10 s of twelve leads.
func BenchmarkDecode(b *testing.B) {
	data := synth(sine(8000, 300, 0), sine(8000, 100, 2), true)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
