//go:build cgo && (!linux || glfwctx)

package gl

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// surface is the render thread's GL context on platforms without GLX: a
// hidden 1×1 GLFW window created on the main thread. (On Linux it is built
// only with -tags glfwctx, to compare.)
//
// Unlike the GLX surface it belongs to GLFW: glfwTerminate, which Fyne calls
// as the app quits, destroys it even while the render thread draws with it,
// so the caller must Close the Rasterizer before the GUI's main loop ends
// (on Linux this raced and crashed; see surface_glx.go).
type surface struct {
	win *glfw.Window
}

// openSurface creates the hidden window on the main thread through onMain.
func openSurface(onMain func(func())) (*surface, error) {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, errors.New("no display (DISPLAY is not set)")
	}
	sf := &surface{}
	var err error
	onMain(func() { sf.win, err = createWindow() })
	if err != nil {
		return nil, err
	}
	return sf, nil
}

// createWindow makes the hidden window whose context the render thread
// uses. It must run on the main thread. It restores GLFW's default hints so
// that windows Fyne opens later do not inherit the core-profile ones.
func createWindow() (win *glfw.Window, err error) {
	defer func() {
		if p := recover(); p != nil { // go-gl/glfw panics when not initialised
			win, err = nil, fmt.Errorf("create hidden GLFW window (is GLFW initialised, is there a display?): %v", p)
		}
	}()
	defer glfw.DefaultWindowHints()
	glfw.WindowHint(glfw.Visible, glfw.False)
	glfw.WindowHint(glfw.ClientAPI, glfw.OpenGLAPI)
	glfw.WindowHint(glfw.ContextVersionMajor, 3)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	win, err = glfw.CreateWindow(1, 1, "telewave render", nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create OpenGL 3.3 core context: %w", err)
	}
	if win == nil {
		return nil, errors.New("create OpenGL 3.3 core context: GLFW platform error (logged above)")
	}
	return win, nil
}

// makeCurrent makes the window's context current on the calling (locked)
// thread.
func (sf *surface) makeCurrent() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("make context current: %v", p)
		}
	}()
	sf.win.MakeContextCurrent()
	return nil
}

// release runs last on the render thread: the context is current nowhere.
func (sf *surface) release() { glfw.DetachCurrentContext() }

// destroy destroys the window on the main thread once the render thread
// has stopped.
func (sf *surface) destroy(onMain func(func())) { onMain(sf.win.Destroy) }
