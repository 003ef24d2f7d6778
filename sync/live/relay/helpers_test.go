package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// waitFor bounds every wait in these tests; nothing is timed, it only
// keeps a broken relay from hanging the run.
const waitFor = 10 * time.Second

// fakeClock is an injected Now that tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *fakeClock) Unix(d time.Duration) string {
	return fmt.Sprint(c.Now().Add(d).Unix())
}

// testRelay is a Relay behind an httptest server on 127.0.0.1.
type testRelay struct {
	*Relay
	url string // ws://127.0.0.1:port
}

func startRelay(t testing.TB, cfg Config) *testRelay {
	t.Helper()
	r := New(cfg)
	srv := httptest.NewServer(r)
	t.Cleanup(func() {
		r.Close()
		srv.Close()
	})
	return &testRelay{Relay: r, url: "ws" + strings.TrimPrefix(srv.URL, "http")}
}

func newSID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// testFrame builds a frame of class with body between header and tag.
func testFrame(class byte, body []byte) []byte {
	f := make([]byte, 18, 18+len(body)+16)
	f[0], f[1] = FrameVersion, class
	f = append(f, body...)
	return append(f, bytes.Repeat([]byte{0xEE}, 16)...)
}

// seqFrame is a frame whose body is a sequence number, padded to size.
func seqFrame(class byte, seq int, size int) []byte {
	body := []byte(fmt.Sprintf("seq=%08d;", seq))
	if pad := size - MinFrame - len(body); pad > 0 {
		body = append(body, bytes.Repeat([]byte{'.'}, pad)...)
	}
	return testFrame(class, body)
}

func frameSeq(t testing.TB, frame []byte) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(string(frame[18:31]), "seq=%08d;", &n); err != nil {
		t.Fatalf("frame without a seq: %v", err)
	}
	return n
}

// client is a test peer whose reader goroutine queues every message and
// then the close status.
type client struct {
	t    testing.TB
	conn *websocket.Conn
	msgs chan []byte
	done chan struct{}

	mu     sync.Mutex
	status websocket.StatusCode
}

func dial(t testing.TB, url string) (*websocket.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(2 * MaxFrame)
	t.Cleanup(func() { conn.CloseNow() })
	return conn, nil
}

// connect dials url and starts reading.
func connect(t testing.TB, url string) *client {
	t.Helper()
	conn, err := dial(t, url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c := &client{t: t, conn: conn, msgs: make(chan []byte, 4096), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			_, msg, err := conn.Read(context.Background())
			if err != nil {
				c.mu.Lock()
				c.status = websocket.CloseStatus(err)
				c.mu.Unlock()
				close(c.msgs)
				return
			}
			c.msgs <- msg
		}
	}()
	t.Cleanup(func() {
		conn.CloseNow()
		<-c.done
	})
	return c
}

func (tr *testRelay) host(t testing.TB, sid, x string) *client {
	t.Helper()
	return connect(t, tr.url+"/live/"+sid+"/host?x="+x)
}

func (tr *testRelay) viewer(t testing.TB, sid string) *client {
	t.Helper()
	return connect(t, tr.url+"/live/"+sid+"/view")
}

func (c *client) send(op byte, viewer uint32, frame []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageBinary, AppendEnvelope(nil, op, viewer, frame)); err != nil {
		c.t.Fatalf("send op 0x%02x: %v", op, err)
	}
}

// next returns the next message, parsed.
func (c *client) next() (op byte, viewer uint32, frame []byte) {
	c.t.Helper()
	select {
	case msg, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("connection closed (%d) while a message was expected", c.closeStatus())
		}
		op, viewer, frame, err := ParseEnvelope(msg)
		if err != nil {
			c.t.Fatalf("message from the relay: %v", err)
		}
		return op, viewer, frame
	case <-time.After(waitFor):
		c.t.Fatalf("no message in %v", waitFor)
	}
	return 0, 0, nil
}

// expect reads the next message and checks its op and viewer id.
func (c *client) expect(op byte, viewer uint32) []byte {
	c.t.Helper()
	gotOp, gotViewer, frame := c.next()
	if gotOp != op || gotViewer != viewer {
		c.t.Fatalf("got op 0x%02x viewer %d, want op 0x%02x viewer %d", gotOp, gotViewer, op, viewer)
	}
	return frame
}

// expectClosed drains the connection and checks the close code.
func (c *client) expectClosed(code websocket.StatusCode) {
	c.t.Helper()
	c.drain(code)
}

// drain returns every message until the relay closes the connection, and
// checks the close code.
func (c *client) drain(code websocket.StatusCode) [][]byte {
	c.t.Helper()
	var msgs [][]byte
	deadline := time.After(waitFor)
	for {
		select {
		case msg, ok := <-c.msgs:
			if ok {
				msgs = append(msgs, msg)
				continue
			}
			if got := c.closeStatus(); got != code {
				c.t.Fatalf("closed with %d, want %d", got, code)
			}
			return msgs
		case <-deadline:
			c.t.Fatalf("not closed in %v (want %d)", waitFor, code)
		}
	}
}

func (c *client) closeStatus() websocket.StatusCode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v", what, waitFor)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
