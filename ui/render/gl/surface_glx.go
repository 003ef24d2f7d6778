//go:build cgo && linux && !glfwctx

package gl

/*
#cgo pkg-config: gl x11
#include <stdio.h>
#include <string.h>
#include <X11/Xlib.h>
#include <GL/glx.h>

#ifndef GLX_CONTEXT_MAJOR_VERSION_ARB
#define GLX_CONTEXT_MAJOR_VERSION_ARB 0x2091
#define GLX_CONTEXT_MINOR_VERSION_ARB 0x2092
#define GLX_CONTEXT_FLAGS_ARB 0x2094
#define GLX_CONTEXT_PROFILE_MASK_ARB 0x9126
#define GLX_CONTEXT_FORWARD_COMPATIBLE_BIT_ARB 0x0002
#define GLX_CONTEXT_CORE_PROFILE_BIT_ARB 0x00000001
#endif

typedef GLXContext (*twCreateContextFn)(Display *, GLXFBConfig, GLXContext, Bool, const int *);

// The X error handler is process-wide: tw_open installs this one only
// around the calls that may fail (on the main thread, where GLFW makes its
// own Xlib calls, so the two never overlap) and restores the previous one.
static int twXError;
static int twOnXError(Display *d, XErrorEvent *e) {
	(void)d;
	twXError = e->error_code;
	return 0;
}

typedef struct {
	Display *dpy;
	GLXContext ctx;
	GLXPbuffer pb;
} twSurface;

// twClose destroys what twOpen made. It does not touch the calling thread's
// current context (which on the main thread is Fyne's): the render thread
// releases ours first with twRelease.
static void twClose(twSurface *s) {
	if (s->dpy == NULL) {
		return;
	}
	if (s->ctx != NULL) {
		glXDestroyContext(s->dpy, s->ctx);
	}
	if (s->pb != None) {
		glXDestroyPbuffer(s->dpy, s->pb);
	}
	XCloseDisplay(s->dpy);
	memset(s, 0, sizeof *s);
}

// twOpen opens a display connection of our own and makes an OpenGL 3.3 core
// context with a 1×1 pbuffer on it. On failure it writes why into msg and
// leaves s closed.
static int twOpen(twSurface *s, char *msg, size_t n) {
	memset(s, 0, sizeof *s);
	XInitThreads();
	s->dpy = XOpenDisplay(NULL);
	if (s->dpy == NULL) {
		snprintf(msg, n, "cannot open X display \"%s\"", XDisplayName(NULL));
		return 0;
	}
	int major = 0, minor = 0;
	if (!glXQueryVersion(s->dpy, &major, &minor) || major < 1 || (major == 1 && minor < 3)) {
		snprintf(msg, n, "GLX %d.%d on this display; need 1.3", major, minor);
		twClose(s);
		return 0;
	}
	twCreateContextFn create = (twCreateContextFn)glXGetProcAddressARB(
		(const GLubyte *)"glXCreateContextAttribsARB");
	if (create == NULL) {
		snprintf(msg, n, "no GLX_ARB_create_context");
		twClose(s);
		return 0;
	}
	static const int fbAttrs[] = {
		GLX_DRAWABLE_TYPE, GLX_PBUFFER_BIT,
		GLX_RENDER_TYPE, GLX_RGBA_BIT,
		GLX_RED_SIZE, 8, GLX_GREEN_SIZE, 8, GLX_BLUE_SIZE, 8, GLX_ALPHA_SIZE, 8,
		None,
	};
	int nc = 0;
	GLXFBConfig *cfgs = glXChooseFBConfig(s->dpy, DefaultScreen(s->dpy), fbAttrs, &nc);
	if (cfgs == NULL || nc == 0) {
		if (cfgs != NULL) {
			XFree(cfgs);
		}
		snprintf(msg, n, "no RGBA8 pbuffer framebuffer configuration");
		twClose(s);
		return 0;
	}
	GLXFBConfig cfg = cfgs[0];
	XFree(cfgs);
	static const int ctxAttrs[] = {
		GLX_CONTEXT_MAJOR_VERSION_ARB, 3,
		GLX_CONTEXT_MINOR_VERSION_ARB, 3,
		GLX_CONTEXT_PROFILE_MASK_ARB, GLX_CONTEXT_CORE_PROFILE_BIT_ARB,
		GLX_CONTEXT_FLAGS_ARB, GLX_CONTEXT_FORWARD_COMPATIBLE_BIT_ARB,
		None,
	};
	static const int pbAttrs[] = {GLX_PBUFFER_WIDTH, 1, GLX_PBUFFER_HEIGHT, 1, None};
	XSync(s->dpy, False);
	twXError = 0;
	int (*prev)(Display *, XErrorEvent *) = XSetErrorHandler(twOnXError);
	s->ctx = create(s->dpy, cfg, NULL, True, ctxAttrs);
	if (s->ctx != NULL) {
		s->pb = glXCreatePbuffer(s->dpy, cfg, pbAttrs);
	}
	XSync(s->dpy, False);
	XSetErrorHandler(prev);
	if (s->ctx == NULL || s->pb == None || twXError != 0) {
		snprintf(msg, n, "create OpenGL 3.3 core context (X error %d)", twXError);
		twClose(s);
		return 0;
	}
	return 1;
}

static int twMakeCurrent(twSurface *s) {
	return glXMakeContextCurrent(s->dpy, s->pb, s->pb, s->ctx);
}

// twRelease makes no context current on the calling thread (the render
// thread, where ours is) and then closes s.
static void twRelease(twSurface *s) {
	if (s->dpy != NULL) {
		glXMakeContextCurrent(s->dpy, None, None, NULL);
	}
	twClose(s);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
)

// surface is the render thread's GL context: a GLX context with a 1×1
// pbuffer on an X display connection of its own, not a GLFW window.
//
// It must not be a GLFW window: glfwTerminate (which Fyne calls when the app
// quits, before the code after ShowAndRun runs and so before anyone can call
// Close) destroys every GLFW window and closes GLFW's display connection,
// which unloads the Mesa driver, whatever thread the window's context is
// current on. The render thread's next GL call then jumps into unmapped
// memory: the SIGSEGV "in glBindBuffer/glViewport" at the end of a --render
// gl run. On its own connection the context lives until Close, whatever
// GLFW does.
type surface struct {
	s C.twSurface
}

// openSurface makes the context. The X calls run on the main thread through
// onMain, because the X error handler they install for a moment is
// process-wide and GLFW installs its own there.
func openSurface(onMain func(func())) (*surface, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, errors.New("no display (DISPLAY is not set; the gl rasterizer needs X11 or XWayland)")
	}
	sf := &surface{}
	var msg [256]C.char
	ok := false
	onMain(func() { ok = C.twOpen(&sf.s, &msg[0], C.size_t(len(msg))) != 0 })
	if !ok {
		return nil, fmt.Errorf("GLX: %s", C.GoString(&msg[0]))
	}
	return sf, nil
}

// makeCurrent makes the context current on the calling (locked) thread.
func (sf *surface) makeCurrent() error {
	if C.twMakeCurrent(&sf.s) == 0 {
		return errors.New("glXMakeContextCurrent failed")
	}
	return nil
}

// release runs last on the render thread: it makes no context current
// there and destroys the context, the pbuffer and the display connection.
func (sf *surface) release() { C.twRelease(&sf.s) }

// destroy runs after the render thread has stopped; release did it all.
func (sf *surface) destroy(func(func())) {}
