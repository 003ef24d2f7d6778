package cpu

import (
	"image"
	"image/color"
	"math"
	"testing"

	"telewave/ui/render"
)

var (
	bg    = color.RGBA{R: 0, G: 0, B: 0, A: 255}
	green = color.RGBA{R: 0, G: 255, B: 0, A: 255}
	minor = color.RGBA{R: 40, G: 0, B: 0, A: 255}
	major = color.RGBA{R: 90, G: 0, B: 0, A: 255}
)

// flatScene is one lane at rows [top, top+height) with every column a flat
// line at row y of the lane.
func flatScene(tb testing.TB, w, h, top, height int, y float32) *render.Scene {
	tb.Helper()
	cols := make([]render.Column, w)
	for x := range cols {
		cols[x] = render.Column{Min: y, Max: y, Last: y, Valid: true}
	}
	return &render.Scene{
		Width: w, Height: h, Background: bg,
		Lanes: []render.Lane{{Top: top, Height: height, Color: green, Columns: cols}},
	}
}

func draw(tb testing.TB, s *render.Scene) *image.RGBA {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	// Poison the image so that a pixel Draw forgets to write shows up.
	for i := range img.Pix {
		img.Pix[i] = 0x5a
	}
	New().Draw(img, s)
	return img
}

func at(img *image.RGBA, x, y int) color.RGBA { return img.RGBAAt(x, y) }

// assertOnly fails when a pixel in rows [y0, y1) is not bg, except where
// want(x, y) says the trace colour is expected there.
func assertOnly(tb testing.TB, img *image.RGBA, y0, y1 int, want func(x, y int) bool) {
	tb.Helper()
	bad := 0
	for y := y0; y < y1; y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			exp := bg
			if want(x, y) {
				exp = green
			}
			if got := at(img, x, y); got != exp && bad < 5 {
				tb.Errorf("pixel (%d,%d) = %v, want %v", x, y, got, exp)
				bad++
			}
		}
	}
}

func TestFlatLineLightsOnlyItsRow(t *testing.T) {
	for _, tc := range []struct {
		name        string
		top, height int
		y, wantRow  int
	}{
		{"middle", 20, 40, 10, 30},
		{"first row", 20, 40, 0, 20},
		{"last row", 20, 40, 39, 59},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := draw(t, flatScene(t, 64, 80, tc.top, tc.height, float32(tc.y)))
			assertOnly(t, img, 0, 80, func(_, y int) bool { return y == tc.wantRow })
		})
	}
}

func TestGapColumnDrawsNothingAndBreaksTheLine(t *testing.T) {
	s := flatScene(t, 32, 40, 0, 40, 5)
	// A steep column after the gap must not connect back across it.
	s.Lanes[0].Columns[10] = render.Column{}
	s.Lanes[0].Columns[11] = render.Column{Min: 30, Max: 30, Last: 30, Valid: true}
	img := draw(t, s)
	assertOnly(t, img, 0, 40, func(x, y int) bool {
		switch x {
		case 10:
			return false
		case 11:
			return y == 30
		case 12: // connects from 30 back up to 5
			return y >= 5 && y <= 30
		}
		return y == 5
	})
}

func TestSteepColumnIsContinuous(t *testing.T) {
	s := flatScene(t, 8, 100, 0, 100, 10)
	s.Lanes[0].Columns[4] = render.Column{Min: 80, Max: 90, Last: 85, Valid: true}
	img := draw(t, s)
	assertOnly(t, img, 0, 100, func(x, y int) bool {
		switch x {
		case 4:
			return y >= 10 && y <= 90
		case 5:
			return y >= 10 && y <= 85
		}
		return y == 10
	})
}

func TestEraseBarClears(t *testing.T) {
	for _, tc := range []struct {
		name   string
		x, w   int
		erased func(x int) bool
	}{
		{"inside", 10, 5, func(x int) bool { return x >= 10 && x < 15 }},
		{"wraps at the right edge", 30, 5, func(x int) bool { return x >= 30 || x < 3 }},
		{"negative start wraps", -2, 4, func(x int) bool { return x >= 30 || x < 2 }},
		{"off", 10, 0, func(int) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := flatScene(t, 32, 40, 0, 40, 5)
			s.Grid = render.Grid{MinorX: 4, MinorY: 4, Minor: minor}
			s.EraseX, s.EraseWidth = tc.x, tc.w
			img := draw(t, s)
			for x := 0; x < 32; x++ {
				if !tc.erased(x) {
					if got := at(img, x, 5); got != green {
						t.Errorf("column %d outside the bar: trace pixel = %v", x, got)
					}
					continue
				}
				for y := 0; y < 40; y++ {
					if got := at(img, x, y); got != bg {
						t.Errorf("erased pixel (%d,%d) = %v, want background", x, y, got)
					}
				}
			}
		})
	}
}

