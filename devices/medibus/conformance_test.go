package medibus

import (
	"testing"
	"time"

	"telewave/devices/devicetest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		sim  *Simulator
		drv  *Driver
	}{
		{"as fast as possible", &Simulator{Record: true}, &Driver{Poll: 20 * time.Millisecond}},
		{"pressure, flow and volume", &Simulator{Record: true, Speed: 10}, &Driver{Poll: 50 * time.Millisecond, Curves: []byte{0x00, 0x01, 0x03}}},
		{"chatty device", &Simulator{Record: true, Speed: 5, Requests: 10 * time.Millisecond}, &Driver{Poll: 50 * time.Millisecond}},
		{"real time", &Simulator{Record: true, Speed: 1}, &Driver{Poll: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:      tt.drv,
				Simulate:    tt.sim.Run,
				Sent:        tt.sim.Sent,
				Numerics:    tt.sim.Numerics,
				MinSamples:  60,
				MinNumerics: 22,
			})
		})
	}
}

// The acceptance run: 60 s of simulated ventilation (airway pressure and
// flow at 62.5 Hz, measured values polled) through a real pty and
// go.bug.st/serial at 19200 8E1, at 20× real time; samples and numerics
// must equal what the simulator sent.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20}
	devicetest.OverPTY(t, devicetest.Harness{
		Driver:      &Driver{Poll: 100 * time.Millisecond},
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		Seconds:     60,
		MinNumerics: 11 * 20,
	})
}
