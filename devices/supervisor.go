package devices

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// ErrSilent is returned by a supervised port that delivered no byte for
// longer than the supervisor's Silence: the device is treated as gone.
var ErrSilent = errors.New("device silent")

// Opener opens a port path with a device's link settings.
type Opener func(path string, link Link) (io.ReadWriteCloser, error)

// Supervisor keeps one device streaming: it opens the port, runs the
// driver, and when the port goes away (an error, a hang-up, silence) it
// marks the gap and reopens with backoff, at the same path or at a new
// one given by SetPath. Chunk sequence numbers continue across reconnects
// so that a recording sees one stream with its gaps flagged.
type Supervisor struct {
	driver  Driver
	open    Opener
	emit    Emit
	now     func() time.Time
	silence time.Duration
	backoff func(attempt int) time.Duration

	mu      sync.Mutex
	path    string
	link    Link          // the driver's own unless SetLink changed it
	switchc chan struct{} // closed by SetPath to end the current session
	seq     map[string]uint64
	gap     map[string]bool
}

// SupervisorOption tunes a Supervisor.
type SupervisorOption func(*Supervisor)

// WithClock injects the clock used for events and silence detection.
func WithClock(now func() time.Time) SupervisorOption {
	return func(s *Supervisor) { s.now = now }
}

// WithSilence sets how long a port may stay quiet before it counts as gone.
func WithSilence(d time.Duration) SupervisorOption {
	return func(s *Supervisor) { s.silence = d }
}

// WithBackoff sets the wait before reopen attempt n (n from 1).
func WithBackoff(f func(attempt int) time.Duration) SupervisorOption {
	return func(s *Supervisor) { s.backoff = f }
}

// NewSupervisor returns a supervisor for the device at path.
func NewSupervisor(path string, d Driver, open Opener, emit Emit, opts ...SupervisorOption) *Supervisor {
	s := &Supervisor{
		driver:  d,
		open:    open,
		emit:    emit,
		now:     time.Now,
		silence: 3 * time.Second,
		backoff: defaultBackoff,
		path:    path,
		link:    d.Link(),
		switchc: make(chan struct{}),
		seq:     map[string]uint64{},
		gap:     map[string]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// defaultBackoff waits 250 ms doubling to 1 s, with ±20 % jitter so that
// several devices on one hub do not retry in step. The cap keeps a replugged
// cable streaming again within 2 s.
func defaultBackoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(attempt-1, 2)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Path returns the port path in use.
func (s *Supervisor) Path() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.path
}

// Driver returns the supervised driver.
func (s *Supervisor) Driver() Driver { return s.driver }

// SetPath moves the device to another port path (the cable was replugged
// elsewhere, a simulator restarted on a new pty). The current session ends
// and the next one opens the new path at once.
func (s *Supervisor) SetPath(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.path = path
	close(s.switchc)
	s.switchc = make(chan struct{})
}

// Link returns the serial settings in use.
func (s *Supervisor) Link() Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link
}

// SetLink changes the serial settings (a device configured for another
// baud rate); the port is reopened with them at once.
func (s *Supervisor) SetLink(l Link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.link = l
	close(s.switchc)
	s.switchc = make(chan struct{})
}

func (s *Supervisor) current() (string, Link, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.path, s.link, s.switchc
}

// Serve runs until ctx is done. It never returns an error for a device
// problem: those become events and states; only ctx ends it.
func (s *Supervisor) Serve(ctx context.Context) error {
	attempt := 0
	connected := false
	for ctx.Err() == nil {
		path, link, switched := s.current()
		s.state(path, Connecting, nil)
		port, err := s.open(path, link)
		if err != nil {
			attempt++
			s.state(path, Disconnected, err)
			s.wait(ctx, switched, s.backoff(attempt))
			continue
		}
		attempt = 0
		err = s.session(ctx, switched, path, port)
		if ctx.Err() != nil {
			break
		}
		s.markGap()
		if connected || err != nil {
			s.emitEvent(Event{Kind: Technical, Code: EventDisconnected, Priority: Medium,
				Text: fmt.Sprintf("%s on %s: %v", s.driver.Protocol(), path, errText(err))})
		}
		connected = true
		s.state(path, Disconnected, err)
		attempt++
		s.wait(ctx, switched, s.backoff(attempt))
	}
	s.state(s.Path(), Stopped, nil)
	return nil
}

// session runs the driver on an open port until it fails, the path is
// switched or ctx ends. Closing the port is what unblocks the driver.
func (s *Supervisor) session(ctx context.Context, switched chan struct{}, path string, port io.ReadWriteCloser) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &watchdog{port: port, now: s.now, silence: s.silence, ctx: sctx}
	w.last = s.now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-sctx.Done():
		case <-switched:
			cancel()
		}
		port.Close()
	}()
	first := true
	err := s.driver.Run(sctx, w, func(m Message) {
		if first {
			first = false
			s.state(path, Streaming, nil)
			s.emitEvent(Event{Kind: Technical, Code: EventConnected, Priority: Info,
				Text: fmt.Sprintf("%s on %s", s.driver.Protocol(), path)})
		}
		s.forward(m, path)
	})
	cancel()
	wg.Wait()
	if err == nil && ctx.Err() == nil {
		err = io.EOF
	}
	select {
	case <-switched:
		return fmt.Errorf("port moved from %s", path)
	default:
	}
	return err
}

// forward renumbers chunks so that a signal's sequence continues across
// sessions and flags the first chunk after a reconnect.
func (s *Supervisor) forward(m Message, path string) {
	switch v := m.(type) {
	case *Chunk:
		c := *v
		s.mu.Lock()
		c.Seq = s.seq[c.Signal]
		s.seq[c.Signal]++
		if s.gap[c.Signal] {
			c.Flags |= GapBefore
			delete(s.gap, c.Signal)
		}
		s.mu.Unlock()
		m = &c
	case *DeviceInfo:
		d := *v
		if d.Port == "" {
			d.Port = path
		}
		m = &d
	}
	s.emit(m)
}

func (s *Supervisor) markGap() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.seq {
		s.gap[id] = true
	}
}

func (s *Supervisor) wait(ctx context.Context, switched chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-switched:
	case <-t.C:
	}
}

func (s *Supervisor) state(path string, st ConnState, err error) {
	m := &State{Port: path, State: st, Time: s.now()}
	if err != nil {
		m.Err = err.Error()
	}
	s.emit(m)
}

func (s *Supervisor) emitEvent(e Event) {
	e.Time = s.now()
	s.emit(&e)
}

func errText(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}
