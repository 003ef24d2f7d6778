package paper

import (
	"image"
	"image/color"
	"math"
	"testing"
)

var (
	bg    = color.RGBA{255, 255, 255, 255}
	minor = color.RGBA{250, 200, 200, 255}
	major = color.RGBA{230, 120, 120, 255}
	ink   = color.RGBA{0, 0, 0, 255}
)

func blank(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bg.R, bg.G, bg.B, bg.A
	}
	return img
}

// TestDrawGridMeasures5mm scans a row of the drawn image for the major
// lines and checks their mean spacing is 5 mm at the calibration.
func TestDrawGridMeasures5mm(t *testing.T) {
	for _, dpi := range []float64{96, 109.22, 141.21} {
		c := Standard(dpi, true)
		img := blank(1500, 400)
		DrawGrid(img, c, minor, major)
		var xs []int
		for x := range 1500 {
			if img.RGBAAt(x, 3) == major {
				xs = append(xs, x)
			}
		}
		n := len(xs) - 1
		mm := float64(xs[n]-xs[0]) / float64(n) / c.PxPerMM()
		if n < 10 || math.Abs(mm-5) > 0.02 {
			t.Errorf("%g dpi: %d major lines, mean spacing %.3f mm", dpi, n+1, mm)
		}
		minors := 0
		for x := xs[0]; x < xs[1]; x++ {
			if img.RGBAAt(x, 3) == minor {
				minors++
			}
		}
		if minors != 4 {
			t.Errorf("%g dpi: %d minor lines in a 5 mm square, want 4", dpi, minors)
		}
	}
}

func TestDrawLanePulseAndSignal(t *testing.T) {
	c := Calibration{DPI: 254, SpeedMMs: 25, GainMMmV: 10} // 250 px/s, 100 px/mV
	lanes, err := Layout12(Layout12x1, 1000, 2400, c, "")
	if err != nil {
		t.Fatal(err)
	}
	ln := lanes[1] // II: rows 200–400, baseline 320
	const rate = 500.0
	mv := make([]float64, 5000)
	for i := range mv {
		if i >= 500 && i < 1000 { // 1–2 s: 1 mV
			mv[i] = 1
		}
		if i >= 1500 && i < 1600 {
			mv[i] = math.NaN()
		}
	}
	img := blank(1000, 2400)
	DrawLane(img, ln, c, mv, rate, ink)
	rowsAt := func(x int) []int {
		var r []int
		for y := range 2400 {
			if img.RGBAAt(x, y) == ink {
				r = append(r, y)
			}
		}
		return r
	}
	base := int(ln.Baseline)
	for _, tc := range []struct {
		name string
		x    int
		want []int
	}{
		{"pulse baseline", 5, []int{base}},
		{"pulse top (10 mm at 10 mm/mV)", 40, []int{base - 100}},
		{"trace 0.5 s", 75 + 125, []int{base}},
		{"trace 1.5 s", 75 + 375, []int{base - 100}},
		{"gap 3.1 s", 75 + 775, nil},
	} {
		got := rowsAt(tc.x)
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("%s: column %d rows %v, want %v", tc.name, tc.x, got, tc.want)
		}
	}
	// The step at 1 s is one vertical stroke joining both levels.
	if got := rowsAt(75 + 250); len(got) != 101 {
		t.Errorf("step column has %d rows, want 101", len(got))
	}
	// Nothing outside the lane.
	for x := range 1000 {
		for _, y := range []int{0, 199, 400, 2399} {
			if img.RGBAAt(x, y) == ink {
				t.Fatalf("ink at (%d,%d) outside the lane", x, y)
			}
		}
	}
}
