package paper

import (
	"image"
	"image/color"
	"math"
)

// DrawGrid paints the 1 mm and 5 mm grid of c over all of img: each line
// rounded on its own (AppendGridLines), so the squares do not drift.
func DrawGrid(img *image.RGBA, c Calibration, minor, major color.RGBA) {
	b := img.Rect
	var lines []GridLine
	lines = AppendGridLines(lines, b.Dx(), c.PxPerMM(), 5)
	for _, l := range lines {
		col := pick(l.Major, minor, major)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if !l.Major && img.RGBAAt(b.Min.X+l.Pos, y) == major {
				continue
			}
			img.SetRGBA(b.Min.X+l.Pos, y, col)
		}
	}
	lines = AppendGridLines(lines[:0], b.Dy(), c.PxPerMM(), 5)
	for _, l := range lines {
		col := pick(l.Major, minor, major)
		for x := b.Min.X; x < b.Max.X; x++ {
			if !l.Major && img.RGBAAt(x, b.Min.Y+l.Pos) == major {
				continue
			}
			img.SetRGBA(x, b.Min.Y+l.Pos, col)
		}
	}
}

func pick(isMajor bool, minor, major color.RGBA) color.RGBA {
	if isMajor {
		return major
	}
	return minor
}

// DrawLane draws one strip: its calibration pulse when ln.Pulse, then the
// samples (mV, at rate Hz, record time 0 at index 0) from ln.Offset for
// ln.Duration seconds at c's speed and gain, as one connected stroke per
// pixel column (the column's min–max joined to the previous column's last
// value). NaN samples break the stroke. Nothing is drawn outside ln.Rect.
func DrawLane(img *image.RGBA, ln Lane, c Calibration, mv []float64, rate float64, col color.RGBA) {
	clip := image.Rect(int(math.Floor(ln.Rect.X)), int(math.Floor(ln.Rect.Y)),
		int(math.Ceil(ln.Rect.X+ln.Rect.W)), int(math.Ceil(ln.Rect.Y+ln.Rect.H))).Intersect(img.Rect)
	gain := c.PxPerMV()
	row := func(v float64) int { return int(math.Round(ln.Baseline - v*gain)) }
	prev, have := 0, false
	stroke := func(x int, lo, hi, last float64) {
		a, b := row(hi), row(lo)
		if have {
			a, b = min(a, prev), max(b, prev)
		}
		vspan(img, clip, x, a, b, col)
		prev, have = row(last), true
	}
	if ln.Pulse {
		pps := c.PxPerSecond()
		for x := int(math.Round(ln.Rect.X)); x < int(math.Round(ln.TraceX)); x++ {
			v := PulseMV((float64(x) - ln.Rect.X + 0.5) / pps)
			stroke(x, v, v, v)
		}
		have = false
	}
	if !(rate > 0) {
		return
	}
	pps := c.PxPerSecond()
	x0 := int(math.Round(ln.TraceX))
	x1 := int(math.Round(ln.TraceX + ln.Duration*pps))
	for x := x0; x < x1; x++ {
		t0 := ln.Offset + float64(x-x0)/pps
		i0 := int(math.Ceil(t0 * rate))
		i1 := int(math.Ceil((t0 + 1/pps) * rate))
		i1 = max(i1, i0+1)
		lo, hi, last, ok := math.Inf(1), math.Inf(-1), 0.0, false
		for i := max(i0, 0); i < min(i1, len(mv)); i++ {
			v := mv[i]
			if math.IsNaN(v) {
				have, ok = false, false
				lo, hi = math.Inf(1), math.Inf(-1)
				continue
			}
			lo, hi, last, ok = min(lo, v), max(hi, v), v, true
		}
		if !ok {
			have = false
			continue
		}
		stroke(x, lo, hi, last)
	}
}

// vspan sets rows a..b (inclusive) of column x inside clip.
func vspan(img *image.RGBA, clip image.Rectangle, x, a, b int, col color.RGBA) {
	if x < clip.Min.X || x >= clip.Max.X {
		return
	}
	for y := max(a, clip.Min.Y); y <= min(b, clip.Max.Y-1); y++ {
		img.SetRGBA(x, y, col)
	}
}
