package masimo

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
		{"sensor off every other second", &Simulator{Record: true, Speed: 50,
			SensorOff: func(t time.Duration) bool { return t/time.Second%2 == 1 }}},
		{"unknown keys", &Simulator{Record: true, Speed: 50, Fields: func(t time.Duration) []Field {
			return []Field{{"SN", "7"}, {"SPO2", "099%"}, {"XYZ", "12.5"}, {"SPHB", "--.-"}, {"EXC", "000000"}}
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:      NewDriver(nil),
				Simulate:    func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:        tt.sim.Sent,
				Numerics:    tt.sim.Numerics,
				MinSamples:  -1,
				MinNumerics: 20,
			})
		})
	}
}

// The acceptance run: 60 lines (60 s of device time) through a real pty
// and go.bug.st/serial at 9600 8N1, at 20× real time, numerics compared.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20,
		BPM:       func(t time.Duration) int { return 60 + int(t/time.Second)*2 },
		PI:        func(t time.Duration) int { return 100 + int(t/time.Second)*7 },
		SensorOff: func(t time.Duration) bool { return t >= 30*time.Second && t < 33*time.Second }}
	msgs := devicetest.OverPTY(t, devicetest.Harness{
		Driver:      NewDriver(nil),
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		MinSamples:  -1,
		MinNumerics: 8 * 60, // eight numeric fields a line
	})
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
}
