package waveview

import (
	"context"
	"image"
	"math"
	"time"

	"telewave/ui/render"
)

// frame is one of the two images and what it shows.
type frame struct {
	img     *image.RGBA
	through []uint64 // per trace: ring count drawn into img
}

// geometry is what the sweeps were built for; a change rebuilds them.
type geometry struct {
	pw, ph  int
	x0      int     // first column of the sweeps (after the pulse)
	seconds float64 // time across the sweep width
}

// renderState is everything the render goroutine owns between frames.
type renderState struct {
	w        *WaveView
	traces   []Trace  // copied from the widget each frame
	settings settings // likewise
	sweeps   []*Sweep
	geo      geometry
	frames   [2]*frame
	back     int
	scene    render.Scene
	scratch  []float32
	swapFn   func()

	wasFrozen bool
	frozenAt  []uint64 // per trace: the sweep's Next when the freeze began
	drawnGen  uint64   // w.gen of the last frame drawn
	drawnSize uint64
}

func newRenderState(w *WaveView) *renderState {
	n := len(w.rates)
	rs := &renderState{w: w, traces: make([]Trace, n), sweeps: make([]*Sweep, n),
		scratch: make([]float32, 4096), frozenAt: make([]uint64, n)}
	rs.scene.Lanes = make([]render.Lane, n)
	rs.swapFn = w.swap
	return rs
}

// Run is the render goroutine: it folds new samples into the sweeps, draws
// a frame into the back image and hands schedule a func that swaps it in
// and refreshes the raster on the UI thread. schedule is the ui bridge's
// wrapper around fyne.Do. While the previous swap has not run the tick is
// dropped, so a busy UI costs frames, never samples: pushing into the rings
// never waits on drawing.
//
// fps is the highest rate. About once a second a pacing controller looks
// at the drawing time and the dropped ticks and steps the rate down
// (60 → 30 → 25) when the machine cannot keep up, and up again when it
// can. Run returns when ctx is done; the caller starts it in its own
// goroutine, at most one per WaveView, and waits for it.
func (w *WaveView) Run(ctx context.Context, fps int, schedule func(func())) {
	if fps <= 0 {
		fps = 60
	}
	p := newPacer(fps)
	w.fps.Store(int64(p.fps()))
	t := time.NewTicker(time.Second / time.Duration(p.fps()))
	defer t.Stop()
	var win paceWindow
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		switch d, res := w.rs.step(schedule); res {
		case stepDrawn:
			win.drawn++
			win.draw += d
		case stepDropped:
			win.dropped++
		}
		win.ticks++
		if win.ticks < p.fps() {
			continue
		}
		if old, next := p.fps(), p.update(win); next != old {
			t.Reset(time.Second / time.Duration(next))
			w.fps.Store(int64(next))
		}
		win = paceWindow{}
	}
}

// stepResult is what one tick did, for the pacing controller.
type stepResult int

const (
	stepIdle    stepResult = iota // nothing to draw (not laid out, or frozen and unchanged)
	stepDrawn                     // a frame was drawn and handed over
	stepDropped                   // the last swap was still pending
)

// step draws one frame unless the last one is still waiting for its swap,
// and returns how long drawing took.
func (rs *renderState) step(schedule func(func())) (time.Duration, stepResult) {
	w := rs.w
	if w.pending.Load() {
		w.dropped.Add(1)
		return 0, stepDropped
	}
	pw, ph := w.pixelSize()
	if pw <= 0 || ph <= 0 {
		return 0, stepIdle // not laid out yet: nothing to draw, nothing dropped
	}
	gen, size := w.gen.Load(), w.size.Load()
	if rs.wasFrozen && w.frozen.Load() && gen == rs.drawnGen && size == rs.drawnSize {
		return 0, stepIdle // the frozen picture is on screen already
	}
	start := time.Now()
	f := rs.draw(pw, ph)
	d := time.Since(start)
	rs.drawnGen, rs.drawnSize = gen, size
	w.lastNs.Store(int64(d))
	w.drawn.Add(1)
	w.ready.Store(f)
	w.pending.Store(true)
	rs.back ^= 1
	schedule(rs.swapFn)
	return d, stepDrawn
}

