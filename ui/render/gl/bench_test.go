package gl

import (
	"image/color"
	"math"
	"testing"
	"time"

	"telewave/ui/render"
)

// benchScene is the 12-lead display the targets are set for: lanes of
// ECG-like sines with a grid and an erase bar (as render/cpu's benchmark).
func benchScene(tb testing.TB, lanes, w, h int) *render.Scene {
	tb.Helper()
	s := &render.Scene{Width: w, Height: h, Background: color.RGBA{A: 255},
		Grid: render.Grid{MinorX: 8, MinorY: 8, MajorX: 40, MajorY: 40,
			Minor: color.RGBA{R: 30, A: 255}, Major: color.RGBA{R: 70, A: 255}},
		EraseX: w / 3, EraseWidth: 12}
	for i := 0; i < lanes; i++ {
		top, bottom := i*h/lanes, (i+1)*h/lanes
		ln := render.Lane{Top: top, Height: bottom - top, Color: color.RGBA{G: 230, A: 255},
			Columns: make([]render.Column, w)}
		amp := float64(ln.Height) * 0.4
		for x := range ln.Columns {
			v := float32(float64(ln.Height)/2 - amp*math.Sin(float64(x+i*7)/9))
			ln.Columns[x] = render.Column{Min: v - 1.5, Max: v + 1.5, Last: v, Valid: true}
		}
		s.Lanes = append(s.Lanes, ln)
	}
	return s
}

// BenchmarkDraw12Lanes1200x900 is one full frame of the 12-lead display:
// drawing, read-back and copy into the image. ns/op is the time per frame
// Draw takes; thread-ns/frame the render thread's share of it. Under Xvfb
// this is Mesa's llvmpipe: software GL, not a GPU.
func BenchmarkDraw12Lanes1200x900(b *testing.B) {
	benchDraw(b, 0)
}

// BenchmarkDraw12Lanes1200x900Pipelined is the same with SetPeriod: Draw
// returns the previous frame, whose read-back ran in the meantime.
func BenchmarkDraw12Lanes1200x900Pipelined(b *testing.B) {
	benchDraw(b, time.Hour)
}
