//go:build cgo

package gl

import (
	"image"
	"image/color"
	"os"
	"strings"
	"testing"
	"time"

	"telewave/ui/render"
	"telewave/ui/render/cpu"
	"telewave/ui/render/gl/gltest"
)

func TestMain(m *testing.M) { os.Exit(gltest.Main(m)) }

// newGL returns a GL rasterizer closed at the end of the test.
func newGL(tb testing.TB) *Rasterizer {
	tb.Helper()
	gltest.Require(tb)
	r, err := New(gltest.OnMain)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() { r.Close() })
	tb.Logf("renderer: %s (software: %v)", r.Renderer(), IsSoftware(r.Renderer()))
	return r
}

func poisoned(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x5a
	}
	return img
}

// diff counts pixels whose channels differ by more than tol and returns
// the first such pixel.
func diff(a, b *image.RGBA, tol int) (n int, at image.Point) {
	for y := 0; y < a.Rect.Dy(); y++ {
		for x := 0; x < a.Rect.Dx(); x++ {
			pa, pb := a.RGBAAt(x, y), b.RGBAAt(x, y)
			if absd(pa.R, pb.R) > tol || absd(pa.G, pb.G) > tol || absd(pa.B, pb.B) > tol || absd(pa.A, pb.A) > tol {
				if n == 0 {
					at = image.Pt(x, y)
				}
				n++
			}
		}
	}
	return n, at
}

func absd(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestDrawMatchesCPU draws the benchmark scene and small edge cases with
// both backends. The trace coverage is computed by the same rule and
// quantised the same way, so only float rounding may differ: at most 1 in
// a channel. The fuller comparison (blurred, with ECG scenes) lives in
// ui/render/compare.
func TestDrawMatchesCPU(t *testing.T) {
	r := newGL(t)
	flat := benchScene(t, 1, 40, 30)
	for x := range flat.Lanes[0].Columns {
		flat.Lanes[0].Columns[x] = render.Column{Min: 10.5, Max: 10.5, Last: 10.5, Valid: true}
	}
	for _, tc := range []struct {
		name string
		s    *render.Scene
		dst  image.Rectangle
	}{
		{"12 lanes", benchScene(t, 12, 1200, 900), image.Rect(0, 0, 1200, 900)},
		{"half-pixel flat line", flat, image.Rect(0, 0, 40, 30)},
		{"clipped to a smaller image", benchScene(t, 3, 300, 200), image.Rect(0, 0, 170, 90)},
		{"odd size", benchScene(t, 5, 333, 77), image.Rect(0, 0, 333, 77)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := poisoned(tc.dst.Dx(), tc.dst.Dy())
			cpu.New().Draw(want, tc.s)
			got := poisoned(tc.dst.Dx(), tc.dst.Dy())
			r.Draw(got, tc.s)
			if err := r.Err(); err != nil {
				t.Fatalf("GL failed: %v", err)
			}
			if n, at := diff(want, got, 1); n > 0 {
				t.Errorf("%d pixels differ by more than 1; first at %v: cpu %v, gl %v",
					n, at, want.RGBAAt(at.X, at.Y), got.RGBAAt(at.X, at.Y))
			}
		})
	}
}

func TestRowZeroIsTheTop(t *testing.T) {
	r := newGL(t)
	s := &render.Scene{Width: 8, Height: 16, Background: color.RGBA{A: 255},
		Lanes: []render.Lane{{Top: 0, Height: 16, Color: color.RGBA{G: 255, A: 255},
			Columns: []render.Column{{Min: 2, Max: 2, Last: 2, Valid: true}}}}}
	img := poisoned(8, 16)
	r.Draw(img, s)
	for y := 0; y < 16; y++ {
		want := color.RGBA{A: 255}
		if y == 2 {
			want = color.RGBA{G: 255, A: 255}
		}
		if got := img.RGBAAt(0, y); got != want {
			t.Errorf("pixel (0,%d) = %v, want %v", y, got, want)
		}
	}
}

// sceneAt is a 16×16 frame with a flat line at row y, so that which frame
// Draw returned can be read off the image.
func sceneAt(y float32) *render.Scene {
	cols := make([]render.Column, 16)
	for x := range cols {
		cols[x] = render.Column{Min: y, Max: y, Last: y, Valid: true}
	}
	return &render.Scene{Width: 16, Height: 16, Background: color.RGBA{A: 255},
		Lanes: []render.Lane{{Height: 16, Color: color.RGBA{G: 255, A: 255}, Columns: cols}}}
}

// lineRow returns the row of the line in column 3, or -1.
func lineRow(img *image.RGBA) int {
	for y := 0; y < img.Rect.Dy(); y++ {
		if img.RGBAAt(3, y).G == 255 {
			return y
		}
	}
	return -1
}

func TestPeriodPipelinesButNeverShowsStaleFrames(t *testing.T) {
	r := newGL(t)
	clock := time.Unix(1000, 0)
	r.now = func() time.Time { return clock }
	const period = 40 * time.Millisecond
	// Each step advances the clock, draws a line at row `line` and expects
	// the line of the frame Draw should return.
	steps := []struct {
		name      string
		period    time.Duration
		advance   time.Duration
		line, got int
	}{
		{"synchronous by default", 0, 0, 1, 1},
		{"synchronous again", 0, period, 2, 2},
		{"first pipelined draw waits", period, period, 3, 3},
		{"pipeline fills: frame N-1 once more", period, period, 4, 3},
		{"steady: N-1", period, period, 5, 4},
		{"steady: N-1 again", period, period / 2, 6, 5},
		{"after a pause N-1 is stale: wait for N", period, 5 * period, 7, 7},
		{"refill", period, period, 8, 7},
		{"steady after refill", period, period, 9, 8},
		{"back to synchronous", 0, period, 10, 10},
	}
	late := 0
	for _, st := range steps {
		clock = clock.Add(st.advance)
		r.SetPeriod(st.period)
		img := poisoned(16, 16)
		r.Draw(img, sceneAt(float32(st.line)))
		if got := lineRow(img); got != st.got {
			t.Errorf("%s: Draw(frame %d) showed frame %d, want %d", st.name, st.line, got, st.got)
		}
		if st.got != st.line {
			late++
		}
	}
	if s := r.Stats(); int(s.Late) != late || int(s.Frames) != len(steps) || s.FellBack != 0 {
		t.Errorf("Stats = %+v, want %d frames, %d late, none fell back", s, len(steps), late)
	}
}

