package cpu

import (
	"image"
	"image/color"
	"math"

	"telewave/ui/render"
)

// drawLane draws one trace: each column's span (render.Lane.Spans: the
// envelope stretched to the previous column's last value, clamped to the
// lane) as a vertical run of rows; fractional ends are blended by their
// coverage, which is the anti-aliasing.
func drawLane(dst *image.RGBA, w, h int, ln *render.Lane) {
	for x, sp := range ln.Spans(w) {
		drawSpan(dst, x, h, ln.Top, sp.Lo, sp.End, ln.Color)
	}
}

// drawSpan covers rows [lo, end) of column x, relative to the lane's top row;
// rows outside the frame (a lane partly off-screen) are skipped.
func drawSpan(dst *image.RGBA, x, h, top int, lo, end float32, c color.RGBA) {
	r0 := int(lo)
	r1 := int(math.Ceil(float64(end)))
	for r := r0; r < r1; r++ {
		y := top + r
		if y < 0 || y >= h {
			continue
		}
		cov := min(float32(r+1), end) - max(float32(r), lo)
		if cov <= 0 {
			continue
		}
		o := y*dst.Stride + x*4
		blend(dst.Pix[o:o+4:o+4], c, uint32(cov*255+0.5))
	}
}

// blend composites premultiplied colour c at coverage a (0..255) over p.
func blend(p []byte, c color.RGBA, a uint32) {
	if a >= 255 && c.A == 255 {
		p[0], p[1], p[2], p[3] = c.R, c.G, c.B, c.A
		return
	}
	a = min(a, 255)
	inv := 255 - uint32(c.A)*a/255
	p[0] = mix(c.R, p[0], a, inv)
	p[1] = mix(c.G, p[1], a, inv)
	p[2] = mix(c.B, p[2], a, inv)
	p[3] = mix(c.A, p[3], a, inv)
}

// mix is one channel of src*a + dst*inv, saturated so that a colour that is
// not properly premultiplied cannot wrap around.
func mix(src, dst uint8, a, inv uint32) uint8 {
	return uint8(min((uint32(src)*a+uint32(dst)*inv+127)/255, 255))
}
