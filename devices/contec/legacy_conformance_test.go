package contec

import (
	"context"
	"io"
	"testing"
	"time"

	"telewave/devices/devicetest"
)

func TestLegacyConformance(t *testing.T) {
	tests := []struct {
		name string
		sim  *LegacySimulator
	}{
		{"as fast as possible", &LegacySimulator{Record: true}},
		{"finger out half the time", &LegacySimulator{Record: true, Speed: 10,
			FingerOut: func(t time.Duration) bool { return t%time.Second >= 500*time.Millisecond }}},
		{"real time", &LegacySimulator{Record: true, Speed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:      NewLegacyDriver(nil),
				Simulate:    func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:        tt.sim.Sent,
				Numerics:    tt.sim.Numerics,
				MinSamples:  30,
				MinNumerics: 2,
			})
		})
	}
}

// The acceptance run: 60 s of simulated pleth through a real pty and
// go.bug.st/serial at 19200 8O1, at 20× real time, numerics compared.
func TestLegacySixtySecondsOverPTY(t *testing.T) {
	s := &LegacySimulator{Record: true, Speed: 20, PR: Fixed(150),
		SpO2:      func(t time.Duration) int { return 90 + int(t/time.Second)%10 },
		FingerOut: func(t time.Duration) bool { return t >= 30*time.Second && t < 33*time.Second }}
	devicetest.OverPTY(t, devicetest.Harness{
		Driver:      NewLegacyDriver(nil),
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		MinNumerics: 2 * 60,
		Seconds:     60,
	})
}
