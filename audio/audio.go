// Package audio moves sound between the OS's audio devices and the
// workstation: capture from a digital stethoscope's line or USB input,
// playback to the clinician's headphones, and the alarm sounds.
//
// Samples are mono float32 in [-1, 1]. A Backend opens devices; the real
// one is miniaudio through github.com/gen2brain/malgo (cgo builds), and
// Clocked is a pure-Go backend paced by the wall clock, for tests, for the
// demo and for builds without cgo. Callbacks run on the backend's own
// audio thread: they must not block, allocate per call or wait on
// anything; they hand samples to a Ring.
package audio

import (
	"errors"
	"time"
)

// ErrNoDevice is returned when the device asked for is not there (it was
// unplugged, or the id is unknown).
var ErrNoDevice = errors.New("no such audio device")

// DeviceInfo names one input or output device the OS offers.
type DeviceInfo struct {
	ID      string // stable for the backend while the device is plugged in
	Name    string
	Default bool
}

// InputFunc receives captured frames and the time the buffer was handed
// over. frames is only valid during the call.
type InputFunc func(frames []float32, at time.Time)

// OutputFunc fills out with the next frames to play; what it leaves
// untouched is silence (out is zeroed before the call).
type OutputFunc func(out []float32)

// StopFunc is called, off the audio thread, when a stream stops by itself
// (device unplugged, backend error); err says why.
type StopFunc func(err error)

// Config opens one stream.
type Config struct {
	DeviceID string // "" = the default device
	Rate     int    // frames per second
	// Period is how much audio one callback carries; with two periods of
	// buffering the device's own latency is about twice this.
	Period time.Duration
	OnStop StopFunc
}

// Stream is an open device.
type Stream interface {
	Start() error
	Stop() error
	Close() error
	Rate() int
}

// Backend lists and opens devices.
type Backend interface {
	Name() string
	Inputs() ([]DeviceInfo, error)
	Outputs() ([]DeviceInfo, error)
	OpenInput(cfg Config, f InputFunc) (Stream, error)
	OpenOutput(cfg Config, f OutputFunc) (Stream, error)
	Close() error
}

func (c Config) frames() int {
	n := int(time.Duration(c.Rate) * c.Period / time.Second)
	return max(n, 1)
}

func (c Config) check() error {
	if c.Rate < 1000 || c.Rate > 384000 {
		return errors.New("audio: sampling rate out of range")
	}
	if c.Period < time.Millisecond || c.Period > time.Second {
		return errors.New("audio: period out of range (1 ms–1 s)")
	}
	return nil
}
