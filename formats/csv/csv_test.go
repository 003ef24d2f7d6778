package csv

import (
	"bytes"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"telewave/formats/wfdb"
)

func roundTrip(t *testing.T, t0 time.Time, cols []Column) (time.Time, []Column, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, t0, cols); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	gotT0, got, err := Read(&buf)
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, head(text, 8))
	}
	return gotT0, got, text
}

func head(s string, lines int) string {
	parts := strings.SplitN(s, "\n", lines+1)
	return strings.Join(parts[:min(lines, len(parts))], "\n")
}

func ramp(n int, f func(i int) int32) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	t0 := time.Date(2024, 3, 9, 14, 5, 7, 250_000_000, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		cols []Column
	}{
		{"one lead, WFDB gain 200", []Column{{Label: "II", Unit: "mV", Rate: 360, Scale: 1.0 / 200, Baseline: 1024, Samples: ramp(2000, func(i int) int32 { return int32(i*37%2048) - 1024 })}}},
		{"awkward scale", []Column{{Label: "I", Unit: "mV", Rate: 500, Scale: 2000.0 / 65535, Baseline: -3, Samples: ramp(1000, func(i int) int32 { return int32(i*7919%65536) - 32768 })}}},
		{"large scale and negative", []Column{{Label: "P", Unit: "Pa", Rate: 25, Scale: -133.322, Samples: ramp(50, func(i int) int32 { return int32(i*i) - 300 })}}},
		{"rates 500, 250, 62.5", []Column{
			{Label: "ECG", Unit: "uV", Rate: 500, Scale: 1, Samples: ramp(1000, func(i int) int32 { return int32(i % 300) })},
			{Label: "Pleth", Unit: "%", Rate: 250, Scale: 0.1, Samples: ramp(500, func(i int) int32 { return int32(i % 1000) })},
			{Label: "Resp", Rate: 62.5, Scale: 0.01, Baseline: 5, Samples: ramp(125, func(i int) int32 { return int32(-i) })},
		}},
		{"rates 360 and 250, unequal lengths", []Column{
			{Label: "a, quoted \"label\"", Unit: "mV", Rate: 360, Scale: 0.005, Samples: ramp(720, func(i int) int32 { return int32(i) })},
			{Label: "x [y]", Rate: 250, Scale: 0.25, Samples: ramp(300, func(i int) int32 { return int32(3 * i) })},
		}},
		{"no samples", []Column{{Label: "II", Unit: "mV", Rate: 100, Scale: 0.001}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotT0, got, _ := roundTrip(t, t0, tc.cols)
			if !gotT0.Equal(t0) {
				t.Errorf("start %v, want %v", gotT0, t0)
			}
			if len(got) != len(tc.cols) {
				t.Fatalf("%d columns", len(got))
			}
			for i, want := range tc.cols {
				g := got[i]
				if g.Label != want.Label || g.Unit != want.Unit || g.Rate != want.Rate || g.Scale != want.Scale || g.Baseline != want.Baseline {
					t.Errorf("column %d = %q %q %v Hz scale %v baseline %d", i, g.Label, g.Unit, g.Rate, g.Scale, g.Baseline)
				}
				if len(g.Samples) != len(want.Samples) || (len(want.Samples) > 0 && !reflect.DeepEqual(g.Samples, want.Samples)) {
					t.Errorf("column %d: %d counts back of %d, or different", i, len(g.Samples), len(want.Samples))
				}
			}
		})
	}
}

// Every value in the file converts back to its count by the rule the
// package promises, and the time column gives the row back.
func TestValuesAndTimesAreExact(t *testing.T) {
	rec, err := wfdb.Read(os.DirFS("../../testdata"), "mitdb/100")
	if err != nil {
		t.Fatal(err)
	}
	var cols []Column
	for i, s := range rec.Signals {
		cols = append(cols, Column{Label: s.Description, Unit: s.Units, Rate: rec.Freq, Scale: 1 / s.Gain, Baseline: s.Baseline, Samples: rec.Samples[i][:36000]})
	}
	_, _, text := roundTrip(t, time.Time{}, cols)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if lines[3] != "time_s,MLII [mV],V5 [mV]" || strings.HasPrefix(text, "# start") {
		t.Fatalf("file starts\n%s", head(text, 5))
	}
	rows := lines[4:]
	if len(rows) != 36000 {
		t.Fatalf("%d rows", len(rows))
	}
	for r, line := range rows {
		cells := strings.Split(line, ",")
		tm, _ := parse(cells[0])
		if math.Round(tm*360) != float64(r) {
			t.Fatalf("row %d time %s", r, cells[0])
		}
		for i, cell := range cells[1:] {
			v, _ := parse(cell)
			if c := int32(math.Round(v/cols[i].Scale + float64(cols[i].Baseline))); c != cols[i].Samples[r] {
				t.Fatalf("row %d column %d: %s gives count %d, want %d", r, i, cell, c, cols[i].Samples[r])
			}
		}
	}
	t.Logf("record 100, 100 s: first rows\n%s", head(text, 7))
}

