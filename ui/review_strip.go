package ui

import (
	"image"
	"image/color"
	"math"
	"time"

	"telewave/devices"
	"telewave/ui/render"
)

// The review strip is drawn at a fixed resolution and stretched to the
// screen: a window of a recording is a still picture, not a sweep.
const (
	stripWidth  = 1200
	stripLaneH  = 120
	maxLanes    = 8
	stripMargin = 0.08 // of the lane's range, above and below the trace
)

var (
	annotationYellow = color.RGBA{255, 214, 0, 255}
	eventOrange      = color.RGBA{255, 140, 0, 255}
	centreGrey       = color.RGBA{110, 110, 110, 255}
)

// mark is an event or an annotation on the review's time line.
type mark struct {
	at         time.Time
	text       string
	annotation bool
}

// laneEnvelope folds the samples of chunks that fall in [from, from+span)
// into w columns of physical values; ok is false for columns without data.
// Columns between two samples of the same stretch of signal (no more than
// two sample periods apart) are filled in, so a slow signal stays a line.
func laneEnvelope(sig devices.Signal, chunks []devices.Chunk, from time.Time, span time.Duration, w int) (lo, hi, last []float32, ok []bool) {
	lo, hi, last, ok = make([]float32, w), make([]float32, w), make([]float32, w), make([]bool, w)
	if sig.SampleRate <= 0 || span <= 0 || w <= 0 {
		return lo, hi, last, ok
	}
	colNS := float64(span) / float64(w)
	period := float64(time.Second) / sig.SampleRate
	for _, c := range chunks {
		base := float64(c.HostTime.Sub(from))
		for i, count := range c.Samples {
			x := int(math.Floor((base + float64(i)*period) / colNS))
			if x < 0 || x >= w {
				continue
			}
			v := float32(sig.Physical(count))
			if !ok[x] {
				lo[x], hi[x], ok[x] = v, v, true
			}
			lo[x], hi[x], last[x] = min(lo[x], v), max(hi[x], v), v
		}
	}
	maxGap := int(math.Ceil(2 * period / colNS))
	prev := -1
	for x := range w {
		if !ok[x] {
			continue
		}
		if prev >= 0 && x-prev > 1 && x-prev <= maxGap {
			for g := prev + 1; g < x; g++ {
				f := float32(g-prev) / float32(x-prev)
				v := last[prev] + f*(lo[x]-last[prev])
				lo[g], hi[g], last[g], ok[g] = v, v, v, true
			}
		}
		prev = x
	}
	return lo, hi, last, ok
}

// stripScene lays out one lane per signal, each scaled to the range of
// what the window holds, on the monitor's paper.
func stripScene(sigs []devices.Signal, chunks [][]devices.Chunk, from time.Time, span time.Duration) *render.Scene {
	n := max(len(sigs), 1)
	sc := &render.Scene{Width: stripWidth, Height: n * stripLaneH, Background: background,
		Grid: render.Grid{MinorX: stripWidth / 50, MinorY: 8, MajorX: stripWidth / 10, MajorY: 40, Minor: gridMinor, Major: gridMajor}}
	for i, sig := range sigs {
		lo, hi, last, ok := laneEnvelope(sig, chunks[i], from, span, stripWidth)
		bottom, top := float32(math.Inf(1)), float32(math.Inf(-1))
		for x := range ok {
			if ok[x] {
				bottom, top = min(bottom, lo[x]), max(top, hi[x])
			}
		}
		pad := (top - bottom) * stripMargin
		if top-bottom < 1e-6 {
			pad = 1
		}
		bottom, top = bottom-pad, top+pad
		ln := render.Lane{Top: i * stripLaneH, Height: stripLaneH, Color: laneColor(sig), Label: sig.Label,
			Columns: make([]render.Column, stripWidth)}
		scale := float32(stripLaneH-1) / (top - bottom)
		for x := range ok {
			if ok[x] {
				ln.Columns[x] = render.Column{Min: (top - hi[x]) * scale, Max: (top - lo[x]) * scale, Last: (top - last[x]) * scale, Valid: true}
			}
		}
		sc.Lanes = append(sc.Lanes, ln)
	}
	return sc
}

// laneColor follows the monitor: pleth cyan, pressure red, the rest green.
func laneColor(sig devices.Signal) color.RGBA {
	switch sig.Kind {
	case devices.KindPleth:
		return plethCyan
	case devices.KindPressure:
		return abpRed
	}
	return ecgGreen
}

// drawMarks draws the window's centre (where "Annotate here" puts a note)
// and a line at each mark inside the window.
func drawMarks(img *image.RGBA, marks []mark, from time.Time, span time.Duration) {
	b := img.Bounds()
	vline := func(x int, c color.RGBA, dashed bool) {
		if x < b.Min.X || x >= b.Max.X {
			return
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if !dashed || y/6%2 == 0 {
				img.SetRGBA(x, y, c)
			}
		}
	}
	vline(b.Min.X+b.Dx()/2, centreGrey, true)
	for _, m := range marks {
		off := m.at.Sub(from)
		if off < 0 || off >= span {
			continue
		}
		x := b.Min.X + int(float64(off)/float64(span)*float64(b.Dx()))
		c := eventOrange
		if m.annotation {
			c = annotationYellow
		}
		vline(x, c, false)
		vline(x+1, c, false)
	}
}
