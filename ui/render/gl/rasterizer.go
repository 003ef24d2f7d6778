//go:build cgo

package gl

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-gl/gl/v3.3-core/gl"

	"telewave/ui/render"
	"telewave/ui/render/cpu"
)

var _ render.Rasterizer = (*Rasterizer)(nil)

// Rasterizer draws Scenes with OpenGL in its own offscreen context. Draw
// must be called from one goroutine at a time (the render goroutine), as
// with render/cpu; Stats, Err and Renderer may be called from any.
type Rasterizer struct {
	onMain   func(func())
	surf     *surface
	renderer string

	jobs    chan *job     // to the render thread; closed by Close
	done    chan struct{} // a job is finished
	stopped chan struct{} // the render thread has released the context
	once    sync.Once

	job      job // the one job in flight
	period   time.Duration
	now      func() time.Time
	fallback cpu.Rasterizer
	failed   atomic.Pointer[error] // the first GL failure; then cpu draws

	frames, late, fellBack atomic.Uint64
	threadNanos            atomic.Int64

	ctx context // owned by the render thread
}

// job is one Draw handed to the render thread.
type job struct {
	dst    *image.RGBA
	scene  *render.Scene
	period time.Duration
	err    error
}

// New makes the rasterizer's own OpenGL 3.3 core context (on Linux a GLX
// context on a display connection of its own; see surface_glx.go), using
// onMain for the calls that must run on the process main thread (in the app
// fyne.DoAndWait, GLFW already initialised by Fyne), and starts the render
// thread that owns it. It fails with a clear error when there is no
// display or OpenGL 3.3 core is not available; the caller then falls back
// to render/cpu.
func New(onMain func(func())) (*Rasterizer, error) {
	if onMain == nil {
		return nil, errors.New("gl rasterizer: no main-thread runner (onMain is nil)")
	}
	sf, err := openSurface(onMain)
	if err != nil {
		return nil, fmt.Errorf("gl rasterizer: %w", err)
	}
	r := &Rasterizer{
		onMain:  onMain,
		surf:    sf,
		jobs:    make(chan *job),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
		now:     time.Now,
	}
	ready := make(chan error, 1)
	go r.loop(ready)
	if err := <-ready; err != nil {
		<-r.stopped
		sf.destroy(onMain)
		return nil, fmt.Errorf("gl rasterizer: %w", err)
	}
	return r, nil
}

// loop is the render thread: it makes the context current on its locked OS
// thread, serves jobs until Close closes the channel, then releases every
// GL object and the context.
func (r *Rasterizer) loop(ready chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(r.stopped)
	if err := r.makeCurrent(); err != nil {
		r.surf.release()
		ready <- err
		return
	}
	defer r.surf.release()
	defer r.ctx.release()
	if err := r.ctx.setup(); err != nil {
		ready <- fmt.Errorf("set up shaders: %w", err)
		return
	}
	ready <- nil
	for j := range r.jobs {
		start := time.Now()
		j.err = r.draw(j)
		r.threadNanos.Add(int64(time.Since(start)))
		r.done <- struct{}{}
	}
}

// makeCurrent makes the context current on the render thread and loads
// the GL functions.
func (r *Rasterizer) makeCurrent() error {
	if err := r.surf.makeCurrent(); err != nil {
		return err
	}
	if err := gl.Init(); err != nil {
		return fmt.Errorf("load OpenGL 3.3 functions: %w", err)
	}
	r.renderer = gl.GoStr(gl.GetString(gl.RENDERER)) + " (" + gl.GoStr(gl.GetString(gl.VENDOR)) + ")"
	var major, minor int32
	gl.GetIntegerv(gl.MAJOR_VERSION, &major)
	gl.GetIntegerv(gl.MINOR_VERSION, &minor)
	if major < 3 || major == 3 && minor < 3 {
		return fmt.Errorf("OpenGL %d.%d on %s; need 3.3", major, minor, r.renderer)
	}
	return nil
}

// Name returns "gl", the value of --render that selects this backend.
func (r *Rasterizer) Name() string { return Name }

// Renderer returns GL_RENDERER with GL_VENDOR in brackets, for the log and
// for IsSoftware.
func (r *Rasterizer) Renderer() string { return r.renderer }

