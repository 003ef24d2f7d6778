package contec

import (
	"context"
	"io"
	"testing"
	"time"

	"telewave/devices/devicetest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		sim  *Simulator
	}{
		{"as fast as possible", &Simulator{Record: true}},
		{"finger out half the time", &Simulator{Record: true, FingerOut: func(t time.Duration) bool { return t%time.Second >= 500*time.Millisecond }}},
		{"real time", &Simulator{Record: true, Speed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:     NewDriver(nil),
				Simulate:   func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:       func() map[string][]int32 { return map[string][]int32{PlethSignal.ID: tt.sim.Sent()} },
				MinSamples: 30,
			})
		})
	}
}

// The acceptance run: 60 s of simulated pleth through a real pty and
// go.bug.st/serial at 115200 8N1, at 20× real time.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20, PI: func(t time.Duration) int { return 250 + int(t/time.Second) },
		FingerOut: func(t time.Duration) bool { return t >= 20*time.Second && t < 23*time.Second }}
	devicetest.OverPTY(t, devicetest.Harness{
		Driver:      NewDriver(nil),
		Simulate:    s.Run,
		Sent:        func() map[string][]int32 { return map[string][]int32{PlethSignal.ID: s.Sent()} },
		Numerics:    s.Numerics,
		MinNumerics: 3 * 55,
		Seconds:     60,
	})
}
