package devices

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// byteDriver turns every byte it reads into a one-sample chunk.
type byteDriver struct{}

func (byteDriver) Protocol() string { return "bytes" }
func (byteDriver) Link() Link       { return Link{Baud: 9600, DataBits: 8, StopBits: 1} }
func (byteDriver) Run(ctx context.Context, port io.ReadWriter, emit Emit) error {
	buf := make([]byte, 64)
	for {
		n, err := port.Read(buf)
		for _, b := range buf[:n] {
			emit(&Chunk{Signal: "s", Samples: []int32{int32(b)}})
		}
		if err != nil {
			return err
		}
	}
}

// bench is a set of fake ports by path; the test plays the device side.
type bench struct {
	mu     sync.Mutex
	ports  map[string]chan net.Conn // device ends, one per successful open
	absent map[string]bool
}

func newBench(paths ...string) *bench {
	b := &bench{ports: map[string]chan net.Conn{}, absent: map[string]bool{}}
	for _, p := range paths {
		b.ports[p] = make(chan net.Conn, 4)
	}
	return b
}

func (b *bench) open(path string, _ Link) (io.ReadWriteCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, ok := b.ports[path]
	if !ok || b.absent[path] {
		return nil, errors.New("no such port")
	}
	host, dev := net.Pipe()
	ch <- dev
	return host, nil
}

func (b *bench) device(t *testing.T, path string) net.Conn {
	t.Helper()
	select {
	case c := <-b.ports[path]:
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("supervisor never opened %s", path)
		return nil
	}
}

type recorder struct {
	mu   sync.Mutex
	msgs []Message
}

func (r *recorder) emit(m Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
}

// waitChunks polls until n chunks arrived and returns them.
func (r *recorder) waitChunks(t *testing.T, n int) []*Chunk {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		var cs []*Chunk
		for _, m := range r.msgs {
			if c, ok := m.(*Chunk); ok {
				cs = append(cs, c)
			}
		}
		r.mu.Unlock()
		if len(cs) >= n {
			return cs
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d chunks arrived", n)
	return nil
}

func (r *recorder) events(code string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if e, ok := m.(*Event); ok && e.Code == code {
			n++
		}
	}
	return n
}

func fastBackoff(int) time.Duration { return 10 * time.Millisecond }

func runSupervisor(t *testing.T, s *Supervisor) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after cancel")
		}
	})
}

func TestSupervisorReconnectsSamePathAndMarksGap(t *testing.T) {
	b := newBench("/dev/ttyUSB0")
	rec := &recorder{}
	s := NewSupervisor("/dev/ttyUSB0", byteDriver{}, b.open, rec.emit, WithBackoff(fastBackoff))
	runSupervisor(t, s)

	dev := b.device(t, "/dev/ttyUSB0")
	dev.Write([]byte{1, 2})
	rec.waitChunks(t, 2)
	dev.Close() // unplugged

	dev = b.device(t, "/dev/ttyUSB0") // replugged: reopened at the same path
	dev.Write([]byte{3})
	cs := rec.waitChunks(t, 3)
	for i, c := range cs {
		if c.Seq != uint64(i) {
			t.Errorf("chunk %d has seq %d: sequence must continue across reconnects", i, c.Seq)
		}
	}
	if cs[0].Flags&GapBefore != 0 || cs[1].Flags&GapBefore != 0 {
		t.Error("gap flagged before any disconnect")
	}
	if cs[2].Flags&GapBefore == 0 {
		t.Error("first chunk after the reconnect is not flagged GapBefore")
	}
	if rec.events(EventDisconnected) == 0 {
		t.Error("no disconnected event")
	}
	dev.Close()
}

