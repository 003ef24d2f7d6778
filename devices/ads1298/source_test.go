package ads1298

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"telewave/devices/sim"
	"telewave/formats/wfdb"
)

// sharedData returns ../shared/data beside the repository root, or skips
// the test loudly when it is not there.
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
			tb.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
	root := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
		tb.Skipf("SKIPPED: %s not found (%v); this test reads real data from ../shared/data", filepath.Join(root, rel), err)
	}
	return root
}

// fixed is a finite source of given frames.
type fixed struct {
	rate   float64
	frames [][]float64
}

func (f *fixed) Rate() float64 { return f.rate }
func (f *fixed) Channels() int { return len(f.frames[0]) }
func (f *fixed) Next(frame []float64) error {
	if len(f.frames) == 0 {
		return errors.New("end")
	}
	copy(frame, f.frames[0])
	f.frames = f.frames[1:]
	return nil
}

func TestSelectLeads(t *testing.T) {
	row := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	tests := []struct {
		name    string
		labels  []string
		want    []float64 // I, II, V1..V6
		wantErr bool
	}{
		{"LUDB order, lower case", []string{"i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"},
			[]float64{0, 1, 6, 7, 8, 9, 10, 11}, false},
		{"shuffled with ECG prefix", []string{"ECG V6", "ECG V5", "ECG V4", "ECG V3", "ECG V2", "ECG V1", "ECG II", "ECG I", "x", "y", "z", "w"},
			[]float64{7, 6, 5, 4, 3, 2, 1, 0}, false},
		{"V4 missing", []string{"I", "II", "V1", "V2", "V3", "aVF", "V5", "V6", "a", "b", "c", "d"}, nil, true},
		{"label count", []string{"I", "II"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := SelectLeads(&fixed{rate: 500, frames: [][]float64{row}}, tt.labels)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := make([]float64, src.Channels())
			if err := src.Next(got); err != nil {
				t.Fatal(err)
			}
			if !equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLUDBSource(t *testing.T) {
	root := sharedData(t, "physionet-other/ludb/ludb-ecg.hea")
	fsys := os.DirFS(root)
	src, err := LUDBSource(fsys, "physionet-other/ludb/ludb-ecg")
	if err != nil {
		t.Fatal(err)
	}
	if src.Rate() != SampleRate || src.Channels() != Channels {
		t.Fatalf("%g Hz × %d", src.Rate(), src.Channels())
	}
	rec, err := wfdb.Read(fsys, "physionet-other/ludb/ludb-ecg")
	if err != nil {
		t.Fatal(err)
	}
	n := len(rec.Samples[0])
	// Two passes: the loop starts the record over, sample for sample.
	col := map[string]int{"i": 0, "ii": 1, "v1": 6, "v6": 11}
	frame := make([]float64, Channels)
	for k := range 2 * n {
		if err := src.Next(frame); err != nil {
			t.Fatalf("frame %d: %v", k, err)
		}
		for c, label := range map[int]string{0: "i", 1: "ii", 2: "v1", 7: "v6"} {
			s := rec.Signals[col[label]]
			if want := s.Physical(rec.Samples[col[label]][k%n]); frame[c] != want {
				t.Fatalf("frame %d channel %d: %g mV, record %s says %g", k, c, frame[c], label, want)
			}
		}
	}
}

// A PTB record keeps its Frank leads in a second file, which wfdb.Read
// refuses; LUDBSource reads the twelve standard leads and resamples.
func TestLUDBSourcePTB(t *testing.T) {
	root := sharedData(t, "ecg12/wfdb-ptbdb/s0010_re.hea")
	fsys := os.DirFS(root)
	if _, err := wfdb.Read(fsys, "ecg12/wfdb-ptbdb/s0010_re"); err == nil {
		t.Log("wfdb.Read now reads multi-file records; the workaround in readFirstFile can go")
	}
	src, err := LUDBSource(fsys, "ecg12/wfdb-ptbdb/s0010_re")
	if err != nil {
		t.Fatal(err)
	}
	if src.Rate() != SampleRate || src.Channels() != Channels {
		t.Fatalf("%g Hz × %d", src.Rate(), src.Channels())
	}
	frame := make([]float64, Channels)
	peak := 0.0
	for range 5 * SampleRate {
		if err := src.Next(frame); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, math.Abs(frame[1]))
	}
	if peak < 0.2 || peak > 10 {
		t.Errorf("lead II peaks at %g mV over 5 s: not an ECG in mV", peak)
	}
}

func TestSyntheticLeads(t *testing.T) {
	src := SyntheticLeads(60, 1)
	var _ sim.Source = src
	frame := make([]float64, Channels)
	var peaks [Channels]float64
	for range 2 * SampleRate {
		if err := src.Next(frame); err != nil {
			t.Fatal(err)
		}
		for c, v := range frame {
			peaks[c] = max(peaks[c], math.Abs(v))
		}
	}
	if peaks[1] < 0.5 || peaks[2] == 0 || peaks[0] >= peaks[1] {
		t.Errorf("peaks %v", peaks)
	}
}
