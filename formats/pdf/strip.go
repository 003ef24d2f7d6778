package pdf

import (
	"math"
)

// Grid and pen: the 1 mm lines light, the 5 mm lines darker and twice as
// wide, as on cart paper; traces black.
var (
	minorRGB = [3]float64{1, 0.8, 0.8}
	majorRGB = [3]float64{0.93, 0.42, 0.42}
)

const (
	minorWidthMM = 0.1
	majorWidthMM = 0.2
	traceWidthMM = 0.2
	bucketMM     = 0.1 // traces denser than two samples per 0.1 mm are drawn as min/max per 0.1 mm
)

// grid draws the 1 mm and 5 mm paper grid over the grid rectangle.
func (c *canvas) grid(g geometry) {
	nx := int(math.Round(g.gridW))
	ny := int(math.Round(g.gridH))
	for _, major := range []bool{false, true} {
		c.lineWidth(minorWidthMM)
		col := minorRGB
		if major {
			c.lineWidth(majorWidthMM)
			col = majorRGB
		}
		c.strokeRGB(col[0], col[1], col[2])
		for k := 0; k <= nx; k++ {
			if (k%5 == 0) == major {
				x := g.gridX + float64(k)
				c.line(x, g.gridY, x, g.gridY+g.gridH)
			}
		}
		for k := 0; k <= ny; k++ {
			if (k%5 == 0) == major {
				y := g.gridY + float64(k)
				c.line(g.gridX, y, g.gridX+g.gridW, y)
			}
		}
		c.stroke()
	}
}

// pulse draws the 1 mV calibration pulse, gain mm tall and 200 ms wide,
// at the start of row: _|‾|_ on the row's baseline.
func (c *canvas) pulse(g geometry, row int) {
	y0 := g.baseline(row)
	y1 := g.y(row, 1000)
	x0 := g.pulseX()
	x1 := x0 + g.pulseWidth()
	c.moveTo(g.gridX+1, y0)
	c.lineTo(x0, y0)
	c.lineTo(x0, y1)
	c.lineTo(x1, y1)
	c.lineTo(x1, y0)
	c.lineTo(g.stripX-1, y0)
	c.stroke()
}

// trace draws one cell's samples as a polyline. Coordinates are clamped
// a little outside the grid (which clips them) so that a wild sample
// cannot write a number no reader can place.
func (c *canvas) trace(g geometry, cl cell, rate float64) {
	l := cl.lead
	index := func(t float64) int { // first sample at or after t, within the lead
		v := math.Ceil(t * rate)
		if !(v < float64(len(l.Samples))) {
			return len(l.Samples)
		}
		return int(max(v, 0))
	}
	lo, hi := index(cl.t0), index(cl.t1)
	if lo >= hi {
		return
	}
	yMin, yMax := g.gridY-5, g.gridY+g.gridH+5
	pt := func(i int) (float64, float64) {
		uv := float64(int64(l.Samples[i])-int64(l.Baseline)) * l.Scale
		return g.x(float64(i) / rate), math.Min(math.Max(g.y(cl.row, uv), yMin), yMax)
	}
	c.moveTo(pt(lo))
	per := rate / g.speed * bucketMM // samples per bucket
	if per <= 2 {
		for i := lo + 1; i < hi; i++ {
			c.lineTo(pt(i))
		}
		c.stroke()
		return
	}
	// Denser than two samples per bucket: each bucket's lowest and highest
	// sample, in time order, keep every peak a full plot would show.
	iMin, iMax, bucket := lo, lo, 0
	flush := func() {
		c.lineTo(pt(min(iMin, iMax)))
		c.lineTo(pt(max(iMin, iMax)))
	}
	for i := lo; i < hi; i++ {
		if b := int(float64(i-lo) / per); b != bucket {
			flush()
			iMin, iMax, bucket = i, i, b
		}
		if l.Samples[i] < l.Samples[iMin] {
			iMin = i
		}
		if l.Samples[i] > l.Samples[iMax] {
			iMax = i
		}
	}
	flush()
	c.stroke()
}

// strips draws grid, pulses, lead labels, column ticks and traces.
func (c *canvas) strips(g geometry, cs []cell, rate float64) {
	c.save()
	c.grid(g)
	c.restore()

	c.save()
	c.lineWidth(traceWidthMM)
	c.strokeRGB(0, 0, 0)
	c.b.WriteString("1 J 1 j\n") // round caps and joins: no spikes at sharp QRS turns
	for row := range g.rows {
		c.pulse(g, row)
	}
	for _, cl := range cs {
		if cl.t0 > 0 { // a tick where the lead changes within a row
			x := g.x(cl.t0)
			c.line(x, g.baseline(cl.row)-2, x, g.baseline(cl.row)+2)
			c.stroke()
		}
	}
	c.save()
	c.clipRect(g.gridX, g.gridY, g.gridW, g.gridH)
	for _, cl := range cs {
		if cl.lead != nil {
			c.trace(g, cl, rate)
		}
	}
	c.restore()
	c.restore()

	c.fillRGB(0, 0, 0)
	for _, cl := range cs {
		label := cl.label
		if cl.lead == nil {
			label += " not recorded"
		}
		top := g.baseline(cl.row) + g.baselineDepth()
		c.text("F2", 3.2, g.x(cl.t0)+1, top-3.8, label)
	}
}