func TestOutOfRangeValuesStayInTheLane(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		col  render.Column
		want func(y int) bool // rows of the lane expected lit, lane-relative
	}{
		{"far above", render.Column{Min: -1e6, Max: -500, Last: -500, Valid: true}, func(y int) bool { return y == 0 }},
		{"far below", render.Column{Min: 500, Max: 1e6, Last: 1e6, Valid: true}, func(y int) bool { return y == 19 }},
		{"both ways", render.Column{Min: -inf, Max: inf, Last: 0, Valid: true}, func(int) bool { return true }},
		{"swapped min max", render.Column{Min: 12, Max: 8, Last: 8, Valid: true}, func(y int) bool { return y >= 8 && y <= 12 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &render.Scene{Width: 3, Height: 60, Background: bg, Lanes: []render.Lane{
				{Top: 20, Height: 20, Color: green, Columns: []render.Column{{}, tc.col, {}}},
			}}
			img := draw(t, s)
			assertOnly(t, img, 0, 60, func(x, y int) bool {
				return x == 1 && y >= 20 && y < 40 && tc.want(y-20)
			})
		})
	}
}

func TestNaNColumnIsSkipped(t *testing.T) {
	nan := float32(math.NaN())
	s := flatScene(t, 4, 10, 0, 10, 3)
	s.Lanes[0].Columns[1] = render.Column{Min: nan, Max: 2, Last: 2, Valid: true}
	img := draw(t, s)
	assertOnly(t, img, 0, 10, func(x, y int) bool { return x != 1 && y == 3 })
}

func TestHalfPixelIsBlended(t *testing.T) {
	img := draw(t, flatScene(t, 4, 20, 0, 20, 10.5))
	for _, y := range []int{10, 11} {
		got := at(img, 2, y)
		if got.G < 100 || got.G > 155 || got.R != 0 || got.A != 255 {
			t.Errorf("row %d = %v, want green at about half coverage", y, got)
		}
	}
	for _, y := range []int{9, 12} {
		if got := at(img, 2, y); got != bg {
			t.Errorf("row %d = %v, want background", y, got)
		}
	}
}

func TestGridMajorOverMinor(t *testing.T) {
	s := &render.Scene{Width: 20, Height: 20, Background: bg,
		Grid: render.Grid{MinorX: 2, MinorY: 2, MajorX: 10, MajorY: 10, Minor: minor, Major: major}}
	img := draw(t, s)
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{
		{1, 1, bg}, {2, 1, minor}, {1, 2, minor}, {2, 2, minor},
		{10, 1, major}, {1, 10, major}, {10, 2, major}, {2, 10, major}, {0, 0, major},
	} {
		if got := at(img, tc.x, tc.y); got != tc.want {
			t.Errorf("grid pixel (%d,%d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestClipsToSmallerImage(t *testing.T) {
	s := flatScene(t, 100, 100, 0, 100, 50)
	s.EraseX, s.EraseWidth = 95, 10
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	New().Draw(img, s) // must not panic; row 50 lies outside the image
	for y := 0; y < 30; y++ {
		if got := at(img, 5, y); got != bg {
			t.Fatalf("pixel (5,%d) = %v, want background", y, got)
		}
	}
}

func TestDrawDoesNotAllocate(t *testing.T) {
	s := benchScene(t, 12, 1200, 900)
	img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	r := New()
	r.Draw(img, s)
	if n := testing.AllocsPerRun(5, func() { r.Draw(img, s) }); n != 0 {
		t.Errorf("Draw allocates %.0f times a frame, want 0", n)
	}
}

// TestGridExactPitch draws paper at 96 dpi (1 mm = 3.7795 px): vertical
// line k at column round(k·3.7795), horizontal line k at that row, every
// fifth major, so the 50th 5 mm line is at 945 and the squares do not
// drift.
func TestGridExactPitch(t *testing.T) {
	const mm = 96 / 25.4
	s := &render.Scene{Width: 1000, Height: 960, Background: bg,
		Grid: render.Grid{PitchX: mm, PitchY: mm, MajorEvery: 5, Minor: minor, Major: major}}
	img := draw(t, s)
	want := make([]color.RGBA, 1000) // along row 1 (no line) and column 1
	for i := range want {
		want[i] = bg
	}
	for k := 0; ; k++ {
		p := int(math.Round(float64(k) * mm))
		if p >= len(want) {
			break
		}
		want[p] = minor
		if k%5 == 0 {
			want[p] = major
		}
	}
	if want[945] != major {
		t.Fatal("test broken: line 250 not at 945")
	}
	for i, w := range want {
		if got := at(img, i, 1); got != w {
			t.Errorf("column %d on row 1 = %v, want %v", i, got, w)
		}
		if i < s.Height {
			if got := at(img, 1, i); got != w {
				t.Errorf("row %d on column 1 = %v, want %v", i, got, w)
			}
		}
	}
	for _, p := range [][2]int{{945, 2}, {2, 945}, {945, 945}, {944, 945}, {945, 944}} {
		if got := at(img, p[0], p[1]); got != major {
			t.Errorf("pixel %v on the 50th 5 mm line = %v, want major", p, got)
		}
	}
}
