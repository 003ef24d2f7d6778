package gl

import (
	"image"
	"image/color"

	"telewave/ui/render"
)

// span is what one trace column draws: column X of the lane whose top row
// is Top, rows [Lo, End) relative to Top, in Color. appendRuns groups spans
// into the runs the trace shader draws.
type span struct {
	X, Top, Lo, End float32
	Color           color.RGBA
}

// appendSpans appends the spans of every lane of s drawn into a frame w
// columns wide. It applies the rules of render/cpu: gaps and NaN columns draw
// nothing and break the line, each column is stretched to the previous
// column's Last, and everything is clamped to the lane.
func appendSpans(dst []span, s *render.Scene, w int) []span {
	for i := range s.Lanes {
		dst = appendLane(dst, &s.Lanes[i], w)
	}
	return dst
}

func appendLane(dst []span, ln *render.Lane, w int) []span {
	if ln.Height <= 0 {
		return dst
	}
	maxY := float32(ln.Height - 1)
	top := float32(ln.Top)
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
		dst = append(dst, span{X: float32(x), Top: top,
			Lo: clamp(lo, maxY), End: clamp(hi, maxY) + 1, Color: ln.Color})
	}
	return dst
}

// eraseRects returns the column ranges [x0, x1) of the erase bar in a frame
// w columns wide: the second is empty unless the bar wraps at the right edge.
func eraseRects(w, x, width int) (a, b [2]int) {
	if width <= 0 || w <= 0 {
		return
	}
	width = min(width, w)
	x %= w
	if x < 0 {
		x += w
	}
	a = [2]int{x, min(x+width, w)}
	if wrapped := x + width - w; wrapped > 0 {
		b = [2]int{0, wrapped}
	}
	return a, b
}

// copyRows copies a read-back frame (w×h pixels, 4 bytes each, rows packed,
// scene row 0 first) into dst from its top-left corner.
func copyRows(dst *image.RGBA, src []byte, w, h int) {
	n := w * 4
	for y := 0; y < h; y++ {
		o := y * dst.Stride
		copy(dst.Pix[o:o+n], src[y*n:y*n+n])
	}
}

// frameSize is the part of the scene that lands in dst: both clipped.
func frameSize(dst *image.RGBA, s *render.Scene) (w, h int) {
	return min(s.Width, dst.Rect.Dx()), min(s.Height, dst.Rect.Dy())
}

// clamp limits v to [0, hi]; ±Inf land on the lane edges.
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
