package waveview

import (
	"context"
	"image"
	"image/color"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

var (
	black  = color.RGBA{A: 255}
	colors = []color.RGBA{{R: 255, A: 255}, {G: 255, A: 255}, {B: 255, A: 255}}
)

// newView puts a WaveView of n traces at 200 Hz, range ±1, with a 1 s
// sweep, into an unpadded test window of w×h.
func newView(tb testing.TB, n int, w, h float32) (*WaveView, fyne.Window) {
	tb.Helper()
	test.NewTempApp(tb)
	traces := make([]Trace, n)
	for i := range traces {
		traces[i] = Trace{Label: "II", Color: colors[i%len(colors)], Rate: 200, Min: -1, Max: 1}
	}
	v := New(traces, Options{Seconds: 1, EraseWidth: 12, Background: black})
	win := test.NewTempWindow(tb, v)
	win.SetPadded(false)
	win.Resize(fyne.NewSize(w, h))
	return v, win
}

func pushSine(tb testing.TB, v *WaveView, trace, n int) {
	tb.Helper()
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(0.8 * math.Sin(float64(i)/8))
	}
	v.Push(trace, s)
}

// now runs a scheduled func at once, as fyne.Do does under the test driver.
func now(f func()) { f() }

// count returns how many pixels of img in [x0,x1)×[y0,y1) are exactly c.
func count(img image.Image, c color.RGBA, x0, x1, y0, y1 int) int {
	n := 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(b>>8) == c.B && uint8(a>>8) == c.A {
				n++
			}
		}
	}
	return n
}

func TestViewDrawsTracesInTheirLanes(t *testing.T) {
	v, win := newView(t, 3, 200, 150)
	for i := range 3 {
		pushSine(t, v, i, 150) // 150 of the 200 columns
	}
	v.rs.step(now)

	img := win.Canvas().Capture()
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 150 {
		t.Fatalf("capture is %v, want 200×150", b)
	}
	for i := range 3 {
		top, bottom := i*50, i*50+50
		t.Run(string(rune('A'+i)), func(t *testing.T) {
			// Labels sit top-left in the trace colour: look right of them.
			if n := count(img, colors[i], 60, 150, top, bottom); n < 90 {
				t.Errorf("lane %d has %d trace pixels in the written columns, want ≥ 90", i, n)
			}
			if n := count(img, black, 150, 200, top, bottom); n != 50*50 {
				t.Errorf("lane %d: %d of %d pixels ahead of the sweep are background", i, n, 50*50)
			}
			for j := range 3 {
				if j == i {
					continue
				}
				if n := count(img, colors[i], 0, 200, j*50, j*50+50); n != 0 {
					t.Errorf("trace %d drew %d pixels in lane %d", i, n, j)
				}
			}
		})
	}
	if got := v.DrawnThrough(1); got != 150 {
		t.Errorf("DrawnThrough = %d, want 150", got)
	}
	if st := v.Stats(); st.FramesDrawn != 1 || st.FramesShown != 1 || st.FramesDropped != 0 {
		t.Errorf("stats = %+v, want one frame drawn and shown", st)
	}
}

func TestViewRedrawsAfterResize(t *testing.T) {
	v, win := newView(t, 1, 200, 60)
	pushSine(t, v, 0, 150)
	v.rs.step(now)
	win.Resize(fyne.NewSize(300, 60))
	v.rs.step(now)

	img := win.Canvas().Capture()
	if b := img.Bounds(); b.Dx() != 300 {
		t.Fatalf("capture width %d, want 300", b.Dx())
	}
	// 150 samples now span 225 columns.
	if n := count(img, colors[0], 150, 220, 0, 60); n < 70 {
		t.Errorf("%d trace pixels in columns 150–220 after widening, want ≥ 70", n)
	}
	if n := count(img, black, 240, 300, 0, 60); n != 60*60 {
		t.Errorf("%d of %d pixels right of the sweep are background", n, 60*60)
	}
}

