// Package faultproxy is a fault-injecting HTTP reverse proxy for tests: it
// stands between a client and a real upstream server on 127.0.0.1 and, per
// request, by seeded chance, passes the request through or breaks it in one
// of the ways networks and servers break (error statuses, rate limiting, a
// hang, a reset after the server committed, a slow or truncated body).
package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Kind is what the proxy does with one request.
type Kind int

// The fault kinds. Pass forwards untouched; the others are faults.
const (
	Pass Kind = iota
	// Status500 answers 500 without forwarding.
	Status500
	// Status503 answers 503 without forwarding.
	Status503
	// Status429 answers 429 with Retry-After (Config.RetryAfter seconds)
	// without forwarding.
	Status429
	// Timeout holds the connection without answering for Config.Hold (or
	// until the client gives up), then closes it; nothing is forwarded.
	Timeout
	// Reset forwards the request, reads the upstream's whole answer (the
	// server has committed), then resets the client's connection (SO_LINGER
	// 0): the client never hears.
	Reset
	// SlowBody forwards and trickles the real answer in small pieces with
	// pauses; the answer arrives complete.
	SlowBody
	// Truncate forwards, sends the headers (with the full Content-Length)
	// and a prefix of the body, then closes the connection.
	Truncate
	numKinds
)

var kindNames = [...]string{"pass", "500", "503", "429", "timeout", "reset", "slow-body", "truncate"}

