package scpecg

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"telewave/formats/ecg12"
	"telewave/formats/edf"
)

// sharedData finds ../shared/data beside the repository root, or skips
// loudly: those files (GPL or of unclear licence) may not be copied into
// the repository.
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

// sharedPath is the shared file's path, or "" when it is absent (for
// tests that use it only as extra input and say so).
func sharedPath(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
		dir = filepath.Dir(dir)
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(sharedData(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var sharedFiles = []string{
	"ecg12/scp-ecg/ecgtoolkit_Example.scp",
	"ecg12/scp-ecg/contec_0000050.ECG.scp",
}

func TestSharedFiles(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		file       string
		rate       float64
		n          int
		scale      float64
		patient    ecg12.Patient
		device     ecg12.Device
		acquired   time.Time
		sections   []int
		medianN    int
		meas       []ecg12.Measurement
		warnings   int
		stored     int // leads in section 3
		statements []string
	}{
		{"ecg12/scp-ecg/ecgtoolkit_Example.scp", 500, 5000, 2.5,
			ecg12.Patient{ID: "SBJ-123", FamilyName: "Clark", BirthDate: time.Date(1953, 5, 8, 0, 0, 0, 0, time.UTC), Sex: "M"},
			ecg12.Device{Manufacturer: "ECGConversion", Model: "ELI250", Serial: "unknown", Software: "unknown"},
			time.Date(2002, 11, 22, 9, 10, 0, 0, time.UTC), []int{0, 1, 2, 3, 4, 5, 6, 7}, 599,
			[]ecg12.Measurement{meas("VentricularRate", nan, "/min"), meas("AtrialRate", nan, "/min"), meas("RRInterval", nan, "ms"), meas("PPInterval", nan, "ms"),
				meas("PDuration", 102, "ms"), meas("PRInterval", 148, "ms"), meas("QRSDuration", 120, "ms"), meas("QTInterval", 420, "ms"),
				meas("QTc", 443, "ms"), meas("PAxis", 44, "deg"), meas("QRSAxis", -61, "deg"), meas("TAxis", 86, "deg")},
			0, 12, nil},
		// The Contec converter caps each lead at 65534 bytes (32767 int16
		// samples) while section 3 declares all 37855.
		{"ecg12/scp-ecg/contec_0000050.ECG.scp", 800, 32767, 5,
			ecg12.Patient{Sex: "U"}, ecg12.Device{Model: "ECG90"},
			time.Date(2020, 11, 16, 21, 44, 39, 0, time.UTC), []int{0, 1, 3, 6}, 0, nil, 12, 12, nil},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			data := readShared(t, tc.file)
			if !Sniff(data[:64]) {
				t.Error("Sniff = false")
			}
			f, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			r := f.Record
			if r.Format != "SCP-ECG 2.0" || r.SampleRate != tc.rate || len(r.Leads) != 12 {
				t.Fatalf("%s at %v Hz with %d leads", r.Format, r.SampleRate, len(r.Leads))
			}
			for i, l := range r.Leads {
				if l.Label != ecg12.StandardOrder[i] || len(l.Samples) != tc.n || l.Scale != tc.scale || l.Derived {
					t.Errorf("lead %d: %s %d samples × %v µV derived %v", i, l.Label, len(l.Samples), l.Scale, l.Derived)
				}
			}
			if r.Patient != tc.patient || r.Device != tc.device || !r.Acquired.Equal(tc.acquired) {
				t.Errorf("patient %+v device %+v acquired %v", r.Patient, r.Device, r.Acquired)
			}
			var ids []int
			for _, s := range f.Sections {
				ids = append(ids, s.ID)
			}
			if !slices.Equal(ids, tc.sections) {
				t.Errorf("sections %v, want %v", ids, tc.sections)
			}
			if len(r.Median) > 0 && (len(r.Median) != 12 || len(r.Median[0].Samples) != tc.medianN || r.MedianRate != tc.rate) ||
				len(r.Median) == 0 && tc.medianN > 0 {
				t.Errorf("%d median leads at %v Hz", len(r.Median), r.MedianRate)
			}
			if !sameMeasurements(r.Measurements, tc.meas) {
				t.Errorf("measurements %v, want %v", r.Measurements, tc.meas)
			}
			if len(f.Warnings) != tc.warnings || !slices.Equal(r.Statements, tc.statements) {
				t.Errorf("warnings %q statements %q", f.Warnings, r.Statements)
			}
			t.Logf("%s: %d beats in section 4, %d statements, measurements %v, warnings %d", tc.file, len(f.Beats), len(r.Statements), r.Measurements, len(f.Warnings))
		})
	}
}

func meas(name string, v float64, unit string) ecg12.Measurement {
	return ecg12.Measurement{Name: name, Value: v, Unit: unit}
}

func sameMeasurements(a, b []ecg12.Measurement) bool {
	return slices.EqualFunc(a, b, func(x, y ecg12.Measurement) bool {
		return x.Name == y.Name && x.Unit == y.Unit && (x.Value == y.Value || math.IsNaN(x.Value) && math.IsNaN(y.Value))
	})
}

