// Package waveview is the live waveform widget: rings that device goroutines
// push samples into, a sweep model that folds new samples into a min/max
// envelope per pixel column, and a render goroutine that draws each frame
// with a render.Rasterizer into one of two images off the UI thread.
//
// The UI thread only swaps the finished image in and refreshes one
// canvas.Raster (DESIGN §4: a segment per canvas.Line gives 2–7 fps). The
// package never calls fyne.Do: Run takes the ui bridge's scheduler.
package waveview

import (
	"image"
	"image/color"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"telewave/ui/paper"
	"telewave/ui/render"
	"telewave/ui/render/cpu"
)

// Trace configures one lane of the display.
type Trace struct {
	Label string
	Color color.RGBA
	// Rate is the sample rate in Hz; it fixes how many samples one sweep
	// shows and cannot change after New.
	Rate float64
	// Min and Max are the physical range the lane shows, in the signal's
	// unit; samples outside it are clipped to the lane's edge.
	Min, Max float32
	// Paper draws the trace at the calibration's gain instead of Min/Max:
	// the samples are in mV, 0 mV sits at 60 % of the lane's height and a
	// 1 mV calibration pulse starts the lane. Without Options.Calibration
	// it has no effect.
	Paper bool
}

// Mode is how new samples enter the picture.
type Mode int

const (
	// ModeSweep writes over the previous sweep from left to right behind an
	// erase bar, as a bedside monitor does.
	ModeSweep Mode = iota
	// ModeScroll keeps the newest sample at the right edge and moves the whole
	// trace left.
	ModeScroll
)

// Options configures a WaveView; the zero value gives a 6 s sweep with a
// 12 px erase bar on black without grid, drawn by the CPU rasterizer.
type Options struct {
	// Seconds is the time one sweep across the width shows.
	Seconds float64
	// EraseWidth is the erase bar's width in pixels.
	EraseWidth int
	Background color.RGBA
	// Grid is the paper grid; with a Calibration only its colours are used
	// and the spacing is 1 mm and 5 mm.
	Grid       render.Grid
	Rasterizer render.Rasterizer
	// Calibration, when set, draws at true paper scale: the sweep runs at
	// SpeedMMs (Seconds is then the width's worth), Paper traces at
	// GainMMmV, the grid in mm, and every lane starts with the space of a
	// calibration pulse.
	Calibration *paper.Calibration
	Mode        Mode
	// Filters names the filters the traces show through, for StatusText.
	Filters string
}

// Stats are the render goroutine's counters, for benchmarks and tests.
type Stats struct {
	FramesDrawn   uint64 // frames rasterized and handed to the scheduler
	FramesShown   uint64 // frames whose swap ran on the UI thread
	FramesDropped uint64 // ticks skipped because the previous swap had not run
	LastDraw      time.Duration
	FPS           int // the rate the pacing controller chose last
}

// WaveView shows live traces, one lane each, stacked top to bottom.
type WaveView struct {
	widget.BaseWidget

	opts  Options
	rates []float64
	rings []*Ring

	mu       sync.Mutex // guards what follows: setters on the UI thread, Run copies
	traces   []Trace
	settings settings
	gen      atomic.Uint64 // bumped by every setter, so a frozen view redraws
	frozen   atomic.Bool

	size   atomic.Uint64 // pixel size, w<<32|h, set on the UI thread
	front  atomic.Pointer[frame]
	ready  atomic.Pointer[frame] // drawn, swap scheduled
	raster atomic.Pointer[canvas.Raster]
	empty  *image.RGBA // shown before the first frame

	pending atomic.Bool
	drawn   atomic.Uint64
	shown   atomic.Uint64
	dropped atomic.Uint64
	lastNs  atomic.Int64
	fps     atomic.Int64
	through []atomic.Uint64 // per trace, in the frame last shown

	rs *renderState // owned by the goroutine in Run
}