func TestViewGapDrawsNothing(t *testing.T) {
	v, win := newView(t, 1, 200, 60)
	pushSine(t, v, 0, 60)
	gap := make([]float32, 40)
	for i := range gap {
		gap[i] = float32(math.NaN())
	}
	v.Push(0, gap)
	pushSine(t, v, 0, 60)
	v.rs.step(now)
	img := win.Canvas().Capture()
	if n := count(img, black, 62, 98, 0, 60); n != 36*60 {
		t.Errorf("%d of %d pixels in the gap are background", n, 36*60)
	}
	if n := count(img, colors[0], 100, 160, 0, 60); n < 60 {
		t.Errorf("%d trace pixels after the gap, want ≥ 60", n)
	}
}

func TestSetTraceRecolours(t *testing.T) {
	v, win := newView(t, 1, 200, 60)
	pushSine(t, v, 0, 150)
	purple := color.RGBA{R: 200, B: 200, A: 255}
	v.SetTrace(0, Trace{Label: "V1", Color: purple, Rate: 9999, Min: -2, Max: 2})
	v.rs.step(now)

	if got := v.Traces()[0]; got.Rate != 200 || got.Label != "V1" {
		t.Errorf("trace after SetTrace = %+v, want label V1 and the rate kept", got)
	}
	var label *canvas.Text
	for _, o := range test.WidgetRenderer(v).Objects() {
		if l, ok := o.(*canvas.Text); ok {
			label = l
		}
	}
	if label == nil || label.Text != "V1" || label.Color != purple {
		t.Fatalf("label = %+v, want V1 in the new colour", label)
	}
	img := win.Canvas().Capture()
	if n := count(img, purple, 60, 150, 0, 60); n < 60 {
		t.Errorf("%d pixels in the new colour, want ≥ 60", n)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func TestRunDrawsAndStops(t *testing.T) {
	v, win := newView(t, 2, 200, 100)
	pushSine(t, v, 0, 100)
	pushSine(t, v, 1, 100)
	ctx, cancel := context.WithCancel(context.Background())
	ui := make(chan func(), 1) // the test goroutine plays the UI thread
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.Run(ctx, 200, func(f func()) { ui <- f })
	}()
	for v.Stats().FramesShown < 3 {
		select {
		case f := <-ui:
			f()
			pushSine(t, v, 0, 4)
		case <-time.After(5 * time.Second):
			t.Fatal("no frame scheduled within 5 s")
		}
	}
	cancel()
	for {
		select {
		case <-ui: // a frame already drawn may still be handed over
			continue
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
		break
	}
	if got := v.DrawnThrough(0); got < 104 {
		t.Errorf("DrawnThrough(0) = %d, want the pushes after the first frame included", got)
	}
	if n := count(win.Canvas().Capture(), colors[1], 60, 100, 50, 100); n == 0 {
		t.Error("no trace pixels on screen after Run")
	}
}

func TestRunDropsFramesWhileSwapPending(t *testing.T) {
	v, _ := newView(t, 1, 200, 60)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	held := make(chan func(), 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.Run(ctx, 500, func(f func()) { held <- f })
	}()
	waitFor(t, "dropped frames", func() bool { return v.Stats().FramesDropped >= 3 })
	if st := v.Stats(); st.FramesDrawn != 1 || st.FramesShown != 0 {
		t.Fatalf("stats while the swap waits = %+v, want exactly one frame drawn", st)
	}
	(<-held)()
	waitFor(t, "a second frame", func() bool { return v.Stats().FramesDrawn >= 2 })
	cancel()
	<-done
}

// TestEachLaneHasItsOwnEraseBar covers a trace from a second device whose
// sweep runs on its own clock: its lane blanks its own bar even when the
// first trace (which places the scene-wide bar) has no data.
func TestEachLaneHasItsOwnEraseBar(t *testing.T) {
	v, win := newView(t, 2, 200, 100)
	pushSine(t, v, 1, 250) // a sweep and a quarter: head at column 49
	v.rs.step(now)
	img := win.Canvas().Capture()
	if n := count(img, black, 50, 62, 50, 100); n != 12*50 {
		t.Errorf("%d of %d pixels of lane 1's erase bar are background", n, 12*50)
	}
	if n := count(img, colors[1], 62, 200, 50, 100); n < 138 {
		t.Errorf("%d pixels of the previous sweep after the bar, want ≥ 138", n)
	}
	if n := count(img, colors[1], 60, 200, 0, 50); n != 0 {
		t.Errorf("%d trace pixels in the empty lane 0", n)
	}
}
