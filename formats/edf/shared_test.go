package edf

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sharedData finds ../shared/data beside the repository root, or skips
// loudly: those files may not be copied into the repository.
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
		tb.Skipf("SKIPPED: shared data %s is absent (%v); this test reads files that may not be copied into testdata", p, err)
	}
	return p
}

func TestReadSharedFiles(t *testing.T) {
	date := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	generatorLabels := []string{"squarewave", "ramp", "pulse", "noise", "sine 1 Hz", "sine 8 Hz", "sine 8.1777 Hz", "sine 8.5 Hz", "sine 15 Hz", "sine 17 Hz", "sine 50 Hz"}
	tests := []struct {
		file     string
		format   string
		start    time.Time
		labels   []string
		rate     float64
		nrec     int
		recDur   time.Duration
		annFirst []Annotation // the first annotations, in order
		annLast  Annotation
		nAnn     int
	}{
		{"edf/contec_0000050.ECG.edf", "EDF", date(2020, 11, 16, 21, 44, 39),
			[]string{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"},
			800, 37855, 1250 * time.Microsecond, nil, Annotation{}, 0},
		{"edf/pyedflib_test_generator.edf", "EDF+C", date(2011, 4, 4, 12, 57, 2), generatorLabels,
			200, 600, time.Second,
			[]Annotation{{0, 0, "Recording starts"}}, Annotation{600 * time.Second, 0, "Recording ends"}, 2},
		{"edf/wfdb-python_test_generator_2.edf", "EDF+C", date(2009, 12, 10, 12, 44, 2),
			[]string{"squarewave", "ramp", "pulse", "ECG", "noise", "sine 1 Hz", "sine 8 Hz", "sine 8.5 Hz", "sine 15 Hz", "sine 17 Hz", "sine 50 Hz"},
			200, 600, time.Second,
			[]Annotation{{0, 0, "RECORD START"}}, Annotation{600 * time.Second, 0, "REC STOP"}, 2},
		{"edf/wfdb-python_test_edfann.edf", "EDF+C", date(2001, 1, 1, 23, 59, 30), nil, 0, 1, 0,
			[]Annotation{{0, 30 * time.Second, "Sleep stage W"}, {30 * time.Second, 30 * time.Second, "Sleep stage W"}, {33430 * time.Millisecond, 0, "Lights off@@EEG F4-A1"}},
			Annotation{25618740 * time.Millisecond, 0, "Lights on@@EEG Fpz-Cz"}, 856},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			rec, err := ReadFile(sharedData(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if rec.Format != tc.format || !rec.Start.Equal(tc.start) || rec.RecordDuration != tc.recDur || len(rec.RecordOnsets) != tc.nrec {
				t.Errorf("format %q start %v record %v × %d, want %q %v %v × %d",
					rec.Format, rec.Start, rec.RecordDuration, len(rec.RecordOnsets), tc.format, tc.start, tc.recDur, tc.nrec)
			}
			if len(rec.Signals) != len(tc.labels) {
				t.Fatalf("%d signals, want %d", len(rec.Signals), len(tc.labels))
			}
			for i, s := range rec.Signals {
				if s.Label != tc.labels[i] || s.SampleRate != tc.rate || len(s.Samples) != int(tc.rate*tc.recDur.Seconds())*tc.nrec {
					t.Errorf("signal %d: %q %v Hz %d samples, want %q %v Hz", i, s.Label, s.SampleRate, len(s.Samples), tc.labels[i], tc.rate)
				}
			}
			for k, on := range rec.RecordOnsets {
				if on != time.Duration(k)*tc.recDur {
					t.Fatalf("record %d onset %v in a continuous file", k, on)
				}
			}
			if len(rec.Annotations) != tc.nAnn {
				t.Errorf("%d annotations, want %d", len(rec.Annotations), tc.nAnn)
			}
			for i, want := range tc.annFirst {
				if i >= len(rec.Annotations) || rec.Annotations[i] != want {
					t.Errorf("annotation %d = %+v, want %+v", i, rec.Annotations[i:min(i+1, len(rec.Annotations))], want)
				}
			}
			if tc.nAnn > 0 && rec.Annotations[len(rec.Annotations)-1] != tc.annLast {
				t.Errorf("last annotation %+v, want %+v", rec.Annotations[len(rec.Annotations)-1], tc.annLast)
			}
			t.Logf("%s: patient %q recording %q, %d annotations", tc.file, rec.Patient, rec.RecordingID, len(rec.Annotations))
		})
	}
}

// The EDFbrowser test generator documents its signals: a ±100 µV square
// wave of period 10 s and a 100 µV sine at 1 Hz (whose phase we do not
// assume: it crosses zero upwards once a second).
func TestGeneratorWaveforms(t *testing.T) {
	rec, err := ReadFile(sharedData(t, "edf/pyedflib_test_generator.edf"))
	if err != nil {
		t.Fatal(err)
	}
	sq, sine := rec.Signals[0], rec.Signals[4]
	if sq.Unit != "uV" || sine.Label != "sine 1 Hz" {
		t.Fatalf("signals %q %q %q", sq.Label, sq.Unit, sine.Label)
	}
	for i, c := range sq.Samples {
		want := 100.0
		if (i/1000)%2 == 1 {
			want = -100
		}
		if v := sq.Physical(c); math.Abs(v-want) > 0.05 {
			t.Fatalf("square wave sample %d = %v µV, want %v", i, v, want)
		}
	}
	lo, hi, ups := math.Inf(1), math.Inf(-1), 0
	v := sine.PhysicalSamples()
	for i := range v {
		lo, hi = min(lo, v[i]), max(hi, v[i])
		if i > 0 && v[i-1] < 0 && v[i] >= 0 {
			ups++
		}
	}
	if math.Abs(lo+100) > 0.05 || math.Abs(hi-100) > 0.05 || ups < 599 || ups > 600 {
		t.Errorf("sine from %v to %v µV with %d upward zero crossings in 600 s", lo, hi, ups)
	}
}

// In a real 12-lead ECG the limb leads obey Einthoven's and Goldberger's
// relations: III = II − I and aVR = −(I + II)/2, to a count of rounding.
func TestContecLimbLeads(t *testing.T) {
	rec, err := ReadFile(sharedData(t, "edf/contec_0000050.ECG.edf"))
	if err != nil {
		t.Fatal(err)
	}
	I, II, III, aVR := rec.Signals[0].Samples, rec.Signals[1].Samples, rec.Signals[2].Samples, rec.Signals[3].Samples
	bad := 0
	for j := range I {
		if abs(III[j]-(II[j]-I[j])) > 1 || math.Abs(float64(aVR[j])+float64(I[j]+II[j])/2) > 1.5 {
			bad++
		}
	}
	if bad > len(I)/100 {
		t.Errorf("%d of %d samples break III = II − I or aVR = −(I+II)/2", bad, len(I))
	}
	s := rec.Signals[0]
	if g := s.Gain(); math.Abs(g-2000.0/65535) > 1e-12 || s.Unit != "mV" {
		t.Errorf("gain %v %s", g, s.Unit)
	}
	if got := s.Physical(s.DigMax); got != s.PhysMax {
		t.Errorf("Physical(DigMax) = %v, want %v", got, s.PhysMax)
	}
}

func abs(v int32) int32 { return max(v, -v) }

// BenchmarkRead12Lead reads the 12-lead Contec ECG (37855 records of 12
// samples, 0.9 MB), the shape of a resting ECG import.
func BenchmarkRead12Lead(b *testing.B) {
	p := sharedData(b, "edf/contec_0000050.ECG.edf")
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// wfdb-python's generator file writes the degree sign as the Latin-1
// byte 0xB0 in two units; it reads as "°" and writes back as that byte.
func TestLatin1Unit(t *testing.T) {
	rec, err := ReadFile(sharedData(t, "edf/wfdb-python_test_generator_2.edf"))
	if err != nil {
		t.Fatal(err)
	}
	if u := rec.Signals[8].Unit; u != "°" || rec.Signals[8].Label != "sine 15 Hz" {
		t.Fatalf("unit %q", u)
	}
	var buf bytes.Buffer
	if err := Write(&buf, *rec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes()[:256*13], []byte("\xb0       \xb0       uV")) {
		t.Error("the units were not written as Latin-1 bytes")
	}
	back, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || back.Signals[8].Unit != "°" || len(back.Annotations) != 2 || !equalCounts(back.Signals[3].Samples, rec.Signals[3].Samples) {
		t.Errorf("read back: %v", err)
	}
}