func TestResizeDropsThePendingFrame(t *testing.T) {
	r := newGL(t)
	r.SetPeriod(time.Hour)
	r.Draw(poisoned(16, 16), sceneAt(3))
	big := sceneAt(5)
	big.Width, big.Height = 20, 16
	img := poisoned(20, 16)
	r.Draw(img, big)
	if got := lineRow(img); got != 5 {
		t.Errorf("after a resize Draw showed the line at row %d, want 5 (this frame)", got)
	}
}

func TestCloseThenDrawFallsBackToCPU(t *testing.T) {
	r := newGL(t)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	img := poisoned(16, 16)
	r.Draw(img, sceneAt(6))
	if got := lineRow(img); got != 6 {
		t.Errorf("Draw after Close showed line %d, want 6 drawn by cpu", got)
	}
	if r.Err() != ErrClosed || r.Stats().FellBack != 1 {
		t.Errorf("Err = %v, Stats = %+v; want ErrClosed and one fallback frame", r.Err(), r.Stats())
	}
}

func TestDrawDoesNotAllocate(t *testing.T) {
	for _, period := range []time.Duration{0, time.Hour} {
		r := newGL(t)
		r.SetPeriod(period)
		s := benchScene(t, 12, 1200, 900)
		img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
		r.Draw(img, s)
		if n := testing.AllocsPerRun(5, func() { r.Draw(img, s) }); n != 0 {
			t.Errorf("period %v: Draw allocates %.0f times a frame, want 0", period, n)
		}
	}
}

func TestNewWithoutDisplaySaysSo(t *testing.T) {
	gltest.Require(t)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	r, err := New(gltest.OnMain)
	if err == nil {
		r.Close()
		t.Fatal("New without a display succeeded")
	}
	if !strings.Contains(err.Error(), "no display") {
		t.Errorf("New without a display: %v; want it to say so", err)
	}
}

func TestTooLargeFrameFallsBackForThatFrameOnly(t *testing.T) {
	r := newGL(t)
	w := r.ctx.maxSize + 1 // read before any Draw: set up in New, before ready
	s := sceneAt(4)
	s.Width, s.Height = w, 2
	img := poisoned(w, 2)
	r.Draw(img, s)
	if r.Err() != nil || r.Stats().FellBack != 1 {
		t.Fatalf("after a too-large frame Err = %v, Stats = %+v; want no error, one fallback", r.Err(), r.Stats())
	}
	img = poisoned(16, 16)
	r.Draw(img, sceneAt(7))
	if got := lineRow(img); got != 7 || r.Stats().Frames != 1 {
		t.Errorf("next frame: line at %d, Stats %+v; want 7 drawn by GL", got, r.Stats())
	}
}

// TestGridExactPitch draws paper at 96 dpi (1 mm = 3.7795 px) with GL: the
// line classes come from render.Grid as in render/cpu, so the grid is the
// same to the pixel, with the 50th 5 mm line at round(250·3.7795) = 945.
func TestGridExactPitch(t *testing.T) {
	r := newGL(t)
	const mm = 96 / 25.4
	minor, major := color.RGBA{R: 40, A: 255}, color.RGBA{R: 90, A: 255}
	for _, g := range []render.Grid{
		{PitchX: mm, PitchY: mm, MajorEvery: 5, Minor: minor, Major: major},
		{PitchX: 5 * mm / 2, PitchY: 5 * mm / 2, MajorEvery: 1, Minor: minor, Major: major}, // 48 dpi: 5 mm only
		{PitchX: 7.3, MinorY: 3, MajorY: 12, MajorEvery: 4, Minor: minor, Major: major},
	} {
		s := &render.Scene{Width: 1000, Height: 960, Background: color.RGBA{A: 255}, Grid: g}
		want := poisoned(s.Width, s.Height)
		cpu.New().Draw(want, s)
		got := poisoned(s.Width, s.Height)
		r.Draw(got, s)
		if err := r.Err(); err != nil {
			t.Fatalf("GL failed: %v", err)
		}
		if n, at := diff(want, got, 0); n > 0 {
			t.Errorf("grid %+v: %d pixels differ from cpu; first at %v: cpu %v, gl %v",
				g, n, at, want.RGBAAt(at.X, at.Y), got.RGBAAt(at.X, at.Y))
		}
		if g.MajorEvery == 5 {
			for _, p := range []image.Point{{945, 2}, {2, 945}, {945, 1}} {
				if c := got.RGBAAt(p.X, p.Y); c != major {
					t.Errorf("pixel %v on the 50th 5 mm line = %v, want major", p, c)
				}
			}
			if c := got.RGBAAt(944, 1); c == major || c == minor {
				t.Errorf("pixel (944,1) next to the 50th 5 mm line = %v, want background", c)
			}
		}
	}
}
