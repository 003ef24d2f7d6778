package contec

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"telewave/devices/devicetest"
)

// clock is a hand-moved clock safe to share between goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_700_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// host is the test's side of a link to a simulator: it sends commands and
// collects everything the simulator writes.
type host struct {
	end  *devicetest.End
	mu   sync.Mutex
	got  []byte
	done chan struct{}
}

func startSim(tb testing.TB, s *Simulator) *host {
	tb.Helper()
	dev, end := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	h := &host{end: end, done: make(chan struct{})}
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx, dev) }()
	go func() {
		defer close(h.done)
		buf := make([]byte, 256)
		for {
			n, err := end.Read(buf)
			h.mu.Lock()
			h.got = append(h.got, buf[:n]...)
			h.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() {
		cancel()
		dev.Close()
		end.Close()
		<-h.done
		if err := <-simDone; err != nil && !errors.Is(err, context.Canceled) {
			tb.Errorf("simulator: %v", err)
		}
	})
	return h
}

func (h *host) send(tb testing.TB, cc byte) {
	tb.Helper()
	if _, err := h.end.Write(Command(cc, 0)); err != nil {
		tb.Fatal(err)
	}
}

func (h *host) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

func (h *host) peek() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return bytes.Clone(h.got)
}

// sync returns once the simulator has handled every command sent before:
// commands are handled in order, so the version reply marks the point.
func (h *host) sync(tb testing.TB) {
	tb.Helper()
	h.send(tb, CmdVersion)
	waitFor(tb, "version reply", func() bool { return bytes.Contains(h.peek(), hexBytes(tb, "06 80 80 87")) })
	h.take()
}

// take removes and returns what arrived so far.
func (h *host) take() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.got
	h.got = nil
	return b
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond) // polling interval, not a wait for the condition
	}
}

func TestSimulatorReplies(t *testing.T) {
	tests := []struct {
		name string
		cc   byte
		want []byte
	}{
		{"version", CmdVersion, hexBytes(t, "06 80 80 87")},
		{"stop live", CmdStopLive, hexBytes(t, "0C 80")},
		{"stop stored", CmdStopStore, hexBytes(t, "0C 80")},
		{"model", CmdModel, append(Encode(Packet{Type: TypeModel, Data: []byte("\x00CMS50F")}), Encode(Packet{Type: TypeModel, Data: []byte("\x01      ")})...)},
		{"vendor", CmdVendor, Encode(Packet{Type: TypeVendor, Data: []byte("\x00CONTEC")})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startSim(t, &Simulator{})
			h.send(t, tt.cc)
			var got []byte
			waitFor(t, "reply", func() bool { got = append(got, h.take()...); return len(got) >= len(tt.want) })
			if !bytes.Equal(got, tt.want) {
				t.Errorf("reply % X, want % X", got, tt.want)
			}
		})
	}
}

func TestSimulatorKeepAliveExpiry(t *testing.T) {
	c := newClock()
	s := &Simulator{Now: c.Now, Speed: 1, Tick: time.Millisecond}
	h := startSim(t, s)
	h.send(t, CmdLive)
	waitFor(t, "live mode", s.Streaming)
	c.Add(time.Second)
	waitFor(t, "a second of packets", func() bool { return h.len() >= 60*9 })

	// Keep-alives every 10 s hold the stream for a minute.
	for range 6 {
		c.Add(10 * time.Second)
		h.send(t, CmdKeepAlive)
		h.sync(t)
	}
	if !s.Streaming() {
		t.Fatal("stream stopped although kept alive")
	}
	// Without them it stops after 30 s.
	c.Add(31 * time.Second)
	waitFor(t, "the stream to stop", func() bool { return !s.Streaming() })
	h.take()
	c.Add(time.Second)
	h.send(t, CmdKeepAlive) // too late: AF does not restart a stopped stream
	h.send(t, CmdVersion)
	var got []byte
	waitFor(t, "version reply", func() bool { got = append(got, h.take()...); return len(got) >= 4 })
	if !bytes.Equal(got, hexBytes(t, "06 80 80 87")) {
		t.Errorf("after expiry got % X, want only the version reply", got)
	}
	// A1 restarts it.
	h.send(t, CmdLive)
	waitFor(t, "live mode again", s.Streaming)
	c.Add(500 * time.Millisecond)
	waitFor(t, "packets again", func() bool { return h.len() >= 30*9 })
}

func TestSimulatorFingerOutPackets(t *testing.T) {
	s := &Simulator{FingerOut: func(t time.Duration) bool { return t >= time.Second }, PI: func(time.Duration) int { return 420 }, Record: true}
	h := startSim(t, s)
	h.send(t, CmdLive)
	var wire []byte
	waitFor(t, "two seconds of packets", func() bool { wire = append(wire, h.take()...); return len(wire) >= 120*9 })
	ps, skipped := decodeAll(t, wire[:120*9])
	if skipped != 0 || len(ps) != 120 {
		t.Fatalf("%d packets, %d skipped", len(ps), skipped)
	}
	for i, p := range ps {
		l, _ := ParseLive(p)
		out := i >= 60
		if l.FingerOut != out || (l.PR == 0) != out || (l.SpO2 == 0) != out || (l.PI < 0) != out {
			t.Fatalf("packet %d: %+v, finger out %v", i, l, out)
		}
	}
	if sent := s.Sent(); len(sent) < 120 || sent[60] != 64 {
		t.Errorf("recorded %d counts", len(sent))
	}
}