// New returns a WaveView for traces. A trace whose Rate is not positive is
// shown as if sampled at 1 Hz, and one whose range is empty gets ±1 around
// Min, so that bad device metadata degrades the picture instead of panicking.
func New(traces []Trace, opts Options) *WaveView {
	if !(opts.Seconds > 0) {
		opts.Seconds = 6
	}
	if opts.EraseWidth == 0 {
		opts.EraseWidth = 12
	}
	if opts.Background == (color.RGBA{}) {
		opts.Background = color.RGBA{A: 255}
	}
	if opts.Rasterizer == nil {
		opts.Rasterizer = cpu.New()
	}
	ringSeconds := opts.Seconds
	if opts.Calibration != nil {
		// The width sets the seconds shown: 1200 px at 96 dpi and 25 mm/s
		// is 12.7 s, so keep enough to refill a wide screen.
		ringSeconds = max(ringSeconds, 30)
	}
	w := &WaveView{opts: opts, traces: make([]Trace, len(traces)),
		rates: make([]float64, len(traces)), rings: make([]*Ring, len(traces)),
		through: make([]atomic.Uint64, len(traces))}
	for i, t := range traces {
		t = sanitize(t)
		w.traces[i], w.rates[i] = t, t.Rate
		// A sweep's worth, so a resize can rebuild the picture, plus two
		// seconds for a render goroutine that stalls.
		w.rings[i] = NewRing(int(math.Ceil((ringSeconds+2)*t.Rate)) + 64)
	}
	w.settings = settings{mode: opts.Mode, filters: opts.Filters}
	if opts.Calibration != nil {
		w.settings.cal, w.settings.hasCal = *opts.Calibration, true
	}
	w.empty = image.NewRGBA(image.Rect(0, 0, 1, 1))
	w.empty.SetRGBA(0, 0, opts.Background)
	w.rs = newRenderState(w)
	w.ExtendBaseWidget(w)
	return w
}

func sanitize(t Trace) Trace {
	if !(t.Rate > 0) || math.IsInf(t.Rate, 0) {
		t.Rate = 1
	}
	if !(t.Max > t.Min) {
		t.Min, t.Max = t.Min-1, t.Min+1
	}
	return t
}

// Push appends samples to trace's ring; NaN marks a gap. It is safe from any
// goroutine, never waits for the display, and ignores an unknown trace.
func (w *WaveView) Push(trace int, samples []float32) {
	if trace < 0 || trace >= len(w.rings) {
		return
	}
	w.rings[trace].Push(samples)
}

// MarkGap breaks the trace's line where the device lost data: it takes one
// sample period, shown as nothing, so the samples before and after do not
// join.
func (w *WaveView) MarkGap(trace int) {
	w.Push(trace, []float32{float32(math.NaN())})
}

// Traces returns a copy of the traces' configuration.
func (w *WaveView) Traces() []Trace {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Trace(nil), w.traces...)
}

// SetTrace changes trace i's label, colour and range (its Rate is kept) and
// refreshes the widget. Like every Fyne setter it runs on the UI thread.
func (w *WaveView) SetTrace(i int, t Trace) {
	if i < 0 || i >= len(w.rates) {
		return
	}
	t.Rate = w.rates[i]
	w.mu.Lock()
	w.traces[i] = sanitize(t)
	w.mu.Unlock()
	w.gen.Add(1)
	w.Refresh()
}

// Stats returns the frame counters.
func (w *WaveView) Stats() Stats {
	return Stats{FramesDrawn: w.drawn.Load(), FramesShown: w.shown.Load(),
		FramesDropped: w.dropped.Load(), LastDraw: time.Duration(w.lastNs.Load()), FPS: int(w.fps.Load())}
}

// DrawnThrough returns trace's ring write count included in the frame last
// shown: every sample pushed before that count is on screen. Comparing it
// with the count at push time measures device-to-pixel latency.
func (w *WaveView) DrawnThrough(trace int) uint64 {
	if trace < 0 || trace >= len(w.through) {
		return 0
	}
	return w.through[trace].Load()
}

// WriteCount returns how many samples were pushed to trace so far.
func (w *WaveView) WriteCount(trace int) uint64 {
	if trace < 0 || trace >= len(w.rings) {
		return 0
	}
	return w.rings[trace].Count()
}

// MinSize is a few pixels of height per lane.
func (w *WaveView) MinSize() fyne.Size {
	return fyne.NewSize(120, float32(24*max(len(w.rates), 1)))
}

func (w *WaveView) setPixelSize(pw, ph int) {
	w.size.Store(uint64(uint32(max(pw, 0)))<<32 | uint64(uint32(max(ph, 0))))
}

func (w *WaveView) pixelSize() (int, int) {
	v := w.size.Load()
	return int(v >> 32), int(uint32(v))
}
