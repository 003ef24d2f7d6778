package waveview

import (
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"telewave/ui/paper"
	"telewave/ui/render"
)

// 254 dpi: 10 px/mm, so 25 mm/s is 250 px/s and 10 mm/mV is 100 px/mV.
var cal254 = paper.Calibration{DPI: 254, SpeedMMs: 25, GainMMmV: 10, Calibrated: true}

// newPaperView is one Paper trace at 250 Hz (one sample per pixel at
// 25 mm/s) in a w×h window at cal254.
func newPaperView(tb testing.TB, w, h float32, mode Mode) (*WaveView, fyne.Window) {
	tb.Helper()
	test.NewTempApp(tb)
	c := cal254
	v := New([]Trace{{Label: "II", Color: colors[1], Rate: 250, Min: -1, Max: 1, Paper: true}},
		Options{Calibration: &c, Mode: mode, Background: black, EraseWidth: 10, Filters: "0.5–40 Hz",
			Grid: render.Grid{Minor: color.RGBA{R: 40, A: 255}, Major: color.RGBA{R: 90, A: 255}}})
	win := test.NewTempWindow(tb, v)
	win.SetPadded(false)
	win.Resize(fyne.NewSize(w, h))
	return v, win
}

// steps pushes n samples of a square wave: 0 mV, then amp mV for the
// second half.
func pushLevel(v *WaveView, n int, mv float32) {
	s := make([]float32, n)
	for i := range s {
		s[i] = mv
	}
	v.Push(0, s)
}

// rowsOf returns the rows of column x drawn in c.
func rowsOf(tb testing.TB, v *WaveView, x int, c color.RGBA) []int {
	tb.Helper()
	img := v.front.Load().img
	var rows []int
	for y := range img.Rect.Dy() {
		if img.RGBAAt(x, y) == c {
			rows = append(rows, y)
		}
	}
	return rows
}

func TestPaperGainAndPulse(t *testing.T) {
	v, _ := newPaperView(t, 600, 300, ModeSweep)
	pushLevel(v, 100, 0)
	pushLevel(v, 100, 1.5)
	v.rs.step(now)

	base := int(math.Round(paperBaseline * 300)) // 180
	// The pulse: 75 px (0.3 s); 1 mV for columns 12.5–62.5.
	for _, tc := range []struct {
		x    int
		want int
	}{{5, base}, {30, base - 100}, {60, base - 100}, {70, base}} {
		rows := rowsOf(t, v, tc.x, colors[1])
		if len(rows) != 1 || rows[0] != tc.want {
			t.Errorf("pulse column %d drawn at rows %v, want [%d]", tc.x, rows, tc.want)
		}
	}
	// The trace starts after the pulse: 0 mV at the baseline, 1.5 mV 150 px up.
	if rows := rowsOf(t, v, 75+50, colors[1]); len(rows) != 1 || rows[0] != base {
		t.Errorf("0 mV drawn at rows %v, want [%d]", rows, base)
	}
	if rows := rowsOf(t, v, 75+150, colors[1]); len(rows) != 1 || rows[0] != base-150 {
		t.Errorf("1.5 mV drawn at rows %v, want [%d]", rows, base-150)
	}
	// 200 samples at 250 Hz and 250 px/s: the head is at sweep column 199.
	if got := v.rs.sweeps[0].Head(); got != 199 {
		t.Errorf("head at sweep column %d, want 199 (true speed)", got)
	}
	// The grid is in mm: a line every 10 px, every fifth major.
	if g := v.rs.scene.Grid; g.PitchX != 10 || g.PitchY != 10 || g.MajorEvery != 5 {
		t.Errorf("grid %+v, want a 10 px pitch, every 5th line major", g)
	}

	// Doubling the gain and the speed redraws at the new scale.
	fast := cal254
	fast.SpeedMMs, fast.GainMMmV = 50, 20
	v.SetCalibration(fast)
	v.rs.step(now)
	// The pulse is now 150 px (0.3 s at 500 px/s) and each sample 2 px:
	// sample 150 (1.5 mV) is at 150+300. At 200 px/mV it is off the lane,
	// clamped to its top row.
	if rows := rowsOf(t, v, 150+300, colors[1]); len(rows) != 1 || rows[0] != 0 {
		t.Errorf("1.5 mV at 20 mm/mV drawn at rows %v, want the lane's top", rows)
	}
	if got := v.rs.sweeps[0].Head(); got != 398 {
		t.Errorf("head at 50 mm/s at sweep column %d, want 398 (sample 199 × 2 px)", got)
	}
}

