package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"telewave/sync/live/relay"
)

// startRelayCmd runs RunRelay with args and returns its base URL (its
// first stdout line); the command is stopped and checked at cleanup.
func startRelayCmd(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	outR, outW := io.Pipe()
	stderr := &lockedBuffer{}
	env := Env{Stdin: strings.NewReader(""), Stdout: outW, Stderr: stderr, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := RunRelay(ctx, env, args)
		outW.CloseWithError(io.EOF)
		done <- err
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("relay printed no URL: %v (%v)", err, <-done)
	}
	go io.Copy(io.Discard, outR)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("relay stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("relay did not stop")
		}
	})
	return strings.TrimSpace(line), stderr
}

// lockedBuffer is the relay's stderr, written by its goroutines.
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

func TestRelayCommandForwards(t *testing.T) {
	base, stderr := startRelayCmd(t, "--listen", "127.0.0.1:0", "--max-sessions", "2")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q", base)
	}
	if got := get(t, base+"/healthz"); got != "ok\n" {
		t.Fatalf("healthz %q", got)
	}
	// The browser viewer is served beside the relay.
	if page := get(t, base+"/v/AAAAAAAAAAAAAAAAAAAAAA"); !strings.Contains(strings.ToLower(page), "<html") {
		t.Fatalf("invite page: %.200q", page)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sidBytes := make([]byte, 16)
	rand.Read(sidBytes)
	sid := base64.RawURLEncoding.EncodeToString(sidBytes)
	ws := "ws" + strings.TrimPrefix(base, "http") + "/live/" + sid
	host, _, err := websocket.Dial(ctx, fmt.Sprintf("%s/host?x=%d", ws, time.Now().Add(time.Hour).Unix()), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer host.CloseNow()
	// The host is registered once /metrics counts it.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(get(t, base+"/metrics"), "telewave_relay_sessions 1") {
		if time.Now().After(deadline) {
			t.Fatal("the host never registered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	viewer, _, err := websocket.Dial(ctx, ws+"/view", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.CloseNow()
	expect := func(c *websocket.Conn, wantOp byte) []byte {
		t.Helper()
		_, msg, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		op, _, frame, err := relay.ParseEnvelope(msg)
		if err != nil || op != wantOp {
			t.Fatalf("op 0x%02x (%v), want 0x%02x", op, err, wantOp)
		}
		return frame
	}
	expect(host, relay.OpJoined)
	host.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, relay.OpAdmit, 1, nil))
	expect(viewer, relay.OpAdmitted)
	frame := append([]byte{relay.FrameVersion, relay.ClassWave}, make([]byte, 40)...)
	host.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, relay.OpBroadcast, 0, frame))
	if got := expect(viewer, relay.OpFrame); !bytes.Equal(got, frame) {
		t.Fatalf("viewer got % x", got)
	}
	if strings.Contains(stderr.String(), sid) {
		t.Errorf("the log names the whole sid:\n%s", stderr.String())
	}
}

func TestRelayCommandTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	base, _ := startRelayCmd(t, "--listen", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("first line %q", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz over TLS: %d", resp.StatusCode)
	}
}

func TestRelayCommandUsage(t *testing.T) {
	tests := [][]string{
		{},
		{"--listen", "127.0.0.1:0", "extra"},
		{"--listen", "127.0.0.1:0", "--tls-cert", "c.pem"},
		{"--listen", "127.0.0.1:0", "--max-sessions", "0"},
		{"--listen", "127.0.0.1:0", "--max-per-addr", "-1"},
		{"--listen", "127.0.0.1:0", "--bogus"},
	}
	for _, args := range tests {
		env, _, _ := testEnv(nil)
		if err := RunRelay(context.Background(), env, args); !errors.Is(err, ErrUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	env, _, _ := testEnv(nil)
	err := RunRelay(context.Background(), env, []string{"--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"})
	if err == nil || errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("missing key pair: %v", err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// selfSigned writes a certificate for 127.0.0.1 and its key to files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "relay test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile, pool
}
