//go:build cgo && linux && !glfwctx

package gl

import (
	"image"
	"testing"

	"telewave/ui/render/gl/gltest"
)

// TestDrawingSurvivesGLFWTerminate is the regression test for the SIGSEGV
// in the gl bench: Fyne calls glfwTerminate when the app quits, before the
// code after ShowAndRun can stop the render goroutine or Close the
// rasterizer. With the context on a hidden GLFW window, glfwTerminate
// destroyed it and closed the display connection, unloading the driver
// under the render thread, whose next GL call jumped into unmapped code.
// Here frames are drawn while GLFW terminates and after it, and each must
// still be drawn by GL and be right.
func TestDrawingSurvivesGLFWTerminate(t *testing.T) {
	r := newGL(t)
	const before, after = 3, 20
	drawn := make(chan int)
	stop := make(chan struct{})
	failed := make(chan string, 1)
	go func() {
		defer close(drawn)
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		for n := 0; ; n++ {
			line := 1 + n%14
			r.Draw(img, sceneAt(float32(line)))
			if got := lineRow(img); got != line {
				failed <- "wrong frame"
				t.Errorf("frame %d: line at row %d, want %d", n, got, line)
				return
			}
			select {
			case drawn <- n:
			case <-stop:
				return
			}
		}
	}()
	for n := range drawn {
		if n == before {
			break
		}
	}
	restart := gltest.TerminateGLFW() // while frames are being drawn
	for n := range drawn {
		if n == before+after {
			break
		}
	}
	close(stop)
	for range drawn {
	}
	if err := restart(); err != nil {
		t.Fatalf("re-initialise GLFW for the next tests: %v", err)
	}
	select {
	case <-failed:
		return
	default:
	}
	if err, st := r.Err(), r.Stats(); err != nil || st.FellBack != 0 || st.Frames < before+after {
		t.Errorf("after glfwTerminate: Err = %v, Stats = %+v; want GL still drawing every frame", err, st)
	}
}
