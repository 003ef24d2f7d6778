package app

import (
	"slices"
	"time"

	"telewave/audio"
)

// Device lists are refreshed this often by Serve (in 50 ms ticks), so a
// plugged-in interface appears in the panel's selects within 2 s.
const listEvery = 40

// AudioDevices is what the stethoscope panel offers: the sound card's
// inputs and outputs as last listed, and the ids chosen ("" = the
// system's default device).
type AudioDevices struct {
	Inputs, Outputs []audio.DeviceInfo
	Input, Output   string
	Err             string // why the lists are empty (no sound card), "" when listed
}

// stopReport is a device loss from the listener opened as generation gen;
// a report from a listener already replaced is stale and ignored.
type stopReport struct {
	gen uint64
	err error
}

// Devices returns the devices as last listed and the choice; it never
// waits on the sound card (Serve lists it), so the UI thread may call it.
func (s *Stethoscope) Devices() AudioDevices {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.devs
	d.Inputs, d.Outputs = slices.Clone(d.Inputs), slices.Clone(d.Outputs)
	d.Input, d.Output = s.input, s.output
	return d
}

// SetDevices chooses the input and output ("" = the default device). It
// returns at once; Serve closes the stream and reopens it on the new
// devices, and the PCG resumes after a gap as after an unplug, with no
// disconnection alarm. The choice goes to StethoscopeConfig.OnDevices to
// be remembered. A chosen device that is absent is waited for (retried
// with backoff), never replaced by another: sound meant for headphones
// must not go to the room's speakers.
func (s *Stethoscope) SetDevices(input, output string) {
	s.mu.Lock()
	same := input == s.input && output == s.output
	s.input, s.output = input, output
	s.mu.Unlock()
	if same {
		return
	}
	select {
	case s.choose <- struct{}{}:
	default: // a change is already pending; it reads the latest choice
	}
}

func (s *Stethoscope) chosen() (input, output string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.input, s.output
}

// listDevices asks the sound card for its devices (Serve's goroutine) and
// reports whether the lists changed: a device came or went.
func (s *Stethoscope) listDevices() bool {
	var d AudioDevices
	b, err := s.cfg.Audio()
	if err == nil {
		if d.Inputs, err = b.Inputs(); err == nil {
			d.Outputs, err = b.Outputs()
		}
	}
	if err != nil {
		d = AudioDevices{Err: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := d.Err != s.devs.Err || !slices.Equal(d.Inputs, s.devs.Inputs) || !slices.Equal(d.Outputs, s.devs.Outputs)
	s.devs = d
	return changed
}

// nextRetry doubles the wait before the next reopen, up to 4 × Retry.
func (s *Stethoscope) nextRetry(d time.Duration) time.Duration {
	return min(2*d, 4*s.cfg.Retry)
}
