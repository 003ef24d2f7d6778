package nonin

import (
	"context"
	"io"
	"testing"
	"time"

	"telewave/devices/devicetest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name       string
		format     Format
		sim        *Simulator
		minSamples int
	}{
		{"DF7 fast", DF7, &Simulator{Record: true}, 150},
		{"DF7 sensor off half the time", DF7, &Simulator{Record: true, Speed: 10,
			SensorOff: func(t time.Duration) bool { return t%time.Second >= 500*time.Millisecond }}, 150},
		{"DF2 real time", DF2, &Simulator{Record: true, Speed: 1}, 50},
		{"DF8 numerics only", DF8, &Simulator{Record: true, Speed: 50}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:      &Driver{Format: tt.format},
				Simulate:    func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:        tt.sim.Sent,
				Numerics:    tt.sim.Numerics,
				MinSamples:  tt.minSamples,
				MinNumerics: 20,
			})
		})
	}
}

// The acceptance run: 60 s of DF7 through a real pty and go.bug.st/serial
// at 9600 8N1, at 20× real time, samples and numerics compared. The HR
// crosses 127 so the 9-bit layout is exercised.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20, Firmware: 0x31,
		HR:        func(t time.Duration) int { return 100 + int(t/time.Second)*3 }, // 100..277
		SpO2:      func(t time.Duration) int { return 99 - int(t/(10*time.Second)) },
		SensorOff: func(t time.Duration) bool { return t >= 20*time.Second && t < 22*time.Second },
		Artifact:  func(t time.Duration) bool { return t >= 40*time.Second && t < 41*time.Second }}
	devicetest.OverPTY(t, devicetest.Harness{
		Driver:      NewDriver(nil),
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		MinNumerics: 10 * 3 * 60,
		Seconds:     60,
	})
}

// 60 s of DF8 (numerics only, one frame a second) over a pty.
func TestSixtySecondsDF8OverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20,
		HR: func(t time.Duration) int { return 60 + int(t/time.Second)*4 }} // 60..296
	devicetest.OverPTY(t, devicetest.Harness{
		Driver:      &Driver{Format: DF8},
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		MinSamples:  -1,
		MinNumerics: 2 * 60,
	})
}
