//go:build cgo

package gl

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"time"
	"unsafe"

	"github.com/go-gl/gl/v3.3-core/gl"

	"telewave/ui/render"
)

// fenceTimeout bounds the wait for a read-back; a frame that takes longer
// is treated as a failed context (the caller falls back to render/cpu).
const fenceTimeout = uint64(2 * time.Second)

// readback is one pixel-pack buffer and the frame whose pixels it receives.
type readback struct {
	pbo     uint32
	fence   uintptr // non-zero while the copy into pbo may still run
	valid   bool    // pbo holds (or will hold) the frame below
	w, h    int
	started time.Time // when Draw was given the frame
}

// gridKey is what the grid framebuffer was drawn for.
type gridKey struct {
	w, h int
	bg   color.RGBA
	grid render.Grid
}

// context is the GL state the render thread owns: it is only touched on
// that thread, with the context current.
type context struct {
	grid, trace      uint32 // programs
	uRowsAt, uBG     int32
	uMinor, uMajor   int32
	uSize            int32
	emptyVAO, runVAO uint32
	runVBO, colsBuf  uint32 // instances; the columns' spans, read as colsTex
	colsTex          uint32
	runCap, colsCap  int // bytes allocated in runVBO, colsBuf
	// The grid's line classes, columns then rows, read as linesTex.
	linesBuf, linesTex uint32
	linesCap           int

	fbo, rbo uint32
	w, h     int

	// The grid changes rarely: it is drawn into its own framebuffer when
	// gridKey changes and copied (a blit) at the start of every frame.
	gridFBO, gridRBO uint32
	gridKey          gridKey
	rb               [2]readback
	next             int // the readback the next frame goes to

	maxSize   int // GL_MAX_RENDERBUFFER_SIZE
	maxTexels int // GL_MAX_TEXTURE_BUFFER_SIZE: columns in one frame

	spans []span
	runs  []run
	cols  []float32
	lines []uint8
}

// setup compiles the shaders and makes the vertex state; the framebuffer
// and read-back buffers are made by resize at the first frame.
func (c *context) setup() error {
	var err error
	if c.grid, err = program("grid", gridVS, gridFS); err != nil {
		return err
	}
	if c.trace, err = program("trace", traceVS, traceFS); err != nil {
		return err
	}
	for _, u := range []struct {
		p    uint32
		name string
		dst  *int32
	}{
		{c.grid, "rowsAt", &c.uRowsAt}, {c.grid, "bg", &c.uBG},
		{c.grid, "minorColor", &c.uMinor}, {c.grid, "majorColor", &c.uMajor},
		{c.trace, "size", &c.uSize},
	} {
		if *u.dst, err = uniform(u.p, u.name); err != nil {
			return err
		}
	}
	gl.GenVertexArrays(1, &c.emptyVAO)
	gl.GenVertexArrays(1, &c.runVAO)
	gl.GenBuffers(1, &c.runVBO)
	gl.BindVertexArray(c.runVAO)
	gl.BindBuffer(gl.ARRAY_BUFFER, c.runVBO)
	for i, a := range []struct {
		size  int32
		xtype uint32
		norm  bool
		off   uintptr
	}{
		{4, gl.FLOAT, false, unsafe.Offsetof(run{}.X0)},           // run
		{2, gl.FLOAT, false, unsafe.Offsetof(run{}.Lo)},           // rows
		{4, gl.UNSIGNED_BYTE, true, unsafe.Offsetof(run{}.Color)}, // color
	} {
		gl.EnableVertexAttribArray(uint32(i))
		gl.VertexAttribPointerWithOffset(uint32(i), a.size, a.xtype, a.norm, runStride, a.off)
		gl.VertexAttribDivisor(uint32(i), 1)
	}
	gl.BindVertexArray(0)
	gl.GenBuffers(1, &c.colsBuf)
	gl.BindBuffer(gl.TEXTURE_BUFFER, c.colsBuf)
	gl.BufferData(gl.TEXTURE_BUFFER, 8, nil, gl.STREAM_DRAW)
	gl.GenTextures(1, &c.colsTex)
	gl.BindTexture(gl.TEXTURE_BUFFER, c.colsTex)
	gl.TexBuffer(gl.TEXTURE_BUFFER, gl.RG32F, c.colsBuf)
	uCols, err := uniform(c.trace, "cols")
	if err != nil {
		return err
	}
	gl.UseProgram(c.trace)
	gl.Uniform1i(uCols, 0)
	// The grid's lines are on texture unit 1, so that the traces' buffer
	// texture can stay bound on unit 0.
	gl.GenBuffers(1, &c.linesBuf)
	gl.BindBuffer(gl.TEXTURE_BUFFER, c.linesBuf)
	gl.BufferData(gl.TEXTURE_BUFFER, 4, nil, gl.STATIC_DRAW)
	gl.GenTextures(1, &c.linesTex)
	gl.ActiveTexture(gl.TEXTURE1)
	gl.BindTexture(gl.TEXTURE_BUFFER, c.linesTex)
	gl.TexBuffer(gl.TEXTURE_BUFFER, gl.R8UI, c.linesBuf)
	gl.ActiveTexture(gl.TEXTURE0)
	uLines, err := uniform(c.grid, "lines")
	if err != nil {
		return err
	}
	gl.UseProgram(c.grid)
	gl.Uniform1i(uLines, 1)
	gl.PixelStorei(gl.PACK_ALIGNMENT, 4)
	var n int32
	gl.GetIntegerv(gl.MAX_RENDERBUFFER_SIZE, &n)
	c.maxSize = int(n)
	gl.GetIntegerv(gl.MAX_TEXTURE_BUFFER_SIZE, &n)
	c.maxTexels = int(n)
	return glErr("setup")
}

