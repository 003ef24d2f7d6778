package relay

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// peer is one accepted WebSocket connection, a host or a viewer. The
// handler goroutine that accepted it reads; a write loop drains its outbox;
// a keepalive loop pings it. run starts both loops and finish stops and
// waits for them.
type peer struct {
	r      *Relay
	conn   *websocket.Conn
	out    *outbox
	tag    string // for logs: role and the sid's first characters, never more
	ctx    context.Context
	cancel context.CancelFunc

	wg         sync.WaitGroup
	writerDone chan struct{}
	readBuf    []byte
}

func (r *Relay) newPeer(conn *websocket.Conn, out *outbox, tag string, readLimit int) *peer {
	ctx, cancel := context.WithCancel(r.ctx)
	conn.SetReadLimit(int64(readLimit))
	return &peer{
		r:          r,
		conn:       conn,
		out:        out,
		tag:        tag,
		ctx:        ctx,
		cancel:     cancel,
		writerDone: make(chan struct{}),
	}
}

// run starts the write and keepalive loops.
func (p *peer) run() {
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		defer close(p.writerDone)
		p.writeLoop()
	}()
	go func() {
		defer p.wg.Done()
		p.keepalive()
	}()
}

// finish ends the peer once its read loop has returned: a close asked for
// is given the time to reach the peer (the write loop's own bounds), then
// every loop is stopped and waited for.
func (p *peer) finish() {
	if p.out.closeRequested() {
		<-p.writerDone
	}
	p.cancel()
	p.wg.Wait()
	p.conn.CloseNow()
}

// closeWith asks the write loop to close the connection with code.
func (p *peer) closeWith(code websocket.StatusCode, reason string) {
	if p.out.close(code, reason) {
		p.r.logf("relay: %s closed: %d %s", p.tag, code, reason)
	}
}

func (p *peer) writeLoop() {
	for {
		select {
		case <-p.out.ready:
		case <-p.ctx.Done():
			return
		}
		for {
			it, ok, closing := p.out.next()
			if closing {
				code, reason := p.out.closeStatus()
				p.conn.Close(code, reason)
				p.cancel()
				return
			}
			if !ok {
				break
			}
			ctx, cancel := context.WithTimeout(p.ctx, p.r.writeTimeout)
			err := p.conn.Write(ctx, websocket.MessageBinary, it.msg)
			cancel()
			if err != nil {
				if p.ctx.Err() == nil {
					p.r.logf("relay: %s write: %v", p.tag, err)
				}
				p.cancel()
				return
			}
			p.r.stats.sent(it)
		}
	}
}

// keepalive pings the peer; one that does not answer within the interval
// is dead and its connection is ended (its read loop then returns).
func (p *peer) keepalive() {
	t := time.NewTicker(p.r.keepalive)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(p.ctx, p.r.keepalive)
		err := p.conn.Ping(ctx)
		cancel()
		if err != nil {
			if p.ctx.Err() == nil {
				p.r.logf("relay: %s: no answer to ping, dropped", p.tag)
			}
			p.cancel()
			return
		}
	}
}

// errTooBig says a message was longer than the read limit.
var errTooBig = errors.New("message too big")

// errNotBinary says a text message came.
var errNotBinary = errors.New("text message")

// read returns the next message, at most limit bytes long, in a buffer
// reused by the next call. It never reads past limit+1 bytes, so the
// caller can close with its own code rather than the library's 1009.
func (p *peer) read(limit int) ([]byte, error) {
	typ, rd, err := p.conn.Reader(p.ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageBinary {
		return nil, errNotBinary
	}
	buf := p.readBuf[:cap(p.readBuf)]
	n := 0
	for n <= limit {
		if n == len(buf) { // grow up to limit+1: most peers send little
			buf = append(buf, make([]byte, min(max(2*len(buf), 512), limit+1)-len(buf))...)
			p.readBuf = buf
		}
		m, err := rd.Read(buf[n:min(len(buf), limit+1)])
		n += m
		if errors.Is(err, io.EOF) {
			return buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errTooBig
}
