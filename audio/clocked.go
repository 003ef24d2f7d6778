package audio

import (
	"errors"
	"sync"
	"time"
)

// Clocked is a pure-Go backend whose streams are paced by the wall clock:
// an input stream calls its InputFunc every period with frames from
// Source; an output stream calls its OutputFunc every period and hands
// what it produced to Sink. It stands in for a sound card in tests, in the
// demo's simulated stethoscope and in builds without cgo.
type Clocked struct {
	// Source fills an input buffer (e.g. a WAV file played in a loop);
	// nil captures silence. Called on the stream's goroutine.
	Source func(p []float32)
	// Sink receives each played buffer and the time it was produced; nil
	// discards. Called on the stream's goroutine; p is only valid during
	// the call.
	Sink    func(p []float32, at time.Time)
	mu      sync.Mutex
	missing map[string]bool // unplugged ids (Unplug, Plug)
	streams map[*clockedStream]bool
}

// Name is "clocked".
func (c *Clocked) Name() string { return "clocked" }

// Inputs lists the one simulated input.
func (c *Clocked) Inputs() ([]DeviceInfo, error) {
	return []DeviceInfo{{ID: "sim-in", Name: "Simulated stethoscope", Default: true}}, nil
}

// Outputs lists the one simulated output.
func (c *Clocked) Outputs() ([]DeviceInfo, error) {
	return []DeviceInfo{{ID: "sim-out", Name: "Simulated headphones", Default: true}}, nil
}

// Unplug makes id absent: its open streams stop with ErrNoDevice and
// opening it fails until Plug.
func (c *Clocked) Unplug(id string) {
	c.mu.Lock()
	if c.missing == nil {
		c.missing = map[string]bool{}
	}
	c.missing[id] = true
	var gone []*clockedStream
	for s := range c.streams {
		if s.id == id {
			gone = append(gone, s)
		}
	}
	c.mu.Unlock()
	for _, s := range gone {
		s.halt(ErrNoDevice)
	}
}

// Plug makes id present again.
func (c *Clocked) Plug(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.missing, id)
}

// OpenInput opens the simulated input.
func (c *Clocked) OpenInput(cfg Config, f InputFunc) (Stream, error) {
	return c.open(cfg, "sim-in", func(buf []float32, at time.Time) {
		clear(buf)
		if c.Source != nil {
			c.Source(buf)
		}
		f(buf, at)
	})
}

// OpenOutput opens the simulated output.
func (c *Clocked) OpenOutput(cfg Config, f OutputFunc) (Stream, error) {
	return c.open(cfg, "sim-out", func(buf []float32, at time.Time) {
		clear(buf)
		f(buf)
		if c.Sink != nil {
			c.Sink(buf, at)
		}
	})
}

func (c *Clocked) open(cfg Config, def string, tick func([]float32, time.Time)) (Stream, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	id := cfg.DeviceID
	if id == "" {
		id = def
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if id != def || c.missing[id] {
		return nil, ErrNoDevice
	}
	s := &clockedStream{owner: c, id: id, cfg: cfg, tick: tick, buf: make([]float32, cfg.frames())}
	if c.streams == nil {
		c.streams = map[*clockedStream]bool{}
	}
	c.streams[s] = true
	return s, nil
}

// Close stops every stream.
func (c *Clocked) Close() error {
	c.mu.Lock()
	var all []*clockedStream
	for s := range c.streams {
		all = append(all, s)
	}
	c.mu.Unlock()
	for _, s := range all {
		s.Close()
	}
	return nil
}

type clockedStream struct {
	owner *Clocked
	id    string
	cfg   Config
	tick  func([]float32, time.Time)
	buf   []float32

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

func (s *clockedStream) Rate() int { return s.cfg.Rate }

func (s *clockedStream) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return nil
	}
	if s.buf == nil {
		return errors.New("audio: stream closed")
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.run(s.stop, s.done)
	return nil
}

// run calls tick once a period, catching up after a stall without
// bursting more than a few periods.
func (s *clockedStream) run(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(s.cfg.Period)
	defer t.Stop()
	for {
		select {
		case at := <-t.C:
			s.tick(s.buf, at)
		case <-stop:
			return
		}
	}
}

func (s *clockedStream) Stop() error {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	return nil
}

// halt stops the stream from outside and reports err to OnStop.
func (s *clockedStream) halt(err error) {
	s.Stop()
	if s.cfg.OnStop != nil {
		s.cfg.OnStop(err)
	}
}

func (s *clockedStream) Close() error {
	s.Stop()
	s.owner.mu.Lock()
	delete(s.owner.streams, s)
	s.owner.mu.Unlock()
	s.mu.Lock()
	s.buf = nil
	s.mu.Unlock()
	return nil
}
