package share_test

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// rawViewer is a viewer written against the relay and wire directly, so a
// test keeps its key and every frame it was sent.
type rawViewer struct {
	v    *wire.Viewer
	conn *websocket.Conn
	done chan struct{}

	mu       sync.Mutex
	msgs     [][]byte // envelopes, as received
	grants   []wire.Grant
	opened   int // stream frames it could open
	admitted bool
	closeErr error
}

func dialRaw(t testing.TB, link, name string) *rawViewer {
	t.Helper()
	inv, err := wire.ParseInvite(link)
	if err != nil {
		t.Fatal(err)
	}
	v, err := wire.NewViewer(inv)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, inv.ViewerURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(1 + wire.MaxFrame)
	knock, err := v.Knock(wire.Knock{Name: name, Client: "browser"})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, relay.OpSend, 0, knock)); err != nil {
		t.Fatal(err)
	}
	rv := &rawViewer{v: v, conn: conn, done: make(chan struct{})}
	go rv.read()
	t.Cleanup(func() {
		conn.CloseNow()
		<-rv.done
	})
	return rv
}

func (rv *rawViewer) read() {
	defer close(rv.done)
	for {
		_, msg, err := rv.conn.Read(context.Background())
		if err != nil {
			rv.mu.Lock()
			rv.closeErr = err
			rv.mu.Unlock()
			return
		}
		rv.mu.Lock()
		rv.msgs = append(rv.msgs, msg)
		op, _, frame, err := relay.ParseEnvelope(msg)
		switch {
		case err != nil:
		case op == relay.OpAdmitted:
			rv.admitted = true
		case op == relay.OpFrame && wire.Class(frame[1]) == wire.ClassGrant:
			if g, err := rv.v.OpenGrant(frame); err == nil {
				rv.grants = append(rv.grants, g)
			}
		case op == relay.OpFrame:
			if _, _, err := rv.v.OpenStream(frame); err == nil {
				rv.opened++
			}
		}
		rv.mu.Unlock()
	}
}

func (rv *rawViewer) count() int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return len(rv.msgs)
}

func (rv *rawViewer) openedCount() int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return rv.opened
}

// id is the viewer id of its first grant (0 before one came).
func (rv *rawViewer) id() uint32 {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if len(rv.grants) == 0 {
		return 0
	}
	return rv.grants[0].Viewer
}

// streamFrames returns the stream frames received of at least epoch.
func (rv *rawViewer) streamFrames(epoch uint32) [][]byte {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	var out [][]byte
	for _, m := range rv.msgs {
		op, _, frame, err := relay.ParseEnvelope(m)
		if err == nil && op == relay.OpFrame && wire.Class(frame[1]).Stream() && binary.BigEndian.Uint32(frame[2:6]) >= epoch {
			out = append(out, frame)
		}
	}
	return out
}

// closed returns the close status once the relay closed the viewer, -1
// while it is open.
func (rv *rawViewer) closed() websocket.StatusCode {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.closeErr == nil {
		return -1
	}
	return websocket.CloseStatus(rv.closeErr)
}
