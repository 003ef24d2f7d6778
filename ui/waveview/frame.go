package waveview

import (
	"context"
	"image"
	"time"

	"telewave/ui/render"
)

// frame is one of the two images and what it shows.
type frame struct {
	img     *image.RGBA
	through []uint64 // per trace: ring count drawn into img
}

// renderState is everything the render goroutine owns between frames.
type renderState struct {
	w       *WaveView
	traces  []Trace // copied from the widget each frame
	sweeps  []*Sweep
	frames  [2]*frame
	back    int
	scene   render.Scene
	scratch []float32
	swapFn  func()
}

func newRenderState(w *WaveView) *renderState {
	n := len(w.rates)
	rs := &renderState{w: w, traces: make([]Trace, n), sweeps: make([]*Sweep, n),
		scratch: make([]float32, 4096)}
	rs.scene.Lanes = make([]render.Lane, n)
	rs.swapFn = w.swap
	return rs
}

// Run is the render goroutine: fps times a second it folds new samples into
// the sweeps, draws a frame into the back image and hands schedule a func
// that swaps it in and refreshes the raster on the UI thread. schedule is
// the ui bridge's wrapper around fyne.Do. While the previous swap has not run
// the tick is dropped, so a busy UI costs frames, never samples. Run returns
// when ctx is done; the caller starts it in its own goroutine, at most one
// per WaveView, and waits for it.
func (w *WaveView) Run(ctx context.Context, fps int, schedule func(func())) {
	if fps <= 0 {
		fps = 60
	}
	t := time.NewTicker(time.Second / time.Duration(fps))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.rs.step(schedule)
		}
	}
}

// step draws one frame unless the last one is still waiting for its swap.
func (rs *renderState) step(schedule func(func())) {
	w := rs.w
	if w.pending.Load() {
		w.dropped.Add(1)
		return
	}
	pw, ph := w.pixelSize()
	if pw <= 0 || ph <= 0 {
		return // not laid out yet: nothing to draw, nothing dropped
	}
	start := time.Now()
	f := rs.draw(pw, ph)
	w.lastNs.Store(int64(time.Since(start)))
	w.drawn.Add(1)
	w.ready.Store(f)
	w.pending.Store(true)
	rs.back ^= 1
	schedule(rs.swapFn)
}

// draw brings every sweep up to date and rasterizes the back frame.
func (rs *renderState) draw(pw, ph int) *frame {
	w := rs.w
	rs.resize(pw, ph)
	w.mu.Lock()
	copy(rs.traces, w.traces)
	w.mu.Unlock()
	f := rs.frames[rs.back]
	for i, s := range rs.sweeps {
		rs.catchUp(w.rings[i], s)
		f.through[i] = s.Next()
	}
	rs.buildScene(pw, ph)
	w.opts.Rasterizer.Draw(f.img, &rs.scene)
	return f
}

// resize reallocates images and sweeps when the pixel size changed. Sweeps
// are refilled from the rings, which hold a whole sweep, so a resize redraws
// the picture at the new width instead of blanking it.
func (rs *renderState) resize(pw, ph int) {
	if f := rs.frames[0]; f != nil && f.img.Rect.Dx() == pw && f.img.Rect.Dy() == ph {
		return
	}
	n := len(rs.sweeps)
	for i := range rs.frames {
		// New frames, never the old ones resized: the UI may still be
		// showing the front frame.
		rs.frames[i] = &frame{img: image.NewRGBA(image.Rect(0, 0, pw, ph)), through: make([]uint64, n)}
	}
	w := rs.w
	for i := range rs.sweeps {
		if s := rs.sweeps[i]; s != nil && s.Width() == pw {
			continue
		}
		s := NewSweep(pw, w.opts.Seconds, w.rates[i])
		r := w.rings[i]
		back := uint64(min(r.Cap(), int(w.opts.Seconds*w.rates[i])+1))
		if c := r.Count(); c > back {
			s.Add(c-back, nil) // start the refill at the oldest sample that still shows
		}
		rs.sweeps[i] = s
	}
	for i := range rs.scene.Lanes {
		rs.scene.Lanes[i].Columns = make([]render.Column, pw)
	}
}

// catchUp reads what the ring got since the sweep's last frame.
func (rs *renderState) catchUp(r *Ring, s *Sweep) {
	for {
		from, n := r.Read(s.Next(), rs.scratch)
		if from > s.Next() || n > 0 {
			s.Add(from, rs.scratch[:n])
		}
		if n < len(rs.scratch) {
			return
		}
	}
}

// buildScene converts each sweep's envelopes (signal units) to lane pixel
// rows. The first trace's sweep places the erase bar; every lane also
// blanks its own erase columns, so a trace from another device, whose sweep
// runs on its own clock, gets its own bar.
func (rs *renderState) buildScene(pw, ph int) {
	w := rs.w
	sc := &rs.scene
	sc.Width, sc.Height = pw, ph
	sc.Background, sc.Grid = w.opts.Background, w.opts.Grid
	bar := max(w.opts.EraseWidth, 0)
	sc.EraseWidth = bar
	n := len(rs.sweeps)
	for i, s := range rs.sweeps {
		t := rs.traces[i]
		ln := &sc.Lanes[i]
		ln.Top = i * ph / n
		ln.Height = (i+1)*ph/n - ln.Top
		ln.Color, ln.Label = t.Color, t.Label
		scale := float32(ln.Height-1) / (t.Max - t.Min)
		erase0, erase1 := s.Head()+1, s.Head()+1+bar
		for x := range ln.Columns {
			e := s.Column(x)
			inBar := (x >= erase0 && x < erase1) || x+pw < erase1
			if !e.Valid || s.Head() < 0 || inBar {
				ln.Columns[x] = render.Column{}
				continue
			}
			ln.Columns[x] = render.Column{Min: (t.Max - e.Max) * scale, Max: (t.Max - e.Min) * scale,
				Last: (t.Max - e.Last) * scale, Valid: true}
		}
		if i == 0 {
			sc.EraseX = erase0
			if s.Head() < 0 {
				sc.EraseWidth = 0
			}
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
