// Package gl is the OpenGL waveform rasterizer: it draws a render.Scene with
// shaders in its own offscreen context and reads the pixels back into an
// *image.RGBA, so that the UI shows them exactly as it shows the cpu
// backend's.
//
// Fyne does not expose its GL context, so the Rasterizer owns one, current
// only on one locked OS thread that the Rasterizer starts in New and stops
// in Close. On Linux it is a GLX context with a 1×1 pbuffer on an X display
// connection of the Rasterizer's own, so that glfwTerminate (which Fyne
// calls when the app quits, while the render goroutine may still be
// drawing) cannot destroy it under the render thread; elsewhere (and on
// Linux with -tags glfwctx) a hidden 1×1 GLFW window, which the caller must
// Close before the GUI's main loop ends. Every frame is drawn into a
// framebuffer object at the scene's size:
//
//   - the grid: background and paper lines, drawn by a fragment shader
//     that picks each pixel's colour by render/cpu's rule, from the line
//     class of its column and row (render.Grid.AppendColumns, AppendRows,
//     uploaded as a buffer texture), into a second framebuffer when they
//     change, and copied (blitted) every frame;
//   - the traces: each pixel column's span (render.Lane.Spans: its
//     envelope stretched to the previous column's last value, clamped to
//     the lane) is computed in Go, consecutive columns are grouped into
//     runs, and each run is one
//     instanced quad whose fragment shader fetches its column's span from a
//     buffer texture and blends the trace colour by the pixel row's
//     coverage: the anti-aliasing, computed and rounded as render/cpu does,
//     so both backends draw the same picture (ui/render/compare checks);
//   - the erase bar: a scissored clear, wrapping at the right edge.
//
// Read-back is asynchronous: glReadPixels into a pixel-pack buffer (PBO), a
// fence, and the buffer is mapped once the fence has signalled. Scene row y
// is drawn to framebuffer row y, so the read-back (which starts at the
// framebuffer's bottom row) holds the scene's top row first: the Y flip costs
// nothing. See SetPeriod for when Draw returns the frame it was given and
// when the one before.
//
// The package builds without cgo: New then returns ErrNoCgo, and the app
// falls back to render/cpu.
package gl

import (
	"errors"
	"strings"
	"time"
)

// Name is the value of --render that selects this backend.
const Name = "gl"

// ErrNoCgo is returned by New in a binary built without cgo: OpenGL is a C
// API, so there is no GL backend in such a binary.
var ErrNoCgo = errors.New("gl rasterizer: needs a binary built with cgo (CGO_ENABLED=1)")

// ErrClosed is reported by Err after Close.
var ErrClosed = errors.New("gl rasterizer: closed")

// software lists substrings of GL_RENDERER (lower-cased) that name a
// renderer without a GPU of its own, or one whose read-back crosses a
// hypervisor: for these the cpu backend is as fast or faster.
var software = []string{
	"llvmpipe",            // Mesa, LLVM JIT
	"softpipe",            // Mesa reference rasterizer
	"swrast",              // Mesa classic software
	"software rasterizer", // Mesa/Apple "Software Rasterizer"
	"software renderer",   // Apple Software Renderer
	"gdi generic",         // Windows without a GPU driver
	"basic render driver", // Microsoft Basic Render Driver
	"svga3d",              // VMware virtual GPU: read-back goes through the host
	"virgl",               // virtio-gpu: the same
}

// IsSoftware reports whether renderer (GL_RENDERER, optionally with the
// vendor appended as Renderer returns it) is a software or virtual renderer,
// so that --render=auto picks gl only on real hardware.
func IsSoftware(renderer string) bool {
	r := strings.ToLower(renderer)
	if strings.TrimSpace(r) == "" {
		return true // unknown: do not bet on it
	}
	for _, s := range software {
		if strings.Contains(r, s) {
			return true
		}
	}
	return false
}

// Stats counts what a Rasterizer's Draw did since New.
type Stats struct {
	// Frames were drawn by GL; Late of them were returned one Draw later
	// (see SetPeriod); FellBack frames were drawn by render/cpu after a GL
	// failure (see Err), or because GL could not hold them (too large).
	Frames, Late, FellBack uint64
	// Thread is the render thread's busy time: drawing, read-back and copy.
	Thread time.Duration
}
