// Package gltest runs tests that need an OpenGL context: it finds or starts
// an X display (its own Xvfb on a free display number when DISPLAY is not
// set), initialises GLFW on the process main thread and serves that thread
// to the tests through OnMain, as fyne.DoAndWait does in the app.
//
// A test package uses it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(gltest.Main(m)) }
//
// and calls Require(t) before it needs GL. Without a display, without Xvfb
// or without cgo, Require skips loudly; built with -tags gl it fails
// instead, so that CI cannot pass by skipping.
package gltest

import (
	"fmt"
	"os"
	"testing"
)

// unavailable is why GL tests cannot run in this binary, "" when they can.
var unavailable string

// Require skips tb (or, built with -tags gl, fails it) when no GL context
// can be made in this test binary, saying why.
func Require(tb testing.TB) {
	tb.Helper()
	if unavailable == "" {
		return
	}
	if required {
		tb.Fatalf("GL TEST NOT RUN (built with -tags gl, so this fails): %s", unavailable)
	}
	tb.Skipf("SKIPPED, GL NOT TESTED: %s (build with -tags gl to make this a failure)", unavailable)
}

// Unavailable returns why GL tests cannot run here, or "".
func Unavailable() string { return unavailable }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gltest: "+format+"\n", args...)
}
