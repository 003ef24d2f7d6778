package gl

import "image/color"

// run is a stretch of consecutive trace columns of one lane that the trace
// shader draws as one quad: columns [X0, X0+N), rows [Lo, End) of the lane
// whose top row is Top (the bounding box of the columns' spans, in whole
// rows). Each column's own span is in the column buffer from index Base.
// Software GL pays per primitive more than per pixel, so a flat baseline
// of 64 columns costs one quad instead of 64. Its layout is the vertex
// layout; keep the two in step (runStride, the attribute offsets).
type run struct {
	X0, N, Top, Base float32
	Lo, End          float32
	Color            color.RGBA
}

// runStride is the size of one run in the instance buffer.
const runStride = 28

const (
	maxRun   = 64 // columns in one run
	maxWaste = 2  // a run's box may hold at most this many times its spans' rows
)

// appendRuns groups spans (in the order appendSpans makes them) into runs,
// appending each span's Lo and End to cols: a run ends at a gap, a change of
// lane, maxRun columns, or where its box would grow past maxWaste times the
// rows its spans touch (a steep stretch then becomes several narrow runs).
func appendRuns(runs []run, cols []float32, spans []span) ([]run, []float32) {
	var cur run
	var touched float32 // rows the current run's spans touch, summed
	for i := range spans {
		s := &spans[i]
		lo, end := floor32(s.Lo), ceil32(s.End)
		if cur.N > 0 {
			blo, bend := min(cur.Lo, lo), max(cur.End, end)
			same := s.X == cur.X0+cur.N && s.Top == cur.Top && s.Color == cur.Color
			if same && cur.N < maxRun && (bend-blo)*(cur.N+1) <= maxWaste*(touched+end-lo) {
				cur.N++
				cur.Lo, cur.End = blo, bend
				touched += end - lo
				cols = append(cols, s.Lo, s.End)
				continue
			}
			runs = append(runs, cur)
		}
		cur = run{X0: s.X, N: 1, Top: s.Top, Base: float32(len(cols) / 2), Lo: lo, End: end, Color: s.Color}
		touched = end - lo
		cols = append(cols, s.Lo, s.End)
	}
	if cur.N > 0 {
		runs = append(runs, cur)
	}
	return runs, cols
}

func floor32(v float32) float32 { return float32(int(v)) } // v >= 0

func ceil32(v float32) float32 { // v >= 0
	if f := float32(int(v)); f < v {
		return f + 1
	}
	return v
}