func TestSupervisorMovesToNewPath(t *testing.T) {
	b := newBench("/dev/pts/3", "/dev/pts/9")
	rec := &recorder{}
	s := NewSupervisor("/dev/pts/3", byteDriver{}, b.open, rec.emit, WithBackoff(fastBackoff))
	runSupervisor(t, s)

	dev := b.device(t, "/dev/pts/3")
	dev.Write([]byte{1})
	rec.waitChunks(t, 1)
	b.mu.Lock()
	b.absent["/dev/pts/3"] = true // the simulator died; its pty is gone
	b.mu.Unlock()
	dev.Close()

	s.SetPath("/dev/pts/9")
	dev = b.device(t, "/dev/pts/9")
	dev.Write([]byte{2})
	cs := rec.waitChunks(t, 2)
	if cs[1].Seq != 1 || cs[1].Flags&GapBefore == 0 {
		t.Errorf("after the move: seq %d flags %b; want seq 1 with GapBefore", cs[1].Seq, cs[1].Flags)
	}
	if s.Path() != "/dev/pts/9" {
		t.Errorf("Path() = %s", s.Path())
	}
}

func TestSupervisorTreatsSilenceAsGone(t *testing.T) {
	b := newBench("p")
	rec := &recorder{}
	s := NewSupervisor("p", byteDriver{}, b.open, rec.emit, WithBackoff(fastBackoff), WithSilence(50*time.Millisecond))
	// A pipe read blocks instead of timing out, so wrap: the serial port's
	// 200 ms timeout is what makes silence visible; emulate it here.
	s.open = func(path string, l Link) (io.ReadWriteCloser, error) {
		c, err := b.open(path, l)
		if err != nil {
			return nil, err
		}
		return timeoutConn{c.(net.Conn)}, nil
	}
	runSupervisor(t, s)
	dev := b.device(t, "p")
	dev.Write([]byte{1})
	rec.waitChunks(t, 1)
	// Say nothing: the supervisor must give up on this session and reopen.
	dev2 := b.device(t, "p")
	dev2.Write([]byte{2})
	cs := rec.waitChunks(t, 2)
	if cs[1].Flags&GapBefore == 0 {
		t.Error("chunk after a silent spell is not flagged GapBefore")
	}
	var states []ConnState
	rec.mu.Lock()
	for _, m := range rec.msgs {
		if st, ok := m.(*State); ok {
			states = append(states, st.State)
		}
	}
	rec.mu.Unlock()
	if !contains(states, Disconnected) || !contains(states, Streaming) {
		t.Errorf("states %v lack streaming/disconnected", states)
	}
}

// timeoutConn behaves like go.bug.st/serial with a read timeout.
type timeoutConn struct{ net.Conn }

func (c timeoutConn) Read(p []byte) (int, error) {
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	n, err := c.Conn.Read(p)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, nil
	}
	return n, err
}

func contains(s []ConnState, v ConnState) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestRegistryCandidatesIgnoreCase(t *testing.T) {
	r := NewRegistry()
	r.Register("contec", func() Driver { return byteDriver{} }, "10c4:ea60")
	r.Register("contec-legacy", func() Driver { return byteDriver{} }, "10C4:EA60")
	tests := []struct{ vid, pid string }{{"10c4", "ea60"}, {"10C4", "EA60"}}
	for _, tc := range tests {
		if got := r.Candidates(tc.vid, tc.pid); len(got) != 2 {
			t.Errorf("Candidates(%s:%s) = %v", tc.vid, tc.pid, got)
		}
	}
	if _, err := r.Driver("nope"); !errors.Is(err, ErrUnknownProtocol) {
		t.Errorf("unknown protocol error = %v", err)
	}
}

// A driver ending on its own must be able to wake its reader through the
// watchdog even on a serial port without deadlines (reads time out empty).
func TestWatchdogReadDeadlineWakesAReader(t *testing.T) {
	host, dev := net.Pipe()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watchdog{port: timeoutConn{host}, now: time.Now, silence: time.Hour, ctx: ctx, last: time.Now()}
	errc := make(chan error, 1)
	go func() {
		_, err := w.Read(make([]byte, 8))
		errc <- err
	}()
	clear, ok := InterruptRead(w)
	if !ok {
		t.Fatal("the watchdog takes no read deadline")
	}
	defer clear()
	select {
	case err := <-errc:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read was not woken")
	}
}