// resize makes the framebuffer and the two read-back buffers for a w×h
// frame; frames pending at another size are dropped.
func (c *context) resize(w, h int) error {
	if c.fbo != 0 && c.w == w && c.h == h {
		return nil
	}
	c.dropPending()
	if c.fbo == 0 {
		gl.GenFramebuffers(1, &c.fbo)
		gl.GenRenderbuffers(1, &c.rbo)
		gl.GenFramebuffers(1, &c.gridFBO)
		gl.GenRenderbuffers(1, &c.gridRBO)
		gl.GenBuffers(1, &c.rb[0].pbo)
		gl.GenBuffers(1, &c.rb[1].pbo)
	}
	for _, fb := range [][2]uint32{{c.fbo, c.rbo}, {c.gridFBO, c.gridRBO}} {
		gl.BindRenderbuffer(gl.RENDERBUFFER, fb[1])
		gl.RenderbufferStorage(gl.RENDERBUFFER, gl.RGBA8, int32(w), int32(h))
		gl.BindFramebuffer(gl.FRAMEBUFFER, fb[0])
		gl.FramebufferRenderbuffer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.RENDERBUFFER, fb[1])
		if st := gl.CheckFramebufferStatus(gl.FRAMEBUFFER); st != gl.FRAMEBUFFER_COMPLETE {
			return fmt.Errorf("framebuffer %d×%d incomplete: status 0x%x", w, h, st)
		}
	}
	c.gridKey = gridKey{} // redraw the grid at the new size
	for i := range c.rb {
		gl.BindBuffer(gl.PIXEL_PACK_BUFFER, c.rb[i].pbo)
		gl.BufferData(gl.PIXEL_PACK_BUFFER, w*h*4, nil, gl.STREAM_READ)
	}
	gl.BindBuffer(gl.PIXEL_PACK_BUFFER, 0)
	c.w, c.h = w, h
	return glErr(fmt.Sprintf("resize to %d×%d", w, h))
}

