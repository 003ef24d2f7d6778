// Package fhirserver starts the test EHR (server.mjs beside this file:
// Medplum's FHIR engine over an in-memory repository) for integration tests.
// It needs node on PATH and installs the pinned npm packages on first use.
package fhirserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	readyTimeout  = 60 * time.Second
	stopTimeout   = 10 * time.Second
	installLimit  = 5 * time.Minute
	listeningLine = "listening on "
)

// Start runs a fresh test EHR on 127.0.0.1 with a free port and returns its
// FHIR base URL ("http://127.0.0.1:PORT/fhir/R4"). The server is stopped
// with SIGTERM when the test ends; a non-zero exit fails the test. Each call
// starts its own server, so tests never see each other's data.
func Start(tb testing.TB) (baseURL string) {
	tb.Helper()
	return StartWith(tb, Options{})
}

// Options configure a test EHR started by StartWith.
type Options struct {
	// JWKS is the path of a JWKS file with the client's public keys (see
	// WriteJWKS). Set, it turns on SMART Backend Services: /oauth2/token
	// and .well-known/smart-configuration answer, and every FHIR call but
	// metadata needs a bearer token.
	JWKS string
	// Env adds server environment variables (FHIR_PEER_TOKEN,
	// FHIR_PEER_TOKEN_TTL, FHIR_PEER_CLIENT_ID, FHIR_PEER_MAX_JSON, ...;
	// see server.mjs and smart-auth.mjs). Host and port are always set by
	// StartWith.
	Env map[string]string
}

// StartWith is Start with options.
func StartWith(tb testing.TB, opts Options) (baseURL string) {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatal("fhirserver: node is not on PATH; the FHIR integration tests need Node.js 20 or newer (make test installs nodejs)")
	}
	dir := Dir(tb)
	ensureModules(tb, dir)

	cmd := exec.Command(node, append(nodeFlags(node), "server.mjs")...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range opts.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if opts.JWKS != "" {
		cmd.Env = append(cmd.Env, "FHIR_PEER_CLIENT_JWKS="+opts.JWKS)
	}
	cmd.Env = append(cmd.Env, "FHIR_PEER_HOST=127.0.0.1", "FHIR_PEER_PORT=0", "FHIR_PEER_EXIT_WITH_STDIN=1")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("fhirserver: stdout pipe: %v", err)
	}
	// The server exits when this pipe closes: with the test binary, if it
	// is killed before Cleanup can send SIGTERM.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("fhirserver: stdin pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("fhirserver: start node: %v", err)
	}

	// The reader goroutine drains stdout until the process closes it, so
	// the server never blocks on a full pipe; Cleanup waits for it.
	addr := make(chan string, 1)
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, listeningLine) {
				select {
				case addr <- strings.TrimSpace(strings.TrimPrefix(line, listeningLine)):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	exited := make(chan error, 1)
	go func() {
		readers.Wait()
		exited <- cmd.Wait()
	}()

	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			_ = cmd.Process.Kill()
		}
		defer stdin.Close()
		select {
		case err := <-exited:
			return err
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("did not exit within %v of SIGTERM", stopTimeout)
		}
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("fhirserver: stop: %v\nserver stderr:\n%s", err, stderr.String())
		}
	})

	var root string
	select {
	case root = <-addr:
	case err := <-exited:
		stopped = true
		tb.Fatalf("fhirserver: node exited before listening: %v\nserver stderr:\n%s", err, stderr.String())
	case <-time.After(readyTimeout):
		_ = stop()
		tb.Fatalf("fhirserver: no %q line within %v\nserver stderr:\n%s", listeningLine, readyTimeout, stderr.String())
	}
	if err := waitHealthy(root+"/healthcheck", readyTimeout); err != nil {
		tb.Fatalf("fhirserver: %v\nserver stderr:\n%s", err, stderr.String())
	}
	return root + "/fhir/R4"
}

// nodeFlags returns the flags this node needs for Medplum: Node 20 and 21
// have a global WebSocket only behind --experimental-websocket; newer ones
// have it built in (and may drop the flag).
func nodeFlags(node string) []string {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return []string{"--experimental-websocket"}
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	if n, err := strconv.Atoi(major); err == nil && n >= 22 {
		return nil
	}
	return []string{"--experimental-websocket"}
}

// Dir returns the directory that holds server.mjs and package.json.
func Dir(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("fhirserver: cannot locate the package directory")
	}
	dir := filepath.Dir(file)
	if _, err := os.Stat(filepath.Join(dir, "server.mjs")); err != nil {
		tb.Fatalf("fhirserver: server.mjs: %v", err)
	}
	return dir
}

func waitHealthy(url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("health check %s: %w", url, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("health check %s: %w (last: %v)", url, ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// ensureModules runs `npm ci` when the pinned packages are not installed.
// Test binaries of several packages may get here at the same moment, so a
// lock directory (mkdir is atomic) lets only one install while the others
// wait, and a stamp written after a complete install (holding the lock
// file's hash, so an updated lock reinstalls) tells them it is done: the
// packages' own files appear long before npm has finished.
func ensureModules(tb testing.TB, dir string) {
	tb.Helper()
	lockJSON, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		tb.Fatalf("fhirserver: %v", err)
	}
	sum := sha256.Sum256(lockJSON)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(dir, "node_modules", ".telewave-npm-ci")
	installed := func() bool {
		got, err := os.ReadFile(stamp)
		return err == nil && string(got) == want
	}
	if installed() {
		return
	}
	lock := filepath.Join(dir, ".npm-install.lock")
	deadline := time.Now().Add(installLimit)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := os.Mkdir(lock, 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			tb.Fatalf("fhirserver: npm lock %s: %v", lock, err)
		}
		if installed() {
			return // another test binary finished the install
		}
		if st, err := os.Stat(lock); err == nil && time.Since(st.ModTime()) > installLimit {
			_ = os.Remove(lock) // left behind by a killed run
			continue
		}
		if time.Now().After(deadline) {
			tb.Fatalf("fhirserver: waited %v for another npm ci (lock %s)", installLimit, lock)
		}
		<-tick.C // another test binary is installing; poll for its result
	}
	defer os.Remove(lock)
	if installed() {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		tb.Fatal("fhirserver: npm is not on PATH; the FHIR integration tests need it to install test/fhirserver (make test installs nodejs and npm)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), installLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("fhirserver: npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		tb.Fatalf("fhirserver: npm ci succeeded but the stamp cannot be written: %v\n%s", err, out)
	}
}

// lockedBuffer collects the server's stderr for failure messages; exec
// writes to it from its own goroutine while a test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
