package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"telewave/devices"
	"telewave/devices/serialport"
	"telewave/devices/sim"
)

// SimRunner is a device simulator serving one port.
type SimRunner interface {
	Run(ctx context.Context, port io.ReadWriter) error
}

// Protocol is one protocol this build speaks: its driver, the USB chips its
// cables carry, and its simulator. src gives the simulator's main waveform
// (nil: its synthetic default); speed 1 is real time.
type Protocol struct {
	Name      string
	VIDPIDs   []string
	Driver    func() devices.Driver
	Simulator func(src sim.Source, speed float64) SimRunner
}

// Protocols lists every protocol in the build.
func Protocols() []Protocol { return protocols }

// Registry returns the protocols this build speaks, with the USB chips
// their cables carry.
func Registry() *devices.Registry {
	r := devices.NewRegistry()
	for _, p := range protocols {
		r.Register(p.Name, p.Driver, p.VIDPIDs...)
	}
	return r
}

// NewSimulator returns the simulator of a protocol. src gives its
// waveform (nil: the simulator's synthetic default); speed 1 is real time.
func NewSimulator(protocol string, src sim.Source, speed float64) (SimRunner, error) {
	for _, p := range protocols {
		if p.Name == protocol {
			return p.Simulator(src, speed), nil
		}
	}
	return nil, fmt.Errorf("simulate: %w %q", devices.ErrUnknownProtocol, protocol)
}

// Simulated is a simulator running on its own pseudo-terminal.
type Simulated struct {
	Protocol string
	Path     string // the pty, or the stable link to it when one was asked for
	PTY      string // the pty itself
	pty      *serialport.PTY
	cancel   context.CancelFunc
	done     chan error
	once     sync.Once
	err      error
	stopOnce sync.Once
	stopErr  error
}

// Simulate starts runner on a new pty. With link set, link is pointed at
// the pty (replacing an older link) and becomes Path.
func Simulate(ctx context.Context, protocol string, runner SimRunner, link string) (*Simulated, error) {
	p, err := serialport.OpenPTY()
	if err != nil {
		return nil, fmt.Errorf("simulate %s: %w", protocol, err)
	}
	s := &Simulated{Protocol: protocol, Path: p.Path, PTY: p.Path, pty: p, done: make(chan error, 1)}
	if link != "" {
		if err := serialport.Link(p.Path, link); err != nil {
			p.Close()
			return nil, fmt.Errorf("simulate %s: %w", protocol, err)
		}
		s.Path = link
	}
	ctx, s.cancel = context.WithCancel(ctx)
	go func() { s.done <- runner.Run(ctx, p.Master) }()
	return s, nil
}

// Wait blocks until the simulator has ended and returns why.
func (s *Simulated) Wait() error {
	s.once.Do(func() { s.err = <-s.done })
	return s.err
}

// Stop ends the simulator and closes its pty, as if the device were
// unplugged: a port open on it sees a hang-up.
// Calling it again returns the first call's result.
func (s *Simulated) Stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		cerr := s.pty.Close()
		err := s.Wait()
		if err == nil || errors.Is(err, context.Canceled) {
			err = cerr
		}
		s.stopErr = err
	})
	return s.stopErr
}

// SerialOpener opens a real serial port (or pty) through go.bug.st/serial.
func SerialOpener(path string, l devices.Link) (io.ReadWriteCloser, error) {
	return serialport.Open(path, l)
}
