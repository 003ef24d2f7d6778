package share

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coder/websocket"

	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// Link timing.
const (
	dialTimeout  = 10 * time.Second
	writeTimeout = 10 * time.Second
	pingEvery    = 15 * time.Second
	backoffMin   = 250 * time.Millisecond
	backoffMax   = 10 * time.Second
	// readLimit is the longest message the relay sends a host: op,
	// viewer id and a frame.
	readLimit = 1 + 4 + wire.MaxFrame
)

// dial connects to the relay as the share's host.
func (s *Share) dial(ctx context.Context) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	u := wire.Invite{Base: s.cfg.Relay, Session: s.invite.Session, Expires: s.invite.Expires}.HostURL()
	conn, resp, err := websocket.Dial(ctx, u, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("connect to relay %s: %w", s.cfg.Relay, err)
	}
	conn.SetReadLimit(readLimit)
	return conn, nil
}

// serveLink runs the link to the relay until the share ends, dialling
// again with a jittered backoff when it drops. Viewers do not survive a
// drop (the relay closes them with 4002): they knock again.
func (s *Share) serveLink(conn *websocket.Conn) {
	backoff := backoffMin
	for {
		start := s.now()
		err := s.runConn(conn)
		s.dropViewers()
		if s.ctx.Err() != nil {
			return
		}
		why := linkReason(err)
		s.cfg.Logf("share %s: relay link dropped: %s", shortSID(s.invite.Session), why)
		s.setLink(Reconnecting, why)
		if s.now().Sub(start) > time.Minute {
			backoff = backoffMin // it had been up a good while
		}
		for {
			wait := backoff/2 + rand.N(backoff/2+1)
			backoff = min(2*backoff, backoffMax)
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(wait):
			}
			conn, err = s.dial(s.ctx)
			if err == nil {
				break
			}
			if s.ctx.Err() != nil {
				return
			}
			s.setLink(Reconnecting, linkReason(err))
		}
		s.cfg.Logf("share %s: relay link back", shortSID(s.invite.Session))
		s.setLink(Connected, "")
	}
}

func linkReason(err error) string {
	if err == nil {
		return "closed"
	}
	if c := websocket.CloseStatus(err); c != -1 {
		return fmt.Sprintf("relay closed the link (%d)", c)
	}
	return err.Error()
}

// runConn serves one connection: a writer drains the outbound queue and
// pings; this goroutine reads what the relay sends. It returns when
// either side fails or the share ends, with the connection closed.
func (s *Share) runConn(conn *websocket.Conn) error {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	werr := make(chan error, 1)
	go func() { werr <- s.writeLoop(ctx, conn) }()
	rerr := s.readLoop(ctx, conn)
	cancel()
	err := <-werr
	if s.ctx.Err() != nil {
		conn.Close(websocket.StatusNormalClosure, "share ended")
		return nil
	}
	conn.CloseNow()
	if rerr != nil && !errors.Is(rerr, context.Canceled) {
		return rerr
	}
	return err
}

// writeLoop drains the outbound queue and pings the relay. On a failed
// write it closes the connection, so that the read loop ends too.
func (s *Share) writeLoop(ctx context.Context, conn *websocket.Conn) error {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	pingNow := func() error {
		pctx, cancel := context.WithTimeout(ctx, writeTimeout)
		defer cancel()
		if err := conn.Ping(pctx); err != nil {
			conn.CloseNow()
			return fmt.Errorf("ping relay: %w", err)
		}
		return nil
	}
	for {
		select {
		case <-ping.C:
			if err := pingNow(); err != nil {
				return err
			}
		default:
		}
		m, ok := s.out.tryPop()
		if !ok {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.out.ready:
			case <-ping.C:
				if err := pingNow(); err != nil {
					return err
				}
			}
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		err := conn.Write(wctx, websocket.MessageBinary, m.b)
		cancel()
		if err != nil {
			conn.CloseNow()
			return fmt.Errorf("write to relay: %w", err)
		}
		s.bytesSent.Add(uint64(len(m.b)))
		if m.kind != kindControl || m.b[0] == relay.OpUnicast {
			s.framesSent.Add(1)
		}
	}
}

// readLoop handles the relay's messages: viewers joining and leaving and
// the frames they send.
func (s *Share) readLoop(ctx context.Context, conn *websocket.Conn) error {
	for {
		typ, msg, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageBinary {
			return fmt.Errorf("relay sent a text message")
		}
		op, id, frame, err := relay.ParseEnvelope(msg)
		if err != nil {
			return fmt.Errorf("read from relay: %w", err)
		}
		switch op {
		case relay.OpJoined:
			s.onJoined(id)
		case relay.OpLeft:
			s.onLeft(id)
		case relay.OpFrom:
			s.onFrame(id, frame)
		default:
			return fmt.Errorf("read from relay: op 0x%02x is not for a host", op)
		}
	}
}

// dropViewers forgets every viewer and everything queued for them: the
// relay closed them when the host's link went.
func (s *Share) dropViewers() {
	s.mu.Lock()
	n := len(s.viewers)
	clear(s.viewers)
	s.mu.Unlock()
	s.out.clear()
	if n > 0 {
		s.changed()
	}
}

// sendControl queues an envelope that must not be dropped. s.mu is held,
// so control messages and stream frames enter the queue in epoch order.
func (s *Share) sendControl(op byte, viewer uint32, frame []byte) {
	s.out.push(outMsg{kind: kindControl, b: relay.AppendEnvelope(nil, op, viewer, frame)})
}
