package pdf

import (
	"bytes"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"telewave/formats/ecg12"
)

func TestRefuses(t *testing.T) {
	withLead := func(l ecg12.Lead) *ecg12.Record {
		return &ecg12.Record{SampleRate: 500, Leads: []ecg12.Lead{l}}
	}
	ok := ecg12.Lead{Label: "I", Samples: []int32{1, 2, 3}, Scale: 5}
	tests := []struct {
		name string
		rec  *ecg12.Record
		opt  Options
		want string
	}{
		{"nil record", nil, Options{}, "no record"},
		{"no leads", &ecg12.Record{SampleRate: 500}, Options{}, "no leads"},
		{"zero rate", &ecg12.Record{Leads: []ecg12.Lead{ok}}, Options{}, "sampling rate 0"},
		{"negative rate", &ecg12.Record{SampleRate: -500, Leads: []ecg12.Lead{ok}}, Options{}, "sampling rate -500"},
		{"NaN rate", &ecg12.Record{SampleRate: math.NaN(), Leads: []ecg12.Lead{ok}}, Options{}, "sampling rate NaN"},
		{"infinite rate", &ecg12.Record{SampleRate: math.Inf(1), Leads: []ecg12.Lead{ok}}, Options{}, "sampling rate +Inf"},
		{"NaN samples (NaN scale)", withLead(ecg12.Lead{Label: "V2", Samples: []int32{1}, Scale: math.NaN()}), Options{}, "lead 0 (V2): scale NaN"},
		{"zero scale", withLead(ecg12.Lead{Label: "V2", Samples: []int32{1}}), Options{}, "lead 0 (V2): scale 0"},
		{"empty lead", withLead(ecg12.Lead{Label: "II", Scale: 5}), Options{}, "lead 0 (II) has no samples"},
		{"speed", withLead(ok), Options{Speed: 30}, "speed 30 mm/s"},
		{"gain", withLead(ok), Options{Gain: 7}, "gain 7 mm/mV"},
		{"layout", withLead(ok), Options{Layout: "4x3"}, `layout "4x3"`},
		{"paper", withLead(ok), Options{Paper: 7}, "paper Paper(7)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := WriteECG12(&b, tc.rec, tc.opt)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want ErrInvalid saying %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Fatalf("wrote %d bytes for a refused report", b.Len())
			}
		})
	}
}

// content writes a report and returns its inflated page content.
func content(tb testing.TB, r *ecg12.Record, opt Options) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteECG12(&b, r, opt); err != nil {
		tb.Fatal(err)
	}
	objs, _ := pdfObjects(tb, b.Bytes())
	for _, o := range objs {
		if bytes.HasPrefix(o, []byte("<< /Length")) {
			return streamData(tb, o)
		}
	}
	tb.Fatal("no content stream")
	return nil
}

var pathOp = regexp.MustCompile(`(?m)^(-?[\d.]+) (-?[\d.]+) [ml]$`)

// tracePoints are the path coordinates (mm) of the traces: what is drawn
// inside the clip to the grid.
func tracePoints(tb testing.TB, c []byte) [][2]float64 {
	tb.Helper()
	_, after, ok := bytes.Cut(c, []byte(" re\nW n\n"))
	if !ok {
		tb.Fatal("no clip to the grid in the content")
	}
	traces, _, _ := bytes.Cut(after, []byte("Q\n"))
	var out [][2]float64
	for _, m := range pathOp.FindAllSubmatch(traces, -1) {
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		y, _ := strconv.ParseFloat(string(m[2]), 64)
		out = append(out, [2]float64{x, y})
	}
	return out
}

func TestLeadsNotRecorded(t *testing.T) {
	rec := squareWave(10)
	rec.Leads = rec.Leads[:2] // I and II only
	tests := []struct {
		layout      string
		rhythm      string
		present     []string
		notRecorded []string
	}{
		{Layout3x4, "", []string{"(I)", "(II)"}, []string{"(III not recorded)", "(aVR not recorded)", "(V6 not recorded)"}},
		{Layout3x4Rhythm, "V5", []string{"(I)", "(II)"}, []string{"(V5 not recorded)", "(aVF not recorded)"}},
		{Layout12x1, "", []string{"(I)", "(II)"}, []string{"(V1 not recorded)"}},
	}
	for _, tc := range tests {
		t.Run(tc.layout, func(t *testing.T) {
			c := content(t, rec, Options{Layout: tc.layout, RhythmLead: tc.rhythm})
			for _, s := range tc.present {
				if !bytes.Contains(c, []byte(s)) {
					t.Errorf("no label %s", s)
				}
			}
			for _, s := range tc.notRecorded {
				if !bytes.Contains(c, []byte(s)) {
					t.Errorf("no %s", s)
				}
			}
		})
	}
}

// A record with none of the twelve leads still prints its own.
func TestOwnLeads(t *testing.T) {
	rec := squareWave(4)
	rec.Leads = rec.Leads[:1]
	rec.Leads[0].Label = "ECG chest"
	c := content(t, rec, Options{})
	if n := bytes.Count(c, []byte("(ECG chest)")); n != 2 || bytes.Contains(c, []byte("not recorded")) {
		t.Errorf("%d labels (want the first cell and the rhythm strip): %s", n, regexp.MustCompile(`\([^)]*\) Tj`).FindAll(c, -1))
	}
}

