package cpu

import (
	"image"
	"image/color"
	"math"
	"testing"

	"telewave/ui/render"
)

// benchScene is lanes ECG-like sines across the frame with a grid and an
// erase bar: the 12-lead display the targets are set for.
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

// BenchmarkDraw12x1200x900 is one full frame of the 12-lead display.
func BenchmarkDraw12x1200x900(b *testing.B) {
	s := benchScene(b, 12, 1200, 900)
	img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	r := New()
	b.ReportAllocs()
	for b.Loop() {
		r.Draw(img, s)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
}
