package render

import "iter"

// Span is the rows [Lo, End) that one trace column covers, relative to its
// lane's top row; fractional ends are partly covered rows.
type Span struct {
	Lo, End float32
}

// Spans yields the column index and span of every column of ln that draws
// in a frame w columns wide, by the rules every rasterizer follows: a gap
// (not Valid) or a NaN column draws nothing and breaks the line; each
// column's envelope is stretched to the previous column's Last, so that a
// steep QRS stays one continuous stroke; everything is clamped to the lane
// (±Inf land on its edges), so wild values cannot draw over a neighbouring
// trace. A flat line at integer row y covers [y, y+1): exactly row y.
func (ln *Lane) Spans(w int) iter.Seq2[int, Span] {
	return func(yield func(int, Span) bool) {
		if ln.Height <= 0 {
			return
		}
		maxY := float32(ln.Height - 1)
		n := min(w, len(ln.Columns))
		prevOK := false
		var prevLast float32
		for x := 0; x < n; x++ {
			c := &ln.Columns[x]
			if !c.Valid || isNaN(c.Min) || isNaN(c.Max) || isNaN(c.Last) {
				prevOK = false
				continue
			}
			lo, hi := c.Min, c.Max
			if lo > hi {
				lo, hi = hi, lo
			}
			if prevOK {
				lo, hi = min(lo, prevLast), max(hi, prevLast)
			}
			prevLast, prevOK = clamp(c.Last, maxY), true
			if !yield(x, Span{Lo: clamp(lo, maxY), End: clamp(hi, maxY) + 1}) {
				return
			}
		}
	}
}

// clamp limits v to [0, hi]; ±Inf land on the edges.
func clamp(v, hi float32) float32 {
	if v < 0 {
		return 0
	}
	if v > hi {
		return hi
	}
	return v
}

func isNaN(v float32) bool { return v != v }