// draw brings every sweep up to date and rasterizes the back frame.
func (rs *renderState) draw(pw, ph int) *frame {
	w := rs.w
	w.mu.Lock()
	copy(rs.traces, w.traces)
	rs.settings = w.settings
	w.mu.Unlock()
	frozen := w.frozen.Load()
	jump := rs.wasFrozen && !frozen // unfreeze jumps to now
	if frozen && !rs.wasFrozen {
		for i, s := range rs.sweeps {
			if s != nil {
				rs.frozenAt[i] = s.Next()
			}
		}
	}
	rs.wasFrozen = frozen
	rs.resize(pw, ph, jump)
	f := rs.frames[rs.back]
	for i, s := range rs.sweeps {
		limit := uint64(math.MaxUint64)
		if frozen {
			limit = rs.frozenAt[i]
		}
		rs.catchUp(w.rings[i], s, limit)
		f.through[i] = s.Next()
	}
	rs.buildScene(pw, ph)
	w.opts.Rasterizer.Draw(f.img, &rs.scene)
	return f
}

// geometryFor is where the sweeps go at a pixel size: with a calibration
// they start after the pulse and show the width's worth of seconds at the
// paper speed.
func (rs *renderState) geometryFor(pw, ph int) geometry {
	g := geometry{pw: pw, ph: ph, seconds: rs.w.opts.Seconds}
	if st := rs.settings; st.hasCal {
		g.x0 = min(int(math.Round(st.cal.PulsePx())), pw/4)
		g.seconds = float64(pw-g.x0) / st.cal.PxPerSecond()
	}
	return g
}

// resize reallocates images and sweeps when the pixel size or calibration
// changed, or when force is set (unfreeze). Sweeps are refilled from the
// rings, which hold a whole sweep, so a resize redraws the picture at the
// new width instead of blanking it.
func (rs *renderState) resize(pw, ph int, force bool) {
	g := rs.geometryFor(pw, ph)
	if rs.frames[0] != nil && g == rs.geo && !force {
		return
	}
	n := len(rs.sweeps)
	if f := rs.frames[0]; f == nil || f.img.Rect.Dx() != pw || f.img.Rect.Dy() != ph {
		for i := range rs.frames {
			// New frames, never the old ones resized: the UI may still be
			// showing the front frame.
			rs.frames[i] = &frame{img: image.NewRGBA(image.Rect(0, 0, pw, ph)), through: make([]uint64, n)}
		}
		for i := range rs.scene.Lanes {
			rs.scene.Lanes[i].Columns = make([]render.Column, pw)
		}
	}
	rs.geo = g
	w := rs.w
	for i := range rs.sweeps {
		sw := pw - g.x0
		s := NewSweep(sw, g.seconds, w.rates[i])
		r := w.rings[i]
		back := uint64(min(r.Cap(), int(g.seconds*w.rates[i])+1))
		end := r.Count()
		if rs.wasFrozen {
			end = min(end, rs.frozenAt[i])
		}
		if end > back {
			s.Add(end-back, nil) // start the refill at the oldest sample that still shows
		}
		rs.sweeps[i] = s
	}
}

// catchUp reads what the ring got since the sweep's last frame, up to
// sample limit (exclusive).
func (rs *renderState) catchUp(r *Ring, s *Sweep, limit uint64) {
	for s.Next() < limit {
		dst := rs.scratch
		if left := limit - s.Next(); left < uint64(len(dst)) {
			dst = dst[:left]
		}
		from, n := r.Read(s.Next(), dst)
		if from > s.Next() || n > 0 {
			s.Add(from, dst[:n])
		}
		if n < len(dst) {
			return
		}
	}
}

// swap runs on the UI thread: the drawn frame becomes the one the raster
// shows.
func (w *WaveView) swap() {
	f := w.ready.Load()
	if f == nil {
		return
	}
	w.front.Store(f)
	for i, c := range f.through {
		w.through[i].Store(c)
	}
	w.shown.Add(1)
	w.pending.Store(false)
	if r := w.raster.Load(); r != nil {
		r.Refresh()
	}
}