// draw renders s into the framebuffer: grid, traces, erase bar. It fails
// only with errTooLarge, before drawing, when the frame has more trace
// columns, or columns and rows, than a buffer texture holds.
func (c *context) draw(s *render.Scene, w, h int) error {
	c.spans = appendSpans(c.spans[:0], s, w)
	c.runs, c.cols = appendRuns(c.runs[:0], c.cols[:0], c.spans)
	if len(c.cols)/2 > c.maxTexels || w+h > c.maxTexels {
		return errTooLarge
	}
	gl.Viewport(0, 0, int32(w), int32(h))
	gl.Disable(gl.BLEND)
	c.drawGrid(s, w, h)
	gl.BindFramebuffer(gl.READ_FRAMEBUFFER, c.gridFBO)
	gl.BindFramebuffer(gl.DRAW_FRAMEBUFFER, c.fbo)
	gl.BlitFramebuffer(0, 0, int32(w), int32(h), 0, 0, int32(w), int32(h), gl.COLOR_BUFFER_BIT, gl.NEAREST)
	gl.BindFramebuffer(gl.FRAMEBUFFER, c.fbo)

	if n := len(c.runs); n > 0 {
		// Orphan the buffers so that the upload does not wait for the
		// previous frame's draw to finish reading them.
		c.runCap = upload(gl.ARRAY_BUFFER, c.runVBO, c.runCap, n*runStride, unsafe.Pointer(&c.runs[0]))
		c.colsCap = upload(gl.TEXTURE_BUFFER, c.colsBuf, c.colsCap, len(c.cols)*4, unsafe.Pointer(&c.cols[0]))
		gl.ActiveTexture(gl.TEXTURE0)
		gl.BindTexture(gl.TEXTURE_BUFFER, c.colsTex)
		gl.Enable(gl.BLEND)
		gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
		gl.UseProgram(c.trace)
		gl.Uniform2f(c.uSize, float32(w), float32(h))
		gl.BindVertexArray(c.runVAO)
		gl.DrawArraysInstanced(gl.TRIANGLE_STRIP, 0, 4, int32(n))
		gl.Disable(gl.BLEND)
	}
	gl.BindVertexArray(0)

	a, b := eraseRects(w, s.EraseX, s.EraseWidth)
	if a[1] > a[0] {
		bg := s.Background
		gl.ClearColor(float32(bg.R)/255, float32(bg.G)/255, float32(bg.B)/255, float32(bg.A)/255)
		gl.Enable(gl.SCISSOR_TEST)
		for _, r := range [2][2]int{a, b} {
			if r[1] > r[0] {
				gl.Scissor(int32(r[0]), 0, int32(r[1]-r[0]), int32(h))
				gl.Clear(gl.COLOR_BUFFER_BIT)
			}
		}
		gl.Disable(gl.SCISSOR_TEST)
	}
	return nil
}

// upload replaces the contents of buffer b (orphaning the old storage, so
// that the driver need not wait for draws still reading it) and returns its
// capacity in bytes, grown to size if needed.
func upload(target, b uint32, capacity, size int, data unsafe.Pointer) int {
	capacity = max(capacity, size)
	gl.BindBuffer(target, b)
	gl.BufferData(target, capacity, nil, gl.STREAM_DRAW)
	gl.BufferSubData(target, 0, size, data)
	return capacity
}

// drawGrid draws the background and grid into the grid framebuffer when
// they or the size changed since the last frame.
func (c *context) drawGrid(s *render.Scene, w, h int) {
	k := gridKey{w: w, h: h, bg: s.Background, grid: s.Grid}
	if k == c.gridKey {
		return
	}
	c.gridKey = k
	g := &s.Grid
	c.lines = g.AppendRows(g.AppendColumns(c.lines[:0], w), h)
	c.linesCap = upload(gl.TEXTURE_BUFFER, c.linesBuf, c.linesCap, len(c.lines), unsafe.Pointer(&c.lines[0]))
	gl.BindFramebuffer(gl.FRAMEBUFFER, c.gridFBO)
	gl.UseProgram(c.grid)
	gl.Uniform1i(c.uRowsAt, int32(w))
	setColor(c.uBG, s.Background)
	setColor(c.uMinor, g.Minor)
	setColor(c.uMajor, g.Major)
	gl.BindVertexArray(c.emptyVAO)
	gl.DrawArrays(gl.TRIANGLES, 0, 3)
}