func TestUncalibratedIgnoresPaper(t *testing.T) {
	v, _ := newView(t, 1, 200, 60)
	v.SetTrace(0, Trace{Label: "II", Color: colors[0], Min: -1, Max: 1, Paper: true})
	v.SetCalibration(cal254) // no effect: made without a calibration
	pushLevel(v, 100, 1)
	v.rs.step(now)
	if rows := rowsOf(t, v, 50, colors[0]); len(rows) != 1 || rows[0] != 0 {
		t.Errorf("1 of range ±1 drawn at %v, want the top row", rows)
	}
	if _, ok := v.Calibration(); ok {
		t.Error("uncalibrated view reports a calibration")
	}
	if s := v.StatusText(); !strings.Contains(s, "not to scale") {
		t.Errorf("status %q", s)
	}
}

func TestScrollKeepsNewestAtRightEdge(t *testing.T) {
	v, _ := newPaperView(t, 475, 200, ModeScroll) // 400 px of sweep after the pulse
	pushLevel(v, 100, 0)
	pushLevel(v, 1, 1) // one spike, the newest sample
	v.rs.step(now)
	base := int(math.Round(paperBaseline * 200))
	if rows := rowsOf(t, v, 474, colors[1]); len(rows) == 0 || rows[0] != base-100 {
		t.Errorf("right edge rows %v, want the 1 mV spike at %d", rows, base-100)
	}
	if rows := rowsOf(t, v, 374, colors[1]); len(rows) != 1 || rows[0] != base {
		t.Errorf("100 samples before the edge: rows %v, want baseline", rows)
	}
	if rows := rowsOf(t, v, 200, colors[1]); len(rows) != 0 {
		t.Errorf("before the first sample: rows %v, want nothing", rows)
	}
	pushLevel(v, 50, 0)
	v.rs.step(now)
	// The spike moved 50 px left; no erase bar in scroll mode.
	if rows := rowsOf(t, v, 424, colors[1]); len(rows) == 0 || rows[0] != base-100 {
		t.Errorf("after 50 more samples the spike should be at x=424: rows %v", rows)
	}
	if v.rs.scene.EraseWidth != 0 {
		t.Errorf("erase bar %d px in scroll mode", v.rs.scene.EraseWidth)
	}
	if s := v.StatusText(); !strings.Contains(s, "scrolling") {
		t.Errorf("status %q", s)
	}
}

func TestFreezeKeepsPictureAndJumpsToNow(t *testing.T) {
	v, _ := newPaperView(t, 475, 200, ModeSweep)
	pushLevel(v, 100, 0)
	v.rs.step(now)
	v.Freeze(true)
	v.rs.step(now) // the freeze frame
	drawn := v.Stats().FramesDrawn
	pushLevel(v, 150, 1) // the rings keep filling
	for range 3 {
		v.rs.step(now)
	}
	if got := v.Stats().FramesDrawn; got != drawn {
		t.Errorf("%d frames drawn while frozen and unchanged", got-drawn)
	}
	if got := v.WriteCount(0); got != 250 {
		t.Errorf("ring holds %d samples while frozen, want 250", got)
	}
	if got := v.DrawnThrough(0); got != 100 {
		t.Errorf("frozen picture drawn through %d, want 100", got)
	}
	if !strings.Contains(v.StatusText(), "FROZEN") {
		t.Errorf("status %q lacks FROZEN", v.StatusText())
	}
	// A resize while frozen redraws the frozen picture, not the new samples.
	v.setPixelSize(500, 200)
	v.rs.step(now)
	if got := v.DrawnThrough(0); got != 100 {
		t.Errorf("after a resize while frozen drawn through %d, want 100", got)
	}
	v.Freeze(false)
	v.rs.step(now)
	if got := v.DrawnThrough(0); got != 250 {
		t.Errorf("after unfreeze drawn through %d, want 250 (now)", got)
	}
	base := int(math.Round(paperBaseline * 200))
	if rows := rowsOf(t, v, 75+200, colors[1]); len(rows) != 1 || rows[0] != base-100 {
		t.Errorf("after unfreeze column of sample 200 rows %v, want the 1 mV level", rows)
	}
}