// Both files store all twelve leads; the limb leads must obey Einthoven's
// and Goldberger's relations to within the cart's rounding, which only
// holds if every lead was decoded sample for sample (a Huffman or
// second-difference slip would break it from there on).
func TestSharedLimbLeads(t *testing.T) {
	for _, file := range sharedFiles {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r, err := Decode(readShared(t, file))
			if err != nil {
				t.Fatal(err)
			}
			for _, set := range [][]ecg12.Lead{r.Leads, r.Median} {
				if len(set) == 0 {
					continue
				}
				m := ecg12.Record{Leads: set}
				I, _ := m.Lead("I")
				II, _ := m.Lead("II")
				III, _ := m.Lead("III")
				aVR, _ := m.Lead("aVR")
				aVF, _ := m.Lead("aVF")
				bad := 0
				for k := range I.Samples {
					a, b := float64(I.Samples[k]), float64(II.Samples[k])
					if math.Abs(float64(III.Samples[k])-(b-a)) > 1 || math.Abs(float64(aVR.Samples[k])+(a+b)/2) > 1.5 ||
						math.Abs(float64(aVF.Samples[k])-(b-a/2)) > 1.5 {
						bad++
					}
				}
				lo, hi := slices.Min(II.Samples), slices.Max(II.Samples)
				if bad > 0 || float64(hi-lo)*II.Scale < 300 || float64(hi-lo)*II.Scale > 5000 {
					t.Errorf("%d of %d samples break the limb-lead relations; lead II spans %v µV", bad, len(I.Samples), float64(hi-lo)*II.Scale)
				}
			}
		})
	}
}

// The Contec recording exists as EDF too (same converter). The counts are
// identical sample for sample with no offset (alignment searched over
// ±400 samples: only 0 matches), for the 32767 samples the SCP file holds
// of the EDF's 37855, and both start at the same second. The physical
// scales are NOT the same: the EDF header declares ±1000 mV over ±32767
// counts (30.518 µV per count), the SCP file an AVM of 5000 nV, which is
// the ECG90A's resolution (the converter's own constant, and lead II then
// spans 1.4 mV, where the EDF scale would make it 8.4 mV). After scaling
// each file by its own header the µV differ by that factor (6.1), so the
// test pins both scales and asserts the counts equal, which is the
// one-quantisation-step agreement under the SCP scale.
func TestContecAgainstEDF(t *testing.T) {
	r, err := Decode(readShared(t, "ecg12/scp-ecg/contec_0000050.ECG.scp"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := edf.ReadFile(sharedData(t, "edf/contec_0000050.ECG.edf"))
	if err != nil {
		t.Fatal(err)
	}
	if !e.Start.Equal(r.Acquired) {
		t.Errorf("EDF starts %v, SCP %v", e.Start, r.Acquired)
	}
	if len(e.Signals) != len(r.Leads) || e.Signals[0].SampleRate != r.SampleRate {
		t.Fatalf("%d EDF signals at %v Hz", len(e.Signals), e.Signals[0].SampleRate)
	}
	best, bestHits := 0, -1
	for off := -400; off <= 400; off++ {
		hits := 0
		for k := 1000; k < 3000; k++ {
			if r.Leads[1].Samples[k] == e.Signals[1].Samples[k+off] {
				hits++
			}
		}
		if hits > bestHits {
			best, bestHits = off, hits
		}
	}
	if best != 0 || bestHits != 2000 {
		t.Fatalf("best alignment %d samples with %d of 2000 equal", best, bestHits)
	}
	for i, l := range r.Leads {
		s := e.Signals[i]
		if ecg12.NormalizeLabel(s.Label) != l.Label {
			t.Fatalf("EDF signal %d is %q, SCP lead %s", i, s.Label, l.Label)
		}
		if g := s.Gain() * 1000; math.Abs(g/l.Scale-2000.0/65535*1000/5) > 1e-9 {
			t.Errorf("lead %s: EDF %v µV/count, SCP %v: ratio %v", l.Label, g, l.Scale, g/l.Scale)
		}
		for k, c := range l.Samples {
			if c != s.Samples[k] {
				t.Fatalf("lead %s sample %d: SCP %d counts, EDF %d", l.Label, k, c, s.Samples[k])
			}
		}
	}
}

// BenchmarkDecode decodes the ECG Toolkit example: 12 leads × 10 s at
// 500 Hz, default Huffman, second differences, plus the median beat.
func BenchmarkDecode(b *testing.B) {
	data := readShared(b, "ecg12/scp-ecg/ecgtoolkit_Example.scp")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// The ECG Viewer demo file (licence unclear: read from ../shared/data only,
// never copied) is, by the data manifest, 8 leads (I, II, V1–V6) at
// 1000 Hz, 10000 samples each, stored raw without section 2.
func TestEcgViewerDemo(t *testing.T) {
	f, err := Parse(readShared(t, "ecg12/scp-ecg/ecgviewer_demo.scp"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Record
	stored, derived := 0, 0
	for _, l := range r.Leads {
		if l.Derived {
			derived++
		} else {
			stored++
		}
		if len(l.Samples) != 10000 {
			t.Errorf("lead %s: %d samples", l.Label, len(l.Samples))
		}
	}
	if r.SampleRate != 1000 || stored != 8 || derived != 4 || slices.ContainsFunc(f.Sections, func(s SectionInfo) bool { return s.ID == 2 }) {
		t.Errorf("%v Hz, %d stored and %d derived leads, sections %+v", r.SampleRate, stored, derived, f.Sections)
	}
	t.Logf("%s: patient %+v device %+v acquired %v measurements %v statements %q warnings %q",
		r.Format, r.Patient, r.Device, r.Acquired, r.Measurements, r.Statements, f.Warnings)
}
