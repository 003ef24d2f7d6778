//go:build smoke

// Package smoke runs the real telewave binary (built with cgo) in a real
// window under Xvfb and checks a screenshot: the one test that sees what
// a clinician sees. `make test` builds the binary and runs it with
// `go test -tags smoke ./test/smoke -binary bin/telewave`.
package smoke

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

var (
	binary = flag.String("binary", "../../bin/telewave", "the telewave binary to run")
	shot   = flag.String("shot", "", "where to keep the last screenshot (PNG)")
)

// freeDisplay returns an X display number nobody uses.
func freeDisplay(t *testing.T) int {
	t.Helper()
	for n := 90; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); os.IsNotExist(err) {
				return n
			}
		}
	}
	t.Fatal("no free X display number")
	return 0
}

func startXvfb(t *testing.T) string {
	t.Helper()
	n := freeDisplay(t)
	display := fmt.Sprintf(":%d", n)
	x := exec.Command("Xvfb", display, "-screen", "0", "1280x900x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb (make test installs xvfb): %v", err)
	}
	t.Cleanup(func() {
		x.Process.Signal(syscall.SIGTERM)
		x.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			return display
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("Xvfb did not come up")
	return ""
}

func screenshot(display string) (image.Image, []byte, error) {
	out, err := exec.Command("import", "-display", display, "-window", "root", "png:-").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	return img, out, err
}

// traces counts pixels of the ECG green and the pleth cyan.
func traces(img image.Image) (green, cyan int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case r < 40 && g > 180 && bl > 80 && bl < 160:
				green++
			case r < 40 && g > 150 && bl > 220:
				cyan++
			}
		}
	}
	return green, cyan
}

func TestDemoWindowDrawsTraces(t *testing.T) {
	bin, err := filepath.Abs(*binary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no binary at %s (make build makes it): %v", bin, err)
	}
	display := startXvfb(t)
	app := exec.Command(bin, "--demo")
	app.Env = append(os.Environ(), "DISPLAY="+display, "LIBGL_ALWAYS_SOFTWARE=1", "HOME="+t.TempDir())
	var logs bytes.Buffer
	app.Stdout, app.Stderr = &logs, &logs
	started := time.Now()
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed when the process ends; waitErr holds why.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = app.Wait()
		close(exited)
	}()
	defer func() {
		select {
		case <-exited:
		default:
			app.Process.Kill()
			<-exited
		}
	}()

	var green, cyan int
	var png []byte
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("telewave exited early: %v\n%s", waitErr, logs.String())
		case <-time.After(500 * time.Millisecond):
		}
		var img image.Image
		img, png, err = screenshot(display)
		if err != nil {
			continue // the window may not be mapped yet
		}
		green, cyan = traces(img)
		if green > 500 && cyan > 500 {
			break
		}
	}
	if *shot != "" && png != nil {
		os.WriteFile(*shot, png, 0o644)
	}
	if green <= 500 || cyan <= 500 {
		t.Fatalf("screenshot shows %d ECG-green and %d pleth-cyan pixels; want traces drawn\n%s", green, cyan, logs.String())
	}
	t.Logf("traces on screen %.1f s after start (%d green, %d cyan pixels)", time.Since(started).Seconds(), green, cyan)

	// SIGTERM closes the window the way a user would: exit status 0.
	app.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("telewave did not exit cleanly on SIGTERM: %v\n%s", waitErr, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("telewave did not exit within 15 s of SIGTERM\n%s", logs.String())
	}
}
