package share_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wsProxy is a TCP forwarder on the loopback that a test puts between the
// relay and its clients. It keeps every byte that crosses it (the security
// test looks for plaintext in them), counts bytes each way (the bandwidth
// benchmarks), can throttle what the relay sends a client (a thin link),
// and, because it splits the WebSocket stream into frames, can hand the
// test each message the relay sends and inject a message into what a
// client sends (a replayed frame).
type wsProxy struct {
	t      testing.TB
	ln     net.Listener
	target string
	// Rate throttles the relay → client direction to this many bytes a
	// second (0: no throttle).
	Rate int
	// OnDown hears every message the relay sends a client: the
	// connection's request path and the unmasked payload.
	OnDown func(path string, msg []byte)

	up, down atomic.Int64 // bytes client → relay, relay → client
	mu       sync.Mutex
	raw      bytes.Buffer // every byte, both ways
	conns    []*proxyConn
	wg       sync.WaitGroup
}

type proxyConn struct {
	path   string // the upgrade request's path and query
	client net.Conn
	server net.Conn
	inject chan []byte // payloads to send the relay as if the client had
}

func newWSProxy(t testing.TB, target string, rate int, onDown func(path string, msg []byte)) *wsProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &wsProxy{t: t, ln: ln, target: target, Rate: rate, OnDown: onDown}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// URL is the proxy's base URL, for a relay URL or an invite's base.
func (p *wsProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *wsProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		pc := &proxyConn{client: c, server: s, inject: make(chan []byte, 16)}
		if p.Rate > 0 {
			// A small receive buffer on the relay's side, so that a
			// throttled client backs up into the relay quickly.
			s.(*net.TCPConn).SetReadBuffer(8 << 10)
		}
		p.mu.Lock()
		p.conns = append(p.conns, pc)
		p.mu.Unlock()
		ready := make(chan struct{})
		p.wg.Add(2)
		go func() { defer p.wg.Done(); p.pumpUp(pc, ready) }()
		go func() { defer p.wg.Done(); p.pumpDown(pc, ready) }()
	}
}

func (p *wsProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.client.Close()
		c.server.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Cut closes the connections whose path contains pathPart, as a network
// outage would; new connections are still accepted.
func (p *wsProxy) Cut(pathPart string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if strings.Contains(c.path, pathPart) {
			c.client.Close()
			c.server.Close()
		}
	}
}

// Raw returns a copy of every byte that crossed the proxy.
func (p *wsProxy) Raw() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.raw.Bytes())
}

func (p *wsProxy) record(b []byte) {
	p.mu.Lock()
	p.raw.Write(b)
	p.mu.Unlock()
}

// Inject sends payload to the relay as one binary message on the first
// connection whose path contains pathPart, between two of its frames.
func (p *wsProxy) Inject(pathPart string, payload []byte) error {
	p.mu.Lock()
	var target *proxyConn
	for _, c := range p.conns {
		if strings.Contains(c.path, pathPart) {
			target = c
			break
		}
	}
	p.mu.Unlock()
	if target == nil {
		return fmt.Errorf("no connection to %s", pathPart)
	}
	target.inject <- maskedFrame(payload)
	return nil
}

// pumpUp copies client → relay: the upgrade request, then frame by frame
// so that injected frames go in between.
func (p *wsProxy) pumpUp(c *proxyConn, ready chan<- struct{}) {
	defer c.server.Close()
	r := bufio.NewReader(c.client)
	head, err := readHead(r)
	if len(head) > 0 {
		if line, _, ok := strings.Cut(string(head), "\r\n"); ok {
			if f := strings.Fields(line); len(f) >= 2 {
				p.mu.Lock()
				c.path = f[1]
				p.mu.Unlock()
			}
		}
	}
	close(ready)
	if err != nil || p.forward(c.server, head, &p.up) != nil {
		return
	}
	for {
		raw, _, _, err := readFrame(r)
		if len(raw) > 0 && p.forward(c.server, raw, &p.up) != nil {
			return
		}
		if err != nil {
			return
		}
		for more := true; more; {
			select {
			case f := <-c.inject:
				if p.forward(c.server, f, &p.up) != nil {
					return
				}
			default:
				more = false
			}
		}
	}
}