// SetPeriod sets the display's frame period and with it the read-back mode.
//
// With 0 (the default) Draw returns the frame it was given: it waits for
// that frame's read-back, so its latency is draw + read-back.
//
// With a period p > 0 Draw pipelines: it submits frame N and returns frame
// N-1, whose read-back ran while the caller was busy, so Draw costs the
// copy only, at one Draw interval of extra latency. Frame N-1 is returned
// only if it was given to Draw no longer than p ago and at the same size;
// otherwise (the first frame, a pause, a resize) Draw waits for frame N, so
// a frame older than one period is never shown. The Draw after such a wait
// returns frame N once more while frame N+1 goes into flight: the pipeline
// costs one repeated frame each time it refills. Pass the period the display
// actually draws at, plus whatever jitter is acceptable: a Draw that comes
// later than p after the last one waits.
func (r *Rasterizer) SetPeriod(p time.Duration) { r.period = max(p, 0) }

// Draw paints s into dst, clipped to both s's size and dst's bounds, as
// render/cpu does. After a GL failure (see Err), and for a frame larger
// than the GL implementation's largest framebuffer, it draws with render/cpu.
func (r *Rasterizer) Draw(dst *image.RGBA, s *render.Scene) {
	if r.failed.Load() == nil {
		r.job = job{dst: dst, scene: s, period: r.period}
		r.jobs <- &r.job
		<-r.done
		err := r.job.err
		r.job = job{}
		if err == nil {
			return
		}
		if err != errTooLarge {
			r.fail(err)
		}
	}
	r.fellBack.Add(1)
	r.fallback.Draw(dst, s)
}

// errTooLarge sends one frame that GL cannot hold (wider or taller than its
// largest framebuffer, or with more trace columns than a buffer texture
// holds) to render/cpu without giving up on GL.
var errTooLarge = errors.New("frame larger than GL's largest framebuffer or buffer texture")

// fail records the first GL failure; from then on Draw uses render/cpu.
func (r *Rasterizer) fail(err error) { r.failed.CompareAndSwap(nil, &err) }

// draw runs on the render thread.
func (r *Rasterizer) draw(j *job) error {
	w, h := frameSize(j.dst, j.scene)
	if w <= 0 || h <= 0 {
		return nil
	}
	c := &r.ctx
	if w > c.maxSize || h > c.maxSize {
		return errTooLarge
	}
	if err := c.resize(w, h); err != nil {
		return err
	}
	now := r.now()
	prev := c.next ^ 1 // the buffer the last Draw's frame went to
	pb := &c.rb[prev]
	pipelined := j.period > 0 && pb.valid && pb.w == w && pb.h == h &&
		now.Sub(pb.started) <= j.period
	if err := c.draw(j.scene, w, h); err != nil {
		return err
	}
	i := c.startReadback(w, h, now)
	r.frames.Add(1)
	if pipelined {
		// Frame N-1 goes out; frame N stays in flight for the next Draw.
		r.late.Add(1)
		err := c.finish(prev, j.dst)
		c.drop(prev)
		return err
	}
	// Frame N-1 is missing, stale or of another size: wait for frame N.
	// With a period set it stays valid, so that the next Draw can return it
	// (once more) while submitting N+1: that is how the pipeline fills.
	c.drop(prev)
	err := c.finish(i, j.dst)
	if j.period <= 0 {
		c.drop(i)
	}
	return err
}

// Err returns why GL drawing stopped (Draw then uses render/cpu), ErrClosed
// after Close, or nil.
func (r *Rasterizer) Err() error {
	if p := r.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// Stats returns the counters since New.
func (r *Rasterizer) Stats() Stats {
	return Stats{Frames: r.frames.Load(), Late: r.late.Load(), FellBack: r.fellBack.Load(),
		Thread: time.Duration(r.threadNanos.Load())}
}

// Close stops the render thread, which deletes its GL objects, and destroys
// the hidden window on the main thread. Draw after Close uses render/cpu.
func (r *Rasterizer) Close() error {
	r.once.Do(func() {
		r.fail(ErrClosed)
		close(r.jobs)
		<-r.stopped
		r.surf.destroy(r.onMain)
	})
	return nil
}
