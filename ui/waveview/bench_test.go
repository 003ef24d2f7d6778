package waveview

import (
	"image/color"
	"math"
	"testing"

	"telewave/ui/paper"
	"telewave/ui/render"
)

// BenchmarkFrame12x500Hz is one display frame of a 12-lead ECG at 500 Hz on
// a 1200×900 view: ~8 new samples a trace (60 fps) folded into the sweeps,
// the scene built and rasterized, the swap run.
func BenchmarkFrame12x500Hz(b *testing.B) {
	const lanes, rate, perFrame = 12, 500, 8
	traces := make([]Trace, lanes)
	for i := range traces {
		traces[i] = Trace{Label: "II", Color: color.RGBA{G: 230, A: 255}, Rate: rate, Min: -2, Max: 2}
	}
	v := New(traces, Options{Grid: render.Grid{MinorX: 8, MinorY: 8, MajorX: 40, MajorY: 40,
		Minor: color.RGBA{R: 30, A: 255}, Major: color.RGBA{R: 70, A: 255}}})
	v.setPixelSize(1200, 900)
	chunk := make([]float32, perFrame)
	n := 0
	push := func() {
		for i := range chunk {
			chunk[i] = float32(math.Sin(float64(n+i) / 20))
		}
		n += perFrame
		for t := range lanes {
			v.Push(t, chunk)
		}
	}
	for range 6 * rate / perFrame { // a full sweep on screen
		push()
	}
	v.rs.step(now)
	b.ReportAllocs()
	for b.Loop() {
		push()
		v.rs.step(now)
	}
	b.ReportMetric(float64(v.Stats().LastDraw.Nanoseconds()), "ns/lastdraw")
}

// BenchmarkFrame12Leads1200x900 is one frame of the 12-lead display at true
// scale (96 dpi, 25 mm/s, 10 mm/mV, mm grid, pulses): 12 Paper traces at
// 500 Hz, ~8 new samples each folded in, the scene built and rasterized.
func BenchmarkFrame12Leads1200x900(b *testing.B) {
	const lanes, rate, perFrame = 12, 500, 8
	traces := make([]Trace, lanes)
	for i := range traces {
		traces[i] = Trace{Label: "II", Color: color.RGBA{G: 230, A: 255}, Rate: rate, Min: -2, Max: 2, Paper: true}
	}
	c := paper.Standard(96, true)
	v := New(traces, Options{Calibration: &c, Grid: render.Grid{Minor: color.RGBA{R: 30, A: 255}, Major: color.RGBA{R: 70, A: 255}}})
	v.setPixelSize(1200, 900)
	chunk := make([]float32, perFrame)
	n := 0
	push := func() {
		for i := range chunk {
			chunk[i] = float32(math.Sin(float64(n+i) / 20))
		}
		n += perFrame
		for t := range lanes {
			v.Push(t, chunk)
		}
	}
	for range 14 * rate / perFrame { // a full sweep on screen (12.1 s at this width)
		push()
	}
	v.rs.step(now)
	b.ReportAllocs()
	for b.Loop() {
		push()
		v.rs.step(now)
	}
	b.ReportMetric(float64(v.Stats().LastDraw.Nanoseconds()), "ns/lastdraw")
}
