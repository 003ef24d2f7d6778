package cpu

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"telewave/ui/render"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.png from the current rasterizer")

// goldenScenes are small frames whose every pixel is pinned by a PNG in
// testdata/golden: grid, anti-aliased slopes, a steep QRS, gaps, the erase
// bar wrapping and a translucent trace over another. A change to the
// rasterizer that moves any pixel by any amount fails here; if it is
// intended, look at the new images and run with -update.
func goldenScenes() map[string]*render.Scene {
	paper := render.Grid{MinorX: 5, MinorY: 5, MajorX: 25, MajorY: 25,
		Minor: color.RGBA{R: 50, G: 16, B: 16, A: 255}, Major: color.RGBA{R: 110, G: 36, B: 36, A: 255}}
	trace := color.RGBA{G: 230, B: 118, A: 255}
	col := func(lo, hi, last float64) render.Column {
		return render.Column{Min: float32(lo), Max: float32(hi), Last: float32(last), Valid: true}
	}

	sine := &render.Scene{Width: 160, Height: 100, Background: color.RGBA{A: 255}, Grid: paper}
	for i, f := range []float64{11, 23} { // slow and fast: sub-pixel slopes of all angles
		cols := make([]render.Column, 160)
		for x := range cols {
			v := 25 + 18*math.Sin(float64(x)/f*2*math.Pi/4)
			cols[x] = col(v-0.3, v+0.3, v)
		}
		sine.Lanes = append(sine.Lanes, render.Lane{Top: i * 50, Height: 50, Color: trace, Columns: cols})
	}

	qrs := &render.Scene{Width: 120, Height: 120, Background: color.RGBA{A: 255}, Grid: paper}
	cols := make([]render.Column, 120)
	for x := range cols {
		base := 80.25
		switch { // a spike: Q down, R up 70 rows in two columns, S, back
		case x == 40:
			cols[x] = col(base, base+6.5, base+6.5)
		case x == 41:
			cols[x] = col(10.75, base+6.5, 10.75)
		case x == 42:
			cols[x] = col(10.75, 100.4, 100.4)
		case x == 43:
			cols[x] = col(base, 100.4, base)
		default:
			cols[x] = col(base, base, base)
		}
	}
	qrs.Lanes = []render.Lane{{Top: 0, Height: 120, Color: trace, Columns: cols}}

	gaps := &render.Scene{Width: 200, Height: 120, Background: color.RGBA{B: 20, A: 255}, Grid: paper,
		EraseX: 190, EraseWidth: 16} // wraps to columns 0..5
	for i := 0; i < 3; i++ {
		cols := make([]render.Column, 200)
		for x := range cols {
			switch {
			case x >= 60+i*30 && x < 80+i*30: // lead off
			case x == 150:
				cols[x] = render.Column{Min: float32(math.NaN()), Valid: true}
			default:
				v := 20 + 8*math.Sin(float64(x+i*13)/7)
				cols[x] = col(v, v+0.5, v+0.25)
			}
		}
		gaps.Lanes = append(gaps.Lanes, render.Lane{Top: i * 40, Height: 40, Color: trace, Columns: cols})
	}

	// Two overlapping lanes, the second translucent (premultiplied, A 128),
	// one column far out of range.
	overlap := &render.Scene{Width: 100, Height: 60, Background: color.RGBA{A: 255}, Grid: paper}
	for i, c := range []color.RGBA{trace, {R: 100, G: 60, A: 128}} {
		cols := make([]render.Column, 100)
		for x := range cols {
			v := 30 + float64(i*2-1)*float64(x-50)*0.4
			cols[x] = col(v-0.5, v+0.5, v)
		}
		cols[70] = col(-1e9, 1e9, 30)
		overlap.Lanes = append(overlap.Lanes, render.Lane{Top: 0, Height: 60, Color: c, Columns: cols})
	}

	// Paper at 96 dpi: 1 mm = 3.78 px, line k at round(k·3.78), so the 5 mm
	// squares are 19 and 18 px wide; the sine lanes over it.
	const mm96 = 96 / 25.4
	paper96 := *sine
	paper96.Grid = render.Grid{PitchX: mm96, PitchY: mm96, MajorEvery: 5, Minor: paper.Minor, Major: paper.Major}

	return map[string]*render.Scene{"sine": sine, "qrs": qrs, "gaps-erase": gaps, "overlap": overlap,
		"paper-96dpi": &paper96}
}

func TestGolden(t *testing.T) {
	for name, s := range goldenScenes() {
		t.Run(name, func(t *testing.T) {
			got := draw(t, s)
			path := filepath.Join("testdata", "golden", name+".png")
			if *update {
				var buf bytes.Buffer
				if err := png.Encode(&buf, got); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", path)
				return
			}
			want := readPNG(t, path)
			if want.Rect != got.Rect {
				t.Fatalf("%s is %v, the frame %v", path, want.Rect, got.Rect)
			}
			n, first := 0, image.Point{}
			for y := 0; y < got.Rect.Dy(); y++ {
				for x := 0; x < got.Rect.Dx(); x++ {
					if got.RGBAAt(x, y) != want.RGBAAt(x, y) {
						if n == 0 {
							first = image.Pt(x, y)
						}
						n++
					}
				}
			}
			if n > 0 {
				t.Errorf("%d pixels differ from %s; first at %v: got %v, want %v (run with -update if intended)",
					n, path, first, got.RGBAAt(first.X, first.Y), want.RGBAAt(first.X, first.Y))
			}
		})
	}
}

func readPNG(tb testing.TB, path string) *image.RGBA {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open golden image (run with -update to create it): %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	if rgba, ok := img.(*image.RGBA); ok {
		return rgba
	}
	// png decodes an opaque image as NRGBA or RGBA; alpha 255 makes the
	// two the same bytes, anything else is converted pixel by pixel.
	b := img.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			rgba.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return rgba
}
