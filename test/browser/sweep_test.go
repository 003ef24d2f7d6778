package browser

import (
	"fmt"
	"slices"
	"testing"
)

// sweepRun is one case of the page's Sweep: chunks added in order, then
// the columns that hold trace.
type sweepRun struct {
	Width  int          `json:"width"`
	PPS    float64      `json:"pps"` // columns per sample
	Chunks []sweepChunk `json:"chunks"`
}

type sweepChunk struct {
	T0   float64   `json:"t0"` // ms
	V    []float64 `json:"v"`
	Rate float64   `json:"rate"`
	Gap  bool      `json:"gap"`
}

type sweepResult struct {
	Valid []int     `json:"valid"` // columns with trace, in order
	Head  int       `json:"head"`
	Lo    []float64 `json:"lo"`
	Hi    []float64 `json:"hi"`
}

func ramp(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return v
}

func span(from, to int) []int { // [from, to)
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// TestSweep checks the page's sweep as the workstation's: samples land in
// columns at the paper speed, wrap at the width, sparse samples are
// joined column to column, and a gap (flagged, or a jump in time) leaves
// its columns empty so the trace shows a break.
func TestSweep(t *testing.T) {
	ctx := moduleTab(t)
	cases := []struct {
		name      string
		run       sweepRun
		wantValid []int
		wantHead  int
	}{
		{"contiguous", sweepRun{200, 0.2, []sweepChunk{{0, ramp(100), 500, false}}}, span(0, 20), 19},
		{"two chunks join", sweepRun{200, 0.2, []sweepChunk{{0, ramp(50), 500, false}, {100, ramp(50), 500, false}}}, span(0, 20), 19},
		{"flagged gap breaks", sweepRun{200, 0.2, []sweepChunk{{0, ramp(50), 500, false}, {300, ramp(50), 500, true}}},
			append(span(0, 10), span(30, 40)...), 39},
		{"time jump breaks", sweepRun{200, 0.2, []sweepChunk{{0, ramp(50), 500, false}, {300, ramp(50), 500, false}}},
			append(span(0, 10), span(30, 40)...), 39},
		{"wraps", sweepRun{50, 0.2, []sweepChunk{{0, ramp(300), 500, false}}}, span(0, 50), 9},
		{"gap wider than the sweep", sweepRun{50, 0.2, []sweepChunk{{0, ramp(100), 500, false}, {10000, ramp(10), 500, true}}}, span(0, 2), 1},
		{"sparse samples joined", sweepRun{100, 3, []sweepChunk{{0, []float64{0, 3, 6}, 100, false}}}, span(0, 7), 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := eval[sweepResult](t, ctx, fmt.Sprintf(`import('/m/sweep.js').then(({Sweep}) => {
				const r = %s;
				const s = new Sweep(r.width, r.pps);
				for (const c of r.chunks) s.add(c.t0, Float32Array.from(c.v), c.rate, c.gap);
				const valid = [];
				s.valid.forEach((v, i) => { if (v) valid.push(i); });
				return {valid, head: s.head, lo: Array.from(s.lo.slice(0, 8)), hi: Array.from(s.hi.slice(0, 8))};
			})`, jsArg(t, c.run)))
			if !slices.Equal(got.Valid, c.wantValid) || got.Head != c.wantHead {
				t.Errorf("columns with trace %v, head %d; want %v, head %d", got.Valid, got.Head, c.wantValid, c.wantHead)
			}
			if c.name == "sparse samples joined" {
				// 0 → 3 → 6 over three columns each: every column spans one step.
				if !slices.Equal(got.Lo[:7], []float64{0, 0, 1, 2, 3, 4, 5}) || !slices.Equal(got.Hi[:7], []float64{0, 1, 2, 3, 4, 5, 6}) {
					t.Errorf("envelopes lo %v hi %v, want a joined stroke 0…6", got.Lo[:7], got.Hi[:7])
				}
			}
		})
	}
}
