package datex

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
		{"as fast as possible", &Simulator{Record: true}, NewDriver(nil)},
		{"10 s trends, two ECGs", &Simulator{Record: true, Speed: 50}, &Driver{Trend: true, Interval: 10 * time.Second, Waves: []WaveType{WaveECG1, WaveECG2}}},
		{"flags", &Simulator{Record: true, Flag: func(t time.Duration, code string) int16 {
			if code == "basic.spo2.spo2" && t%(10*time.Second) < 5*time.Second {
				return FlagInvalid
			}
			return 0
		}}, NewDriver(nil)},
		{"real time", &Simulator{Record: true, Speed: 1}, NewDriver(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:      tt.drv,
				Simulate:    tt.sim.Run,
				Sent:        tt.sim.Sent,
				Numerics:    tt.sim.Numerics,
				MinSamples:  50,
				MinNumerics: 20,
			})
		})
	}
}

// The acceptance run: 60 s of simulated monitor (ECG 300 Hz, pleth, P1,
// CO2 and numerics every 5 s) through a real pty and go.bug.st/serial at
// 19200 8E1, at 20× real time; samples and numerics must equal what the
// simulator sent.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20}
	msgs := devicetest.OverPTY(t, devicetest.Harness{
		Driver:      NewDriver(nil),
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		Seconds:     60,
		MinNumerics: 11 * 28, // a record every 5 s, 28 values each
	})
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
}
