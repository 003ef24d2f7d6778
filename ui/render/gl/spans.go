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
// columns wide, by render.Lane.Spans: the rules render/cpu draws by.
func appendSpans(dst []span, s *render.Scene, w int) []span {
	for i := range s.Lanes {
		ln := &s.Lanes[i]
		top := float32(ln.Top)
		for x, sp := range ln.Spans(w) {
			dst = append(dst, span{X: float32(x), Top: top, Lo: sp.Lo, End: sp.End, Color: ln.Color})
		}
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