// pumpDown copies relay → client, throttled to Rate, telling OnDown of
// every message.
func (p *wsProxy) pumpDown(c *proxyConn, ready <-chan struct{}) {
	defer c.client.Close()
	<-ready
	r := bufio.NewReaderSize(c.server, 4096)
	head, err := readHead(r)
	if ferr := p.forward(c.client, head, &p.down); ferr != nil || err != nil {
		return
	}
	if !bytes.Contains(head, []byte(" 101 ")) { // not a WebSocket: pass it on as it is
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			if n > 0 && p.forward(c.client, buf[:n], &p.down) != nil {
				return
			}
			if err != nil {
				return
			}
		}
	}
	var msg []byte
	for {
		raw, op, payload, err := readFrame(r)
		if len(raw) > 0 {
			if p.forward(c.client, raw, &p.down) != nil {
				return
			}
			if p.Rate > 0 {
				time.Sleep(time.Duration(len(raw)) * time.Second / time.Duration(p.Rate))
			}
		}
		if err != nil {
			return
		}
		if op&0x0f == 0x2 || op&0x0f == 0x0 { // binary, continuation
			msg = append(msg, payload...)
			if op&0x80 != 0 {
				if p.OnDown != nil {
					p.OnDown(c.path, msg)
				}
				msg = nil
			}
		}
	}
}

func (p *wsProxy) forward(w net.Conn, b []byte, n *atomic.Int64) error {
	p.record(b)
	n.Add(int64(len(b)))
	_, err := w.Write(b)
	return err
}

// readHead reads an HTTP head up to and including its blank line.
func readHead(r *bufio.Reader) ([]byte, error) {
	var head []byte
	for {
		line, err := r.ReadBytes('\n')
		head = append(head, line...)
		if err != nil {
			return head, err
		}
		if len(line) <= 2 && strings.TrimSpace(string(line)) == "" {
			return head, nil
		}
		if len(head) > 16<<10 {
			return head, errors.New("head too long")
		}
	}
}

// readFrame reads one WebSocket frame: its raw bytes, the first byte (FIN
// and opcode) and the unmasked payload.
func readFrame(r *bufio.Reader) (raw []byte, op byte, payload []byte, err error) {
	hdr := make([]byte, 2, 14)
	if _, err = io.ReadFull(r, hdr); err != nil {
		return nil, 0, nil, err
	}
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		ext := make([]byte, 2)
		if _, err = io.ReadFull(r, ext); err != nil {
			return hdr, 0, nil, err
		}
		hdr = append(hdr, ext...)
		n = uint64(binary.BigEndian.Uint16(ext))
	case 127:
		ext := make([]byte, 8)
		if _, err = io.ReadFull(r, ext); err != nil {
			return hdr, 0, nil, err
		}
		hdr = append(hdr, ext...)
		n = binary.BigEndian.Uint64(ext)
	}
	var mask []byte
	if hdr[1]&0x80 != 0 {
		mask = make([]byte, 4)
		if _, err = io.ReadFull(r, mask); err != nil {
			return hdr, 0, nil, err
		}
		hdr = append(hdr, mask...)
	}
	if n > 1<<20 {
		return hdr, 0, nil, fmt.Errorf("frame of %d bytes", n)
	}
	body := make([]byte, n)
	if _, err = io.ReadFull(r, body); err != nil {
		return append(hdr, body...), 0, nil, err
	}
	raw = append(hdr, body...)
	payload = bytes.Clone(body)
	for i := range payload {
		if mask != nil {
			payload[i] ^= mask[i%4]
		}
	}
	return raw, hdr[0], payload, nil
}

// maskedFrame is a final binary frame as a client sends it.
func maskedFrame(payload []byte) []byte {
	f := []byte{0x82}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	f = append(f, mask[:]...)
	for i, b := range payload {
		f = append(f, b^mask[i%4])
	}
	return f
}