// A long record shows its first 10 s (5 s at 50 mm/s), 2.5 s per 3x4
// column, and no trace leaves the grid.
func TestWindow(t *testing.T) {
	rec := squareWave(30)
	for _, speed := range []float64{25, 50} {
		o, err := resolve(rec, Options{Speed: speed, Layout: Layout3x4Rhythm})
		if err != nil {
			t.Fatal(err)
		}
		spec := layouts[o.Layout]
		g := newGeometry(o.Paper, o.Speed, o.Gain, spec)
		cs := cells(rec, spec, g, "II")
		if len(cs) != 13 {
			t.Fatalf("%d cells", len(cs))
		}
		secs := stripWidthMM / speed
		for i, c := range cs[:12] {
			col := float64(i / 3)
			if c.label != ecg12.StandardOrder[i] || c.t0 != col*secs/4 || c.t1 != (col+1)*secs/4 || c.row != i%3 {
				t.Errorf("%g mm/s: cell %d is %+v", speed, i, c)
			}
		}
		if r := cs[12]; r.label != "II" || r.t0 != 0 || r.t1 != secs || r.row != 3 {
			t.Errorf("rhythm cell %+v", r)
		}
		maxX := 0.0
		for _, p := range tracePoints(t, content(t, rec, Options{Speed: speed})) {
			maxX = max(maxX, p[0])
		}
		if maxX > g.gridX+g.gridW || maxX < g.gridX+g.gridW-1 {
			t.Errorf("%g mm/s: traces reach x = %.2f mm, grid ends at %.2f", speed, maxX, g.gridX+g.gridW)
		}
	}
}

// A 10 kHz record is drawn as a min/max envelope: the output stays small
// and a one-sample 2 mV spike still reaches 20 mm.
func TestDenseRecordKeepsPeaks(t *testing.T) {
	const rate = 10000
	s := make([]int32, 10*rate)
	s[12345] = 2000 // µV at scale 1
	rec := &ecg12.Record{SampleRate: rate, Leads: []ecg12.Lead{{Label: "II", Samples: s, Scale: 1}}}
	c := content(t, rec, Options{Layout: Layout12x1})
	g := newGeometry(A4, 25, 10, layouts[Layout12x1])
	top := math.Inf(-1)
	for _, p := range tracePoints(t, c) {
		{
			top = max(top, p[1]-g.baseline(1))
		}
	}
	if math.Abs(top-20) > 0.01 {
		t.Errorf("spike drawn %.3f mm above the baseline, want 20", top)
	}
	if len(c) > 400<<10 {
		t.Errorf("%d bytes of content for one 10 kHz lead", len(c))
	}
}

func TestHeader(t *testing.T) {
	rec := squareWave(10)
	rec.Measurements = []ecg12.Measurement{{Name: "VentricularRate", Value: 72, Unit: "/min"}, {Name: "QRSAxis", Value: -30, Unit: "deg"}, {Name: "PRInterval", Value: math.NaN(), Unit: "ms"}}
	rec.Statements = []string{"Sinus rhythm", "Left axis deviation", "Borderline ECG", "Unconfirmed"}
	rec.Device = ecg12.Device{Manufacturer: "GE", Model: "MAC 5500", Serial: "SN1"}
	tests := []struct {
		name string
		opt  Options
		want []string
	}{
		{"from the record", Options{Filters: "0.05–150 Hz"}, []string{`(M\334LLER, Zo\353)`, "(MRN-1)", "(1950-06-01  \\(74 y\\))", "(female)",
			"(GE MAC 5500)", "(2025-03-01 09:30:00 +00:00)", "(Vent. rate)", "(72 bpm)", `(-30\260)`, `(\227)`, "(Sinus rhythm)",
			"(Borderline ECG; Unconfirmed)", `Filters: 0.05\226150 Hz`, "(Measurements \\(cart\\))", "25 mm/s    10 mm/mV"}},
		{"overridden", Options{Patient: &ecg12.Patient{ID: "X9", FamilyName: "Doe"}, Measurements: []ecg12.Measurement{{Name: "QTc", Value: 412.5, Unit: "ms"}},
			MeasuredBy: "Telewave", Statements: []string{}, Gain: 20, Speed: 50},
			[]string{"(DOE)", "(X9)", "(412.5 ms)", "(Measurements \\(Telewave\\))", "(none)", "50 mm/s    20 mm/mV", "check 20 mm/mV pulse is 20 mm tall"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := content(t, rec, tc.opt)
			for _, s := range tc.want {
				if !bytes.Contains(c, []byte(s)) {
					t.Errorf("header lacks %q", s)
				}
			}
		})
	}
}

func TestWinAnsi(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "(abc)"},
		{"a(b)c\\", `(a\(b\)c\\)`},
		{"Zoë", `(Zo\353)`},
		{"5 µV ± 2 °", `(5 \265V \261 2 \260)`},
		{"€ – —", `(\200 \226 \227)`},
		{"Жук", "(???)"},
		{"a\nb\tc", "(a b c)"},
	}
	for _, tc := range tests {
		if got := string(literal(winAnsi(tc.in))); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := textString("Zoë"); got != "<FEFF005A006F00EB>" {
		t.Errorf("textString: %s", got)
	}
}

func BenchmarkWriteECG12(b *testing.B) {
	rec := sierraDemo(b)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		var cw countWriter
		if err := WriteECG12(&cw, rec, Options{}); err != nil {
			b.Fatal(err)
		}
		n = int(cw)
	}
	b.ReportMetric(float64(n), "bytes/report")
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
