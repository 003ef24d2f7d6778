package gl

import (
	"image/color"
	"testing"
	"unsafe"

	"telewave/ui/render"
)

func TestRunLayout(t *testing.T) {
	if n := unsafe.Sizeof(run{}); n != runStride {
		t.Errorf("run is %d bytes, the vertex layout says %d", n, runStride)
	}
	if o := unsafe.Offsetof(run{}.Lo); o != 16 {
		t.Errorf("run.Lo at %d, want 16", o)
	}
	if o := unsafe.Offsetof(run{}.Color); o != 24 {
		t.Errorf("run.Color at %d, want 24", o)
	}
}

// checkRuns verifies that every span is drawn by exactly one run whose box
// holds it, and that the column buffer gives the run back the span.
func checkRuns(t *testing.T, spans []span, runs []run, cols []float32) {
	t.Helper()
	if len(cols) != 2*len(spans) {
		t.Fatalf("%d column values for %d spans", len(cols), len(spans))
	}
	i := 0
	for _, r := range runs {
		for k := 0; k < int(r.N); k++ {
			s := spans[i]
			b := int(r.Base) + k
			if s.X != r.X0+float32(k) || s.Top != r.Top || s.Color != r.Color {
				t.Fatalf("span %d %+v not in run %+v", i, s, r)
			}
			if cols[2*b] != s.Lo || cols[2*b+1] != s.End {
				t.Fatalf("column buffer at %d = %v, %v; span %+v", b, cols[2*b], cols[2*b+1], s)
			}
			if s.Lo < r.Lo || s.End > r.End {
				t.Fatalf("span %+v outside run box %+v", s, r)
			}
			i++
		}
	}
	if i != len(spans) {
		t.Fatalf("runs cover %d of %d spans", i, len(spans))
	}
}

func TestAppendRuns(t *testing.T) {
	green := color.RGBA{G: 255, A: 255}
	flat := func(n int, y float32) []render.Column {
		c := make([]render.Column, n)
		for x := range c {
			c[x] = render.Column{Min: y, Max: y, Last: y, Valid: true}
		}
		return c
	}
	steep := flat(10, 5)
	steep[4] = render.Column{Min: 5, Max: 90, Last: 90, Valid: true}
	gap := flat(10, 5)
	gap[3] = render.Column{}
	for _, tc := range []struct {
		name  string
		lanes []render.Lane
		w     int
		runs  int
	}{
		{"flat line: one run per 64 columns", []render.Lane{{Height: 20, Color: green, Columns: flat(200, 3.5)}}, 200, 4},
		{"steep column splits", []render.Lane{{Height: 100, Color: green, Columns: steep}}, 10, 3},
		{"gap splits", []render.Lane{{Height: 20, Color: green, Columns: gap}}, 10, 2},
		{"lanes split", []render.Lane{{Height: 20, Color: green, Columns: flat(10, 1)},
			{Top: 20, Height: 20, Color: green, Columns: flat(10, 1)}}, 10, 2},
		{"benchmark scene", benchScene(t, 12, 1200, 900).Lanes, 1200, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spans := appendSpans(nil, &render.Scene{Lanes: tc.lanes}, tc.w)
			runs, cols := appendRuns(nil, nil, spans)
			checkRuns(t, spans, runs, cols)
			if tc.runs >= 0 && len(runs) != tc.runs {
				t.Errorf("%d runs %+v, want %d", len(runs), runs, tc.runs)
			}
			t.Logf("%d spans in %d runs", len(spans), len(runs))
		})
	}
}
