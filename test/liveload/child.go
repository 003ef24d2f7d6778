package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"time"

	"telewave/sync/live/relay"
)

// childFlag makes this program the relay under load, so that the relay's
// memory and CPU are its own process's.
const childFlag = "-relay-child"

// isChild reports whether args ask for the relay child.
func isChild(args []string) bool { return len(args) > 1 && args[1] == childFlag }

// serveChild runs the relay on 127.0.0.1:0, prints its address on stdout
// and serves until stdin closes (the parent ending, however it ends).
func serveChild(stdin io.Reader, stdout io.Writer) error {
	if path := os.Getenv("LIVELOAD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	r := relay.New(relay.Config{MaxSessions: 1 << 20, MaxViewersPerSession: 1 << 10, MaxConnsPerAddr: 1 << 20})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintln(stdout, ln.Addr())
	io.Copy(io.Discard, stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(ctx)
	r.Close()
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// relayChild is the relay process as the parent sees it.
type relayChild struct {
	cmd   *exec.Cmd
	stdin io.Closer
	addr  string
	pid   int
}

// startChild re-executes this program as the relay child.
func startChild() (*relayChild, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	cmd := exec.Command(self, childFlag)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start relay child: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stdin.Close()
		cmd.Wait()
		return nil, fmt.Errorf("relay child printed no address: %w", err)
	}
	return &relayChild{cmd: cmd, stdin: stdin, addr: strings.TrimSpace(line), pid: cmd.Process.Pid}, nil
}

// stop ends the child and waits for it, killing it if it lingers.
func (c *relayChild) stop() error {
	c.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		return fmt.Errorf("relay child did not stop: %w", <-done)
	}
}

// metrics reads the relay's /metrics counters.
func (c *relayChild) metrics() (map[string]float64, error) {
	resp, err := http.Get("http://" + c.addr + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("read relay metrics: %w", err)
	}
	defer resp.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var name string
		var v float64
		if _, err := fmt.Sscan(sc.Text(), &name, &v); err == nil {
			m[name] = v
		}
	}
	return m, sc.Err()
}