// String names the kind.
func (k Kind) String() string {
	if k >= 0 && k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// FaultKinds lists every kind but Pass.
func FaultKinds() []Kind {
	out := make([]Kind, 0, numKinds-1)
	for k := Pass + 1; k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// Config sets the chances and shapes of faults. Zero fields take defaults.
type Config struct {
	// Seed seeds the chooser (math/rand/v2 PCG).
	Seed uint64
	// P is the probability of each fault kind per request; what is left
	// of 1 passes. The sum must not exceed 1.
	P map[Kind]float64
	// RetryAfter is the Retry-After of a 429, in seconds (default 1).
	RetryAfter int
	// Hold is how long a Timeout fault keeps a connection before closing
	// it (default 2 s; at most MaxHold). Make it longer than the client's
	// per-try timeout.
	Hold time.Duration
	// SlowPieces is how many pieces a slow body is cut into (default 8,
	// at most 64); SlowPause is the pause before each (default 5 ms, at
	// most 1 s).
	SlowPieces int
	SlowPause  time.Duration
	// MaxBody bounds an upstream answer held in memory (default 64 MiB);
	// a longer one is answered 502.
	MaxBody int64
}

// Bounds on the configuration: every loop and wait in the proxy is finite.
const (
	MaxHold      = 30 * time.Second
	maxPieces    = 64
	maxPause     = time.Second
	upstreamWait = 60 * time.Second
)

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	url      string
	upstream *url.URL
	cfg      Config
	client   *http.Client
	srv      *http.Server
	done     chan struct{}
	handlers sync.WaitGroup

	mu     sync.Mutex
	rng    *rand.Rand
	closed bool // set by Close; no handler starts after it

	counts [numKinds]atomic.Int64
}

// Start runs a proxy for upstream (scheme://host:port; any path is
// ignored: the proxy forwards each request's own path) on 127.0.0.1 with
// a free port, and stops it when the test ends.
func Start(tb testing.TB, upstream string, cfg Config) *Proxy {
	tb.Helper()
	p, err := New(upstream, cfg)
	if err != nil {
		tb.Fatalf("faultproxy: %v", err)
	}
	tb.Cleanup(p.Close)
	return p
}

// New starts a proxy like Start; the caller must Close it.
func New(upstream string, cfg Config) (*Proxy, error) {
	up, err := url.Parse(upstream)
	if err != nil || up.Host == "" || (up.Scheme != "http" && up.Scheme != "https") {
		return nil, fmt.Errorf("upstream %q is not an http(s) URL", upstream)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p := &Proxy{
		url:      "http://" + ln.Addr().String(),
		upstream: &url.URL{Scheme: up.Scheme, Host: up.Host},
		cfg:      cfg,
		client: &http.Client{
			Transport:     http.DefaultTransport.(*http.Transport).Clone(),
			Timeout:       upstreamWait,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		done: make(chan struct{}),
		rng:  rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }() // returns ErrServerClosed on Close
	return p, nil
}

func (c Config) check() error {
	sum := 0.0
	for k, v := range c.P {
		if k <= Pass || k >= numKinds {
			return fmt.Errorf("probability for unknown fault kind %d", int(k))
		}
		if v < 0 || v > 1 {
			return fmt.Errorf("probability of %v is %v, want [0, 1]", k, v)
		}
		sum += v
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("fault probabilities add up to %v, more than 1", sum)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.RetryAfter <= 0 {
		c.RetryAfter = 1
	}
	if c.Hold <= 0 {
		c.Hold = 2 * time.Second
	}
	c.Hold = min(c.Hold, MaxHold)
	if c.SlowPieces <= 0 {
		c.SlowPieces = 8
	}
	c.SlowPieces = min(c.SlowPieces, maxPieces)
	if c.SlowPause <= 0 {
		c.SlowPause = 5 * time.Millisecond
	}
	c.SlowPause = min(c.SlowPause, maxPause)
	if c.MaxBody <= 0 {
		c.MaxBody = 64 << 20
	}
	return c
}

// URL is the proxy's root ("http://127.0.0.1:PORT"); append the upstream's
// paths to it.
func (p *Proxy) URL() string { return p.url }

// Faults returns how many requests each kind handled so far (Pass
// included).
func (p *Proxy) Faults() map[Kind]int64 {
	out := make(map[Kind]int64, numKinds)
	for k := Pass; k < numKinds; k++ {
		out[k] = p.counts[k].Load()
	}
	return out
}

// Injected returns the number of faults injected so far (every kind but
// Pass).
func (p *Proxy) Injected() int64 {
	var n int64
	for k := Pass + 1; k < numKinds; k++ {
		n += p.counts[k].Load()
	}
	return n
}

// SetProbabilities replaces the fault chances, for example to let a test
// finish cleanly after a faulty phase.
func (p *Proxy) SetProbabilities(probs map[Kind]float64) error {
	c := Config{P: probs}
	if err := c.check(); err != nil {
		return err
	}
	cp := make(map[Kind]float64, len(probs))
	for k, v := range probs {
		cp[k] = v
	}
	p.mu.Lock()
	p.cfg.P = cp
	p.mu.Unlock()
	return nil
}

// Close stops accepting, wakes held connections and waits for every
// handler to return.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	_ = p.srv.Close()
	p.handlers.Wait()
	p.client.CloseIdleConnections()
}

// begin draws the kind for one request and registers its handler; ok is
// false once the proxy is closing.
func (p *Proxy) begin() (k Kind, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return Pass, false
	}
	p.handlers.Add(1)
	x := p.rng.Float64()
	for k := Pass + 1; k < numKinds; k++ {
		if x < p.cfg.P[k] {
			return k, true
		}
		x -= p.cfg.P[k]
	}
	return Pass, true
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	k, ok := p.begin()
	if !ok {
		closeConn(w, false)
		return
	}
	defer p.handlers.Done()
	p.counts[k].Add(1)
	switch k {
	case Status500, Status503, Status429:
		code := map[Kind]int{Status500: 500, Status503: 503, Status429: 429}[k]
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, p.cfg.MaxBody))
		if k == Status429 {
			w.Header().Set("Retry-After", strconv.Itoa(p.cfg.RetryAfter))
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"faultproxy: injected %d"}]}`, code)
	case Timeout:
		// Reading the body lets the server notice when the client hangs up.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, p.cfg.MaxBody))
		t := time.NewTimer(p.cfg.Hold)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done(): // the client gave up and closed
		case <-p.done:
		}
		closeConn(w, false)
	default:
		p.forward(w, r, k)
	}
}

// upstreamReply is an upstream answer read in full.
type upstreamReply struct {
	status int
	header http.Header
	body   []byte
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, k Kind) {
	rep, err := p.roundTrip(r)
	if err != nil {
		http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	switch k {
	case Reset:
		closeConn(w, true)
		return
	case Truncate:
		copyHeader(w.Header(), rep.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.body[:len(rep.body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		closeConn(w, false)
		return
	}
	copyHeader(w.Header(), rep.header)
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	if k != SlowBody || len(rep.body) == 0 {
		_, _ = w.Write(rep.body)
		return
	}
	flusher, _ := w.(http.Flusher)
	piece := (len(rep.body) + p.cfg.SlowPieces - 1) / p.cfg.SlowPieces
	for off := 0; off < len(rep.body); off += piece {
		t := time.NewTimer(p.cfg.SlowPause)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-p.done:
			t.Stop()
			return
		}
		if _, err := w.Write(rep.body[off:min(off+piece, len(rep.body))]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// roundTrip sends r to the upstream and reads the whole answer.
func (p *Proxy) roundTrip(r *http.Request) (*upstreamReply, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, p.cfg.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read request: %w", err)
	}
	if int64(len(body)) > p.cfg.MaxBody {
		return nil, errors.New("request body too large")
	}
	u := *p.upstream
	u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	// The client's own context is not used: a Reset fault must reach the
	// upstream even though the client will never read the answer.
	ctx, cancel := context.WithTimeout(context.Background(), upstreamWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	copyHeader(req.Header, r.Header)
	req.Host = r.Host // the upstream sees the address the client used
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, p.cfg.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if int64(len(data)) > p.cfg.MaxBody {
		return nil, errors.New("answer too large")
	}
	return &upstreamReply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// hopByHop are headers that belong to one connection, not the message.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true,
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if hopByHop[http.CanonicalHeaderKey(k)] {
			continue
		}
		dst[k] = append([]string(nil), vs...)
	}
}

// closeConn takes the connection from the server and closes it; reset
// makes the close an RST (SO_LINGER 0) instead of a FIN.
func closeConn(w http.ResponseWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if buf != nil && buf.Writer.Buffered() > 0 {
		_ = buf.Flush()
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
