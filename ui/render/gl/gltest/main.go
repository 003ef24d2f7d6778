//go:build cgo

package gltest

import (
	"runtime"
	"testing"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// GLFW must be called on the main thread; init functions run there, and
// locking here keeps the main goroutine on it for Main.
func init() { runtime.LockOSThread() }

// calls carries funcs to the main thread.
var calls = make(chan func())

// Main makes a display available, initialises GLFW, runs m's tests on
// another goroutine while this (main) thread serves OnMain, and returns
// m's exit code after terminating GLFW and any Xvfb it started.
func Main(m *testing.M) int {
	stop, err := ensureDisplay()
	if err != nil {
		unavailable = err.Error()
		logf("%s", unavailable)
		return m.Run()
	}
	defer stop()
	if err := initGLFW(); err != nil {
		unavailable = err.Error()
		logf("%s", unavailable)
		return m.Run()
	}
	defer glfw.Terminate()
	code := make(chan int, 1)
	go func() { code <- m.Run() }()
	for {
		select {
		case f := <-calls:
			f()
		case c := <-code:
			return c
		}
	}
}

// OnMain runs f on the main thread and waits for it, as fyne.DoAndWait
// does in the app. It must only be called while Main is running m.
func OnMain(f func()) {
	done := make(chan struct{})
	calls <- func() {
		defer close(done)
		f()
	}
	<-done
}

// initGLFW turns go-gl/glfw's panics and logged platform errors into an
// error: glfwInit fails with a platform error when the display is gone.
func initGLFW() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errorf("init GLFW: %v", p)
		}
	}()
	if err := glfw.Init(); err != nil {
		return errorf("init GLFW: %v", err)
	}
	return nil
}

// TerminateGLFW terminates GLFW on the main thread, as Fyne does when the
// app quits, and returns a func that initialises it again (on the main
// thread) for the tests that follow. It must only be called while Main is
// running m, with GL available (see Require).
func TerminateGLFW() (restart func() error) {
	OnMain(glfw.Terminate)
	return func() error {
		var err error
		OnMain(func() { err = initGLFW() })
		return err
	}
}
