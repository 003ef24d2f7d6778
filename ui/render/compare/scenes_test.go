package compare

import (
	"image/color"
	"math"

	"telewave/ui/render"
)

var (
	black = color.RGBA{A: 255}
	green = color.RGBA{G: 230, B: 118, A: 255}
	minor = color.RGBA{R: 60, G: 20, B: 20, A: 255}
	major = color.RGBA{R: 120, G: 40, B: 40, A: 255}
	paper = render.Grid{MinorX: 4, MinorY: 4, MajorX: 20, MajorY: 20, Minor: minor, Major: major}
	// paper96 is the live view's grid at 96 dpi: 1 mm = 3.7795 px, line k at
	// round(k·3.7795), every fifth major.
	paper96 = render.Grid{PitchX: 96 / 25.4, PitchY: 96 / 25.4, MajorEvery: 5, Minor: minor, Major: major}
	sample  = 500.0 // Hz
)

// ecg is a synthetic lead at time t seconds, in mV: P, QRS and T waves as
// Gaussians at 75 beats a minute, scaled by gain (negative for an inverted
// lead such as aVR).
func ecg(t, gain float64) float64 {
	const rr = 0.8
	p := math.Mod(t, rr)
	g := func(mu, sigma, amp float64) float64 {
		d := (p - mu) / sigma
		return amp * math.Exp(-d*d/2)
	}
	v := g(0.16, 0.025, 0.15) + g(0.27, 0.008, -0.12) + g(0.30, 0.010, 1.3) +
		g(0.33, 0.010, -0.3) + g(0.55, 0.045, 0.3)
	return gain * v
}

// envelope turns lead samples into pixel columns as the sweep does:
// samplesPerCol samples per column, min/max/last in rows of a lane
// height rows tall at pxPerMV, the baseline in the middle.
func envelope(w, height int, pxPerMV, samplesPerCol float64, lead func(t float64) float64) []render.Column {
	cols := make([]render.Column, w)
	base := float64(height) / 2
	n := 0
	for x := range cols {
		end := int(float64(x+1) * samplesPerCol)
		c := render.Column{Min: math.MaxFloat32, Max: -math.MaxFloat32, Valid: true}
		for ; n < end; n++ {
			y := float32(base - lead(float64(n)/sample)*pxPerMV)
			c.Min, c.Max, c.Last = min(c.Min, y), max(c.Max, y), y
		}
		if c.Min > c.Max { // no sample fell in this column
			c = render.Column{}
		}
		cols[x] = c
	}
	return cols
}

// twelveLeads is a 12×1 display at w×h: 10 s across the width, 10 mm/mV at
// 4 px/mm, with the erase bar at sweep and the lanes' gains varied as a
// real 12-lead's are.
func twelveLeads(w, h, sweep int) *render.Scene {
	gains := []float64{1, 1.4, 0.5, -0.9, 0.6, 1.1, 0.3, 0.8, 1.6, 1.9, 1.5, 1.1}
	s := &render.Scene{Width: w, Height: h, Background: black, Grid: paper, EraseX: sweep, EraseWidth: 10}
	for i, gain := range gains {
		top, bottom := i*h/12, (i+1)*h/12
		s.Lanes = append(s.Lanes, render.Lane{Top: top, Height: bottom - top, Color: green,
			Columns: envelope(w, bottom-top, 40, sample*10/float64(w),
				func(t float64) float64 { return ecg(t+float64(i)*0.013, gain) })})
	}
	return s
}

// scenes are the pictures both backends must agree on.
func scenes() []struct {
	name string
	s    *render.Scene
} {
	grid := &render.Scene{Width: 200, Height: 120, Background: black, Grid: paper}

	gaps := twelveLeads(600, 450, 200)
	for i := range gaps.Lanes {
		cols := gaps.Lanes[i].Columns
		for x := 100 + i*20; x < 140+i*20; x++ { // lead off for 40 columns
			cols[x] = render.Column{}
		}
		cols[400+i] = render.Column{Valid: true, Min: float32(math.NaN())}
	}

	wrap := twelveLeads(640, 480, 635) // the bar runs off the right edge

	exact := twelveLeads(1200, 900, 300)
	exact.Grid = paper96
	coarse := &render.Scene{Width: 500, Height: 300, Background: black, // 5 mm only, at 60 dpi
		Grid: render.Grid{PitchX: 5 * 60 / 25.4, PitchY: 5 * 60 / 25.4, MajorEvery: 1, Minor: minor, Major: major}}

	steep := &render.Scene{Width: 300, Height: 200, Background: black, Grid: paper}
	steep.Lanes = []render.Lane{{Top: 0, Height: 200, Color: green,
		// 2.5 samples a column: a QRS of 4 mV is a few columns wide.
		Columns: envelope(300, 200, 45, 2.5, func(t float64) float64 { return ecg(t, 3.5) })}}

	// Out of range values and overlapping lanes in a translucent colour
	// (premultiplied, alpha 160).
	wild := twelveLeads(320, 240, 40)
	for i := range wild.Lanes {
		wild.Lanes[i].Color = color.RGBA{G: 150, B: 60, A: 160}
		wild.Lanes[i].Height += 12
		wild.Lanes[i].Columns[50+i] = render.Column{Min: -1e9, Max: 1e9, Last: 0, Valid: true}
	}
	return []struct {
		name string
		s    *render.Scene
	}{
		{"grid only", grid},
		{"12 leads on paper at 96 dpi", exact},
		{"5 mm grid only at 60 dpi", coarse},
		{"12 leads 1200x900", twelveLeads(1200, 900, 700)},
		{"gaps and NaN", gaps},
		{"erase bar wraps", wrap},
		{"steep QRS", steep},
		{"translucent overlapping lanes", wild},
	}
}