// startReadback copies the framebuffer into the next pixel-pack buffer and
// fences it; it returns that buffer's index.
func (c *context) startReadback(w, h int, started time.Time) int {
	i := c.next
	c.next = 1 - i
	rb := &c.rb[i]
	if rb.fence != 0 {
		gl.DeleteSync(rb.fence)
	}
	gl.BindFramebuffer(gl.READ_FRAMEBUFFER, c.fbo)
	gl.ReadBuffer(gl.COLOR_ATTACHMENT0)
	gl.BindBuffer(gl.PIXEL_PACK_BUFFER, rb.pbo)
	gl.ReadPixels(0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, nil)
	gl.BindBuffer(gl.PIXEL_PACK_BUFFER, 0)
	rb.fence = gl.FenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)
	gl.Flush()
	rb.valid, rb.w, rb.h, rb.started = true, w, h, started
	return i
}

// finish waits for read-back i and copies it into dst; the buffer keeps
// the frame until drop or the next startReadback into it.
func (c *context) finish(i int, dst *image.RGBA) error {
	rb := &c.rb[i]
	if !rb.valid {
		return errors.New("read-back: no frame in the buffer")
	}
	if rb.fence != 0 {
		st := gl.ClientWaitSync(rb.fence, gl.SYNC_FLUSH_COMMANDS_BIT, fenceTimeout)
		gl.DeleteSync(rb.fence)
		rb.fence = 0
		switch st {
		case gl.ALREADY_SIGNALED, gl.CONDITION_SATISFIED:
		case gl.TIMEOUT_EXPIRED:
			rb.valid = false
			return fmt.Errorf("read-back: fence not signalled within %v", time.Duration(fenceTimeout))
		default:
			rb.valid = false
			return fmt.Errorf("read-back: wait for fence failed (0x%x)", st)
		}
	}
	n := rb.w * rb.h * 4
	gl.BindBuffer(gl.PIXEL_PACK_BUFFER, rb.pbo)
	defer gl.BindBuffer(gl.PIXEL_PACK_BUFFER, 0)
	p := gl.MapBufferRange(gl.PIXEL_PACK_BUFFER, 0, n, gl.MAP_READ_BIT)
	if p == nil {
		return glErr("read-back: map buffer")
	}
	copyRows(dst, unsafe.Slice((*byte)(p), n), rb.w, rb.h)
	if !gl.UnmapBuffer(gl.PIXEL_PACK_BUFFER) {
		return errors.New("read-back: buffer contents lost while mapped")
	}
	return nil
}

// drop forgets the frame in read-back buffer i.
func (c *context) drop(i int) {
	rb := &c.rb[i]
	if rb.fence != 0 {
		gl.DeleteSync(rb.fence)
		rb.fence = 0
	}
	rb.valid = false
}

// dropPending forgets every frame in the read-back buffers.
func (c *context) dropPending() {
	for i := range c.rb {
		c.drop(i)
	}
}

// release deletes every GL object; the context is about to go.
func (c *context) release() {
	c.dropPending()
	for _, t := range []*uint32{&c.colsTex, &c.linesTex} {
		if *t != 0 {
			gl.DeleteTextures(1, t)
		}
	}
	for _, b := range []*uint32{&c.rb[0].pbo, &c.rb[1].pbo, &c.runVBO, &c.colsBuf, &c.linesBuf} {
		if *b != 0 {
			gl.DeleteBuffers(1, b)
		}
	}
	if c.fbo != 0 {
		gl.DeleteFramebuffers(1, &c.fbo)
		gl.DeleteRenderbuffers(1, &c.rbo)
		gl.DeleteFramebuffers(1, &c.gridFBO)
		gl.DeleteRenderbuffers(1, &c.gridRBO)
	}
	for _, v := range []*uint32{&c.emptyVAO, &c.runVAO} {
		if *v != 0 {
			gl.DeleteVertexArrays(1, v)
		}
	}
	for _, p := range []uint32{c.grid, c.trace} {
		if p != 0 {
			gl.DeleteProgram(p)
		}
	}
	*c = context{}
}

func setColor(loc int32, c color.RGBA) {
	gl.Uniform4f(loc, float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255)
}

// glErr returns the GL error flag as an error, naming what was being done.
func glErr(what string) error {
	if e := gl.GetError(); e != gl.NO_ERROR {
		return fmt.Errorf("%s: GL error 0x%x", what, e)
	}
	return nil
}