func parse(s string) (float64, error) { return number(s) }

func TestWriteLayout(t *testing.T) {
	cols := []Column{
		{Label: "fast", Rate: 4, Scale: 1, Samples: []int32{1, 2, 3, 4}},
		{Label: "slow", Unit: "u", Rate: 2, Scale: 0.5, Samples: []int32{10, 20}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, time.Time{}, cols); err != nil {
		t.Fatal(err)
	}
	want := "# rate_hz,4,2\n# scale,1,0.5\n# baseline,0,0\ntime_s,fast,slow [u]\n0.00,1,5.0\n0.25,2,\n0.50,3,10.0\n0.75,4,\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestImportForeignCSV(t *testing.T) {
	in := "Time,ECG [mV],SpO2\n0.000,0.125,97\n0.004,-0.5,\n0.008,0.0625,98\n0.012,1.25,\n"
	t0, cols, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !t0.IsZero() || len(cols) != 2 {
		t.Fatalf("start %v, %d columns", t0, len(cols))
	}
	ecg, spo2 := cols[0], cols[1]
	if ecg.Label != "ECG" || ecg.Unit != "mV" || ecg.Rate != 250 || ecg.Scale != 1e-4 || !reflect.DeepEqual(ecg.Samples, []int32{1250, -5000, 625, 12500}) {
		t.Errorf("ECG = %+v", ecg)
	}
	if spo2.Label != "SpO2" || spo2.Rate != 125 || spo2.Scale != 1 || !reflect.DeepEqual(spo2.Samples, []int32{97, 98}) {
		t.Errorf("SpO2 = %+v", spo2)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, in, msg string
	}{
		{"empty", "", "header row"},
		{"no time column", "ECG,SpO2\n1,2\n", "not a time"},
		{"ragged row", "time_s,a\n0,1\n0.1\n", "row 2"},
		{"bad value", "time_s,a\n0,1\n0.1,x\n", "row 2, column 1"},
		{"bad time", "time_s,a\n0,1\nnan,2\n", "row 2, time"},
		{"meta count", "# rate_hz,1,2\n# scale,1\n# baseline,0\ntime_s,a\n", "'# rate_hz' line"},
		{"zero scale", "# rate_hz,1\n# scale,0\n# baseline,0\ntime_s,a\n", "column 1 (a)"},
		{"bad start", "# start yesterday\ntime_s,a\n", "start line"},
		{"count overflow", "# rate_hz,1\n# scale,1e-9\n# baseline,0\ntime_s,a\n0,5\n", "beyond a 32-bit count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, cols, err := Read(strings.NewReader(tc.in))
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.msg) || cols != nil {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
		})
	}
	for _, c := range []Column{{Label: "r", Rate: 0, Scale: 1}, {Label: "s", Rate: 1, Scale: 0}} {
		if err := Write(&bytes.Buffer{}, time.Time{}, []Column{c}); !errors.Is(err, ErrFormat) {
			t.Errorf("Write(%+v) = %v", c, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add("# start 2024-03-09T14:05:07Z\n# rate_hz,4,2\n# scale,1,0.5\n# baseline,0,3\ntime_s,fast,slow [u]\n0.00,1,5.0\n0.25,2,\n")
	f.Add("Time,ECG [mV],SpO2\n0.000,0.125,97\n0.004,-0.5,\n")
	f.Add("time,\"a,b\"\n0,1e300\n")
	f.Fuzz(func(t *testing.T, s string) {
		t0, cols, err := Read(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		n := 0
		for _, c := range cols {
			n += len(c.Samples)
		}
		if n > len(s) {
			t.Fatalf("%d samples from %d bytes", n, len(s))
		}
		// What was read, written with a positive rate, reads back the same.
		for i := range cols {
			if !(cols[i].Rate > 0) || math.IsInf(cols[i].Rate, 0) {
				cols[i].Rate = 1
			}
		}
		_, back, _ := roundTrip(t, t0, cols)
		for i := range cols {
			if !reflect.DeepEqual(back[i].Samples, cols[i].Samples) && len(cols[i].Samples) > 0 {
				t.Fatalf("column %d counts changed on a second round trip", i)
			}
		}
	})
}

// BenchmarkWrite writes 30 s of a 12-lead ECG at 500 Hz.
func BenchmarkWrite(b *testing.B) {
	cols := make([]Column, 12)
	for i := range cols {
		cols[i] = Column{Label: "V", Unit: "mV", Rate: 500, Scale: 0.005, Samples: ramp(15000, func(j int) int32 { return int32((j*31 + i) % 4096) })}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(&bytes.Buffer{}, time.Time{}, cols); err != nil {
			b.Fatal(err)
		}
	}
}
