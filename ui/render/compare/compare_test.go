package compare

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"telewave/ui/render"
	"telewave/ui/render/cpu"
	"telewave/ui/render/gl"
	"telewave/ui/render/gl/gltest"
)

var out = flag.String("out", "", "directory to write cpu, gl and diff PNGs of scenes that differ")

func TestMain(m *testing.M) { os.Exit(gltest.Main(m)) }

// Tolerance. Both backends compute a trace pixel's coverage by the same
// rule (the share of the pixel's row inside the column's span) and round it
// to 8 bits the same way; cpu then blends in integers, gl in floats (the
// GPU's blender), so a blended channel may differ by 1 from rounding, and
// by 1 more for a translucent colour, where cpu truncates colour-alpha ×
// coverage before blending and gl does not. Grid, background and erase bar
// are exact copies of the same colours. So: every pixel within maxDelta in
// every channel, and every column that has trace pixels in one image has
// them in the other. A real difference (a missing column, a row off by
// one, a flipped image, a lost partial row) moves channels by tens.
const maxDelta = 2

func TestGLDrawsWhatCPUDraws(t *testing.T) {
	gltest.Require(t)
	r, err := gl.New(gltest.OnMain)
	if err != nil {
		if strings.Contains(err.Error(), "needs a binary built with cgo") {
			t.Skipf("SKIPPED, GL NOT COMPARED: %v", err)
		}
		t.Fatalf("gl.New: %v", err)
	}
	defer r.Close()
	t.Logf("gl renderer: %s (software: %v)", r.Renderer(), gl.IsSoftware(r.Renderer()))
	for _, tc := range scenes() {
		t.Run(tc.name, func(t *testing.T) {
			want := poisoned(tc.s.Width, tc.s.Height)
			cpu.New().Draw(want, tc.s)
			got := poisoned(tc.s.Width, tc.s.Height)
			r.Draw(got, tc.s)
			if err := r.Err(); err != nil {
				t.Fatalf("gl failed and fell back to cpu: %v", err)
			}
			d := compare(want, got, tc.s)
			t.Logf("%d×%d: %d pixels differ at all, max Δ %d, %d trace columns",
				tc.s.Width, tc.s.Height, d.differ, d.maxDelta, d.traceCols)
			if d.over > 0 {
				t.Errorf("%d pixels differ by more than %d; first at %v: cpu %v, gl %v",
					d.over, maxDelta, d.first, want.RGBAAt(d.first.X, d.first.Y), got.RGBAAt(d.first.X, d.first.Y))
			}
			if len(d.missing) > 0 {
				t.Errorf("trace columns drawn by only one backend: %v", d.missing)
			}
			if d.traceCols == 0 && len(tc.s.Lanes) > 0 {
				t.Errorf("no trace drawn at all")
			}
			if t.Failed() && *out != "" {
				save(t, tc.name, want, got)
			}
		})
	}
}

// diff is the outcome of comparing two frames.
type diff struct {
	differ, over int // pixels differing at all, and by more than maxDelta
	maxDelta     int
	first        image.Point
	traceCols    int   // columns with trace pixels in the cpu frame
	missing      []int // columns with trace pixels in only one frame (first 10)
}

func compare(want, got *image.RGBA, s *render.Scene) diff {
	var d diff
	bare := poisoned(s.Width, s.Height) // background, grid, erase bar: no lanes
	empty := *s
	empty.Lanes = nil
	cpu.New().Draw(bare, &empty)
	for x := 0; x < s.Width; x++ {
		inWant, inGot := false, false
		for y := 0; y < s.Height; y++ {
			pw, pg, pb := want.RGBAAt(x, y), got.RGBAAt(x, y), bare.RGBAAt(x, y)
			inWant = inWant || pw != pb
			inGot = inGot || pg != pb
			m := max(absd(pw.R, pg.R), absd(pw.G, pg.G), absd(pw.B, pg.B), absd(pw.A, pg.A))
			if m == 0 {
				continue
			}
			d.differ++
			d.maxDelta = max(d.maxDelta, m)
			if m > maxDelta {
				if d.over == 0 {
					d.first = image.Pt(x, y)
				}
				d.over++
			}
		}
		if inWant {
			d.traceCols++
		}
		if inWant != inGot && len(d.missing) < 10 {
			d.missing = append(d.missing, x)
		}
	}
	return d
}

func poisoned(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x5a
	}
	return img
}

func absd(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// save writes cpu, gl and an amplified difference for a person to look at.
func save(t *testing.T, name string, want, got *image.RGBA) {
	t.Helper()
	diff := image.NewRGBA(want.Rect)
	for i := range want.Pix {
		diff.Pix[i] = uint8(min(absd(want.Pix[i], got.Pix[i])*32, 255))
		if i%4 == 3 {
			diff.Pix[i] = 255
		}
	}
	base := strings.ReplaceAll(name, " ", "_")
	for suffix, img := range map[string]*image.RGBA{"cpu": want, "gl": got, "diff": diff} {
		p := filepath.Join(*out, fmt.Sprintf("%s.%s.png", base, suffix))
		f, err := os.Create(p)
		if err != nil {
			t.Errorf("save %s: %v", p, err)
			continue
		}
		if err := png.Encode(f, img); err != nil {
			t.Errorf("encode %s: %v", p, err)
		}
		f.Close()
	}
	t.Logf("wrote %s.{cpu,gl,diff}.png to %s", base, *out)
}
