// Package relay is the telehealth forwarder (docs/telehealth.md): hosts and
// viewers connect to it over WebSocket, and it passes sealed frames between
// them by session id. It reads only a frame's version and class bytes,
// keeps nothing but its open connections, stores nothing and never logs a
// payload. The envelope helpers (AppendEnvelope, ParseEnvelope) are shared
// with the host and the Go viewer so nobody writes the bytes by hand.
package relay

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxSessions          = 1000
	DefaultMaxViewersPerSession = 16
	DefaultMaxConnsPerAddr      = 64
	DefaultQueueFrames          = 64
	DefaultKeepalive            = 20 * time.Second
	DefaultWriteTimeout         = 10 * time.Second
	// hostQueue bounds the messages waiting for a host (joins, knocks,
	// markers); a host that lets it fill is dropped (4008).
	hostQueue = 256
	// Limits on what a viewer may send (docs/telehealth.md).
	knockFrames     = 4
	knockFrameBytes = 2 << 10
	viewerRate      = 20 // frames in any one second once admitted
)

// Config sets a Relay's limits. Zero fields take the defaults above.
type Config struct {
	MaxSessions          int // hosts connected at once
	MaxViewersPerSession int // viewers of one share at once
	MaxConnsPerAddr      int // connections from one remote IP at once
	QueueFrames          int // frames waiting for one viewer before drops
	// ViewerPage, when set, holds the browser viewer with index.html at its
	// top: GET /v/<sid> serves index.html and GET /v/assets/<file> serves
	// <file> (or assets/<file>) from it.
	ViewerPage fs.FS
	// Now is the clock for invite expiry and rate limits (time.Now if nil).
	Now func() time.Time
	// Logf receives connection events; never payloads, and sids cut to
	// their first 4 characters. Nil discards them.
	Logf func(format string, args ...any)
	// Keepalive is how often a peer is pinged; one that does not answer
	// within the same time is dropped.
	Keepalive time.Duration
	// WriteTimeout bounds one write to a peer; a peer that takes longer is
	// dropped.
	WriteTimeout time.Duration
}

// Relay forwards sealed frames between hosts and viewers. It is an
// http.Handler; Close ends every connection it accepted.
type Relay struct {
	cfg          Config
	now          func() time.Time
	logf         func(format string, args ...any)
	keepalive    time.Duration
	writeTimeout time.Duration
	mux          *http.ServeMux
	stats        counters

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per request being handled

	mu       sync.Mutex
	closed   bool
	sessions map[string]*session // by sid
	perAddr  map[string]int      // open connections by remote IP
	peers    map[*peer]struct{}
}

var _ http.Handler = (*Relay)(nil)

// New returns a Relay with cfg's limits.
func New(cfg Config) *Relay {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxSessions, DefaultMaxSessions)
	def(&cfg.MaxViewersPerSession, DefaultMaxViewersPerSession)
	def(&cfg.MaxConnsPerAddr, DefaultMaxConnsPerAddr)
	def(&cfg.QueueFrames, DefaultQueueFrames)
	r := &Relay{
		cfg:          cfg,
		now:          cfg.Now,
		logf:         cfg.Logf,
		keepalive:    cfg.Keepalive,
		writeTimeout: cfg.WriteTimeout,
		sessions:     map[string]*session{},
		perAddr:      map[string]int{},
		peers:        map[*peer]struct{}{},
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.logf == nil {
		r.logf = func(string, ...any) {}
	}
	if r.keepalive <= 0 {
		r.keepalive = DefaultKeepalive
	}
	if r.writeTimeout <= 0 {
		r.writeTimeout = DefaultWriteTimeout
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.mux = http.NewServeMux()
	r.mux.HandleFunc("GET /live/{sid}/host", r.serveHost)
	r.mux.HandleFunc("GET /live/{sid}/view", r.serveViewer)
	r.mux.HandleFunc("GET /v/assets/{file...}", r.serveAsset)
	r.mux.HandleFunc("GET /v/{sid}", r.servePage)
	r.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	r.mux.HandleFunc("GET /metrics", r.serveMetrics)
	return r
}

// ServeHTTP routes /live/<sid>/host?x=UNIX, /live/<sid>/view, /v/<sid>,
// /v/assets/<file>, /healthz and /metrics.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		http.Error(w, "relay closing", http.StatusServiceUnavailable)
		return
	}
	r.wg.Add(1)
	r.mu.Unlock()
	defer r.wg.Done()
	w.Header().Set("Referrer-Policy", "no-referrer") // the sid is in the path
	r.mux.ServeHTTP(w, req)
}

// Close closes every connection (1001) and waits for their goroutines.
// Requests that come after it are refused.
func (r *Relay) Close() {
	r.mu.Lock()
	r.closed = true
	peers := make([]*peer, 0, len(r.peers))
	for p := range r.peers {
		peers = append(peers, p)
	}
	r.mu.Unlock()
	for _, p := range peers {
		p.closeWith(CloseShuttingDown, "relay closing")
	}
	r.wg.Wait()
	r.cancel()
}

// acquireAddr counts a connection from req's remote IP; false when that IP
// is at its limit. Every true is matched by releaseAddr.
func (r *Relay) acquireAddr(req *http.Request) (string, bool) {
	ip, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		ip = req.RemoteAddr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perAddr[ip] >= r.cfg.MaxConnsPerAddr {
		return ip, false
	}
	r.perAddr[ip]++
	return ip, true
}

func (r *Relay) releaseAddr(ip string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perAddr[ip]--; r.perAddr[ip] <= 0 {
		delete(r.perAddr, ip)
	}
}

// track adds p to the peers Close ends; false when the relay is closing.
func (r *Relay) track(p *peer) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.peers[p] = struct{}{}
	return true
}

func (r *Relay) untrack(p *peer) {
	r.mu.Lock()
	delete(r.peers, p)
	r.mu.Unlock()
}

// accept upgrades req; the library has answered the request on error.
func (r *Relay) accept(w http.ResponseWriter, req *http.Request) (*websocket.Conn, bool) {
	conn, err := websocket.Accept(w, req, nil)
	if err != nil {
		r.logf("relay: upgrade refused: %v", err)
		return nil, false
	}
	return conn, true
}

// refuse accepts req only to close it at once with code: a browser sees a
// close code, never an HTTP status.
func (r *Relay) refuse(w http.ResponseWriter, req *http.Request, code websocket.StatusCode, reason, tag string) {
	conn, ok := r.accept(w, req)
	if !ok {
		return
	}
	r.logf("relay: %s refused: %d %s", tag, code, reason)
	conn.Close(code, reason)
}

// shortSID is what logs show of a sid.
func shortSID(sid string) string {
	if len(sid) > 4 {
		return sid[:4] + "…"
	}
	return sid
}