func TestStatusText(t *testing.T) {
	v, _ := newPaperView(t, 300, 100, ModeSweep)
	for _, w := range []string{"25 mm/s", "10 mm/mV", "0.5–40 Hz"} {
		if !strings.Contains(v.StatusText(), w) {
			t.Errorf("status %q lacks %q", v.StatusText(), w)
		}
	}
	if strings.Contains(v.StatusText(), "uncalibrated") {
		t.Errorf("calibrated status %q says uncalibrated", v.StatusText())
	}
	v.SetFilters("notch 60 Hz")
	guess := paper.Standard(paper.DefaultDPI, false)
	v.SetCalibration(guess)
	for _, w := range []string{"notch 60 Hz", "uncalibrated"} {
		if !strings.Contains(v.StatusText(), w) {
			t.Errorf("status %q lacks %q", v.StatusText(), w)
		}
	}
	v.SetCalibration(paper.Calibration{}) // invalid: ignored
	if c, _ := v.Calibration(); c != guess {
		t.Errorf("an invalid calibration replaced %+v with %+v", guess, c)
	}
}

// TestCalibratedGridIsExact: the live grid is at the calibration's exact
// px/mm, so at 96 dpi the 50th 5 mm line is at round(250·3.7795) = 945 px
// (at whole pixels it was at 950), and below 2.5 px/mm only 5 mm lines are
// drawn.
func TestCalibratedGridIsExact(t *testing.T) {
	g0 := render.Grid{Minor: color.RGBA{R: 40, A: 255}, Major: color.RGBA{R: 90, A: 255}}
	for _, tc := range []struct {
		dpi       float64
		wantMajor int // position of 5 mm line 50
		minors    bool
	}{
		{96, 945, true},
		{109.22, int(math.Round(250 * 109.22 / 25.4)), true},
		{60, int(math.Round(250 * 60 / 25.4)), false},
	} {
		g := calibratedGrid(paper.Standard(tc.dpi, true), g0)
		cols := g.AppendColumns(nil, 3000)
		rows := g.AppendRows(nil, 3000)
		var majors []int
		minors := 0
		for x, c := range cols {
			switch c {
			case render.MajorLine:
				majors = append(majors, x)
			case render.MinorLine:
				minors++
			}
			if rows[x] != c {
				t.Fatalf("%g dpi: row %d class %d, column %d", tc.dpi, x, rows[x], c)
			}
		}
		if len(majors) <= 50 || majors[50] != tc.wantMajor {
			t.Errorf("%g dpi: 5 mm lines at %v, want the 50th at %d", tc.dpi, majors[:min(len(majors), 52)], tc.wantMajor)
		}
		if (minors > 0) != tc.minors {
			t.Errorf("%g dpi: %d 1 mm lines, want them drawn: %v", tc.dpi, minors, tc.minors)
		}
		if g.Minor != g0.Minor || g.Major != g0.Major {
			t.Errorf("%g dpi: colours %v/%v, want %v/%v", tc.dpi, g.Minor, g.Major, g0.Minor, g0.Major)
		}
	}
}
