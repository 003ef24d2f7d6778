// Package cpu is the pure-Go waveform rasterizer: it draws a render.Scene
// straight into the bytes of an *image.RGBA.
//
// It is the backend for tests, for software GL and for machines without a
// GPU. A frame is a clear with the grid (one copy() per row from a prepared
// row), a short vertical span per trace column, then the erase bar; after the
// first frame at a given width it allocates nothing.
package cpu

import (
	"image"
	"image/color"

	"telewave/ui/render"
)

var _ render.Rasterizer = (*Rasterizer)(nil)

// Rasterizer draws Scenes on the CPU. Its zero value is ready to use. It keeps
// prepared rows between frames, so one Rasterizer must not be used by two
// goroutines at once; the render goroutine owns it.
type Rasterizer struct {
	// The prepared rows below are valid for key; Draw rebuilds them when the
	// width, background or grid changes.
	key      rowKey
	rowBG    []byte  // background only: the erase bar
	rowPlain []byte  // background with the vertical grid lines
	rowMinor []byte  // a minor horizontal grid line (major verticals kept)
	rowMajor []byte  // a major horizontal grid line
	cols     []uint8 // line class of every column (render.NoLine, …)
	// rows holds the line class of every row for rowsKey.
	rowsKey rowsKey
	rows    []uint8
}

type rowsKey struct {
	height int
	grid   render.Grid
}

type rowKey struct {
	width int
	bg    color.RGBA
	grid  render.Grid
}

// New returns a CPU rasterizer.
func New() *Rasterizer { return &Rasterizer{} }

// Name returns "cpu", the value of --render that selects this backend.
func (r *Rasterizer) Name() string { return "cpu" }

// Draw paints s into dst, clipped to both s's size and dst's bounds. Pixel
// (x, y) of the scene is dst.Pix at row y, column x counted from dst.Rect.Min.
func (r *Rasterizer) Draw(dst *image.RGBA, s *render.Scene) {
	w := min(s.Width, dst.Rect.Dx())
	h := min(s.Height, dst.Rect.Dy())
	if w <= 0 || h <= 0 {
		return
	}
	r.prepareRows(w, s.Background, s.Grid)
	r.prepareRowClasses(h, s.Grid)
	r.clear(dst, w, h)
	for i := range s.Lanes {
		drawLane(dst, w, h, &s.Lanes[i])
	}
	r.erase(dst, w, h, s.EraseX, s.EraseWidth)
}

// clear writes the background and the grid: every row is one of three
// prepared rows, so the whole frame costs h copies.
func (r *Rasterizer) clear(dst *image.RGBA, w, h int) {
	n := w * 4
	for y, cls := range r.rows[:h] {
		row := r.rowPlain
		switch cls {
		case render.MajorLine:
			row = r.rowMajor
		case render.MinorLine:
			row = r.rowMinor
		}
		o := y * dst.Stride
		copy(dst.Pix[o:o+n], row)
	}
}

// erase paints the erase bar in plain background (no grid), wrapping at the
// right edge.
func (r *Rasterizer) erase(dst *image.RGBA, w, h, x, width int) {
	if width <= 0 {
		return
	}
	width = min(width, w)
	x %= w
	if x < 0 {
		x += w
	}
	x0, x1 := x, min(x+width, w)
	wrapped := x + width - w // columns continuing at the left edge
	for y := 0; y < h; y++ {
		o := y * dst.Stride
		copy(dst.Pix[o+x0*4:o+x1*4], r.rowBG[x0*4:x1*4])
		if wrapped > 0 {
			copy(dst.Pix[o:o+wrapped*4], r.rowBG[:wrapped*4])
		}
	}
}

// prepareRows rebuilds the four row templates when their inputs changed.
func (r *Rasterizer) prepareRows(w int, bg color.RGBA, g render.Grid) {
	k := rowKey{width: w, bg: bg, grid: g}
	if k == r.key && r.rowBG != nil {
		return
	}
	r.key = k
	n := w * 4
	if cap(r.rowBG) < n {
		r.rowBG = make([]byte, n)
		r.rowPlain = make([]byte, n)
		r.rowMinor = make([]byte, n)
		r.rowMajor = make([]byte, n)
	}
	r.rowBG, r.rowPlain = r.rowBG[:n], r.rowPlain[:n]
	r.rowMinor, r.rowMajor = r.rowMinor[:n], r.rowMajor[:n]
	r.cols = g.AppendColumns(r.cols[:0], w)
	for x, cls := range r.cols {
		plain, hminor := bg, g.Minor
		switch cls {
		case render.MajorLine:
			plain, hminor = g.Major, g.Major
		case render.MinorLine:
			plain = g.Minor
		}
		put(r.rowBG, x, bg)
		put(r.rowPlain, x, plain)
		put(r.rowMinor, x, hminor)
		put(r.rowMajor, x, g.Major)
	}
}

// prepareRowClasses finds the grid's horizontal lines when the height or
// the grid changed.
func (r *Rasterizer) prepareRowClasses(h int, g render.Grid) {
	k := rowsKey{height: h, grid: g}
	if k == r.rowsKey && r.rows != nil {
		return
	}
	r.rowsKey = k
	r.rows = g.AppendRows(r.rows[:0], h)
}

func put(row []byte, x int, c color.RGBA) {
	p := row[x*4 : x*4+4 : x*4+4]
	p[0], p[1], p[2], p[3] = c.R, c.G, c.B, c.A
}
