//go:build cgo

package gltest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// ensureDisplay uses DISPLAY when it is set, and otherwise starts Xvfb on a
// free display number and points DISPLAY at it; stop ends that Xvfb.
func ensureDisplay() (stop func(), err error) {
	if d := os.Getenv("DISPLAY"); d != "" {
		logf("using DISPLAY=%s", d)
		return func() {}, nil
	}
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, errors.New("DISPLAY is not set and Xvfb is not installed (apt-get install xvfb; make deps-test installs it)")
	}
	// Another test binary may pick the same number at the same moment; the
	// Xvfb that loses exits at once, and we try the next number.
	for try := 0; try < 5; try++ {
		n, err := freeDisplay()
		if err != nil {
			return nil, err
		}
		stop, err = startXvfb(bin, n)
		if err == nil {
			return stop, nil
		}
		logf("%v; trying another display", err)
	}
	return nil, errors.New("Xvfb did not start on 5 display numbers")
}

func startXvfb(bin string, n int) (stop func(), err error) {
	display := fmt.Sprintf(":%d", n)
	x := exec.Command(bin, display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		return nil, fmt.Errorf("start Xvfb on %s: %w", display, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- x.Wait() }()
	stop = func() {
		x.Process.Signal(syscall.SIGTERM)
		<-exited
	}
	sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("Xvfb on %s exited: %v", display, err)
		case <-deadline:
			stop()
			return nil, fmt.Errorf("Xvfb on %s did not create %s within 10 s", display, sock)
		case <-tick.C:
			if _, err := os.Stat(sock); err == nil {
				os.Setenv("DISPLAY", display)
				logf("started Xvfb on DISPLAY=%s", display)
				return stop, nil
			}
		}
	}
}

// freeDisplay returns an X display number with neither a socket nor a lock.
func freeDisplay() (int, error) {
	for n := 120; n < 400; n++ {
		_, errSock := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n))
		_, errLock := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n))
		if os.IsNotExist(errSock) && os.IsNotExist(errLock) {
			return n, nil
		}
	}
	return 0, errors.New("no free X display number in :120-:399")
}
