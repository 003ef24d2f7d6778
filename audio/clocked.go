package audio

import (
	"errors"
	"slices"
	"sync"
	"time"
)

// Clocked is a pure-Go backend whose streams are paced by the wall clock
// (or, with Manual, by Step): an input stream calls its InputFunc every
// period with frames from Source; an output stream calls its OutputFunc
// every period and hands what it produced to Sink. It stands in for a
// sound card in tests, in the demo's simulated stethoscope and in builds
// without cgo.
type Clocked struct {
	// Source fills an input buffer (e.g. a WAV file played in a loop);
	// nil captures silence. Called on the stream's goroutine (or Step's).
	Source func(p []float32)
	// Sink receives each played buffer and the time it was produced; nil
	// discards. Called on the stream's goroutine (or Step's); p is only
	// valid during the call.
	Sink func(p []float32, at time.Time)
	// InputDevices and OutputDevices are the devices the simulated sound
	// card offers; nil offers one of each (DefaultClockedInput,
	// DefaultClockedOutput). Set before the first call.
	InputDevices, OutputDevices []DeviceInfo
	// Manual stops the clock: started streams advance only when Step is
	// called, which makes a test exact and faster than real time. Set
	// before the first stream opens.
	Manual bool

	mu      sync.Mutex
	missing map[string]bool // unplugged ids (Unplug, Plug)
	streams map[*clockedStream]bool
}

// The devices a Clocked offers when none are given.
var (
	DefaultClockedInput  = DeviceInfo{ID: "sim-in", Name: "Simulated stethoscope", Default: true}
	DefaultClockedOutput = DeviceInfo{ID: "sim-out", Name: "Simulated headphones", Default: true}
)

var _ Backend = (*Clocked)(nil)

// Name is "clocked".
func (c *Clocked) Name() string { return "clocked" }

// Inputs lists the simulated inputs that are plugged in.
func (c *Clocked) Inputs() ([]DeviceInfo, error) {
	return c.present(c.inputs()), nil
}

// Outputs lists the simulated outputs that are plugged in.
func (c *Clocked) Outputs() ([]DeviceInfo, error) {
	return c.present(c.outputs()), nil
}

func (c *Clocked) inputs() []DeviceInfo {
	if c.InputDevices == nil {
		return []DeviceInfo{DefaultClockedInput}
	}
	return c.InputDevices
}

func (c *Clocked) outputs() []DeviceInfo {
	if c.OutputDevices == nil {
		return []DeviceInfo{DefaultClockedOutput}
	}
	return c.OutputDevices
}

func (c *Clocked) present(all []DeviceInfo) []DeviceInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]DeviceInfo, 0, len(all))
	for _, d := range all {
		if !c.missing[d.ID] {
			out = append(out, d)
		}
	}
	return out
}

// Unplug makes id absent: its open streams stop with ErrNoDevice, it
// leaves the device lists, and opening it fails until Plug.
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

// Streams returns the device ids of the streams now running, sorted
// (a device open twice appears twice).
func (c *Clocked) Streams() []string {
	c.mu.Lock()
	all := make([]*clockedStream, 0, len(c.streams))
	for s := range c.streams {
		all = append(all, s)
	}
	c.mu.Unlock()
	var ids []string
	for _, s := range all {
		if s.running() {
			ids = append(ids, s.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Step advances every started stream by n periods when the backend is
// Manual: in each period the inputs tick before the outputs, as a sound
// card's full-duplex callback would. It does nothing on a wall-clock
// backend.
func (c *Clocked) Step(n int) {
	if !c.Manual {
		return
	}
	c.mu.Lock()
	var ins, outs []*clockedStream
	for s := range c.streams {
		if s.input {
			ins = append(ins, s)
		} else {
			outs = append(outs, s)
		}
	}
	c.mu.Unlock()
	for range n {
		for _, s := range ins {
			s.step()
		}
		for _, s := range outs {
			s.step()
		}
	}
}

// OpenInput opens a simulated input.
func (c *Clocked) OpenInput(cfg Config, f InputFunc) (Stream, error) {
	return c.open(cfg, true, func(buf []float32, at time.Time) {
		clear(buf)
		if c.Source != nil {
			c.Source(buf)
		}
		f(buf, at)
	})
}

// OpenOutput opens a simulated output.
func (c *Clocked) OpenOutput(cfg Config, f OutputFunc) (Stream, error) {
	return c.open(cfg, false, func(buf []float32, at time.Time) {
		clear(buf)
		f(buf)
		if c.Sink != nil {
			c.Sink(buf, at)
		}
	})
}

func (c *Clocked) open(cfg Config, input bool, tick func([]float32, time.Time)) (Stream, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	devs := c.outputs()
	if input {
		devs = c.inputs()
	}
	id, ok := cfg.DeviceID, false
	for _, d := range devs {
		if (id == "" && d.Default) || (id != "" && d.ID == id) {
			id, ok = d.ID, true
			break
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok || c.missing[id] {
		return nil, ErrNoDevice
	}
	s := &clockedStream{owner: c, id: id, input: input, cfg: cfg, tick: tick, buf: make([]float32, cfg.frames())}
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
	input bool
	cfg   Config
	tick  func([]float32, time.Time)

	mu      sync.Mutex
	buf     []float32 // nil once closed
	started bool
	stop    chan struct{} // wall-clock mode: closes to end run
	done    chan struct{}
}

func (s *clockedStream) Rate() int { return s.cfg.Rate }

func (s *clockedStream) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

func (s *clockedStream) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil
	}
	if s.buf == nil {
		return errors.New("audio: stream closed")
	}
	s.started = true
	if s.owner.Manual {
		return nil
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.run(s.stop, s.done)
	return nil
}

// run calls tick once a period; a stall loses periods rather than
// bursting them.
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

// step is one period of a Manual stream; Stop and Close wait for it.
func (s *clockedStream) step() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started && s.buf != nil {
		s.tick(s.buf, time.Now())
	}
}

func (s *clockedStream) Stop() error {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done, s.started = nil, nil, false
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
