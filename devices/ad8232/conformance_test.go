package ad8232

import (
	"context"
	"io"
	"testing"

	"telewave/devices"
	"telewave/devices/devicetest"
	"telewave/devices/sim"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name   string
		sim    *Simulator
		driver *Driver
	}{
		{"as fast as possible", &Simulator{Record: true}, NewDriver(nil)},
		{"leads off for lines 100..199", &Simulator{Record: true, LeadsOff: func(n uint64) bool { return n >= 100 && n < 200 }},
			NewDriver(nil)},
		{"3.3 V Arduino at 200 Hz, lead II", &Simulator{Record: true, Rate: 200, ADCRefV: 3.3, Baseline: 512},
			&Driver{Rate: 200, ADCRefV: 3.3, Baseline: 512, Label: "ECG II", MDC: devices.MDCECGLeadII}},
		{"real time", &Simulator{Record: true, Speed: 1}, NewDriver(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:     tt.driver,
				Simulate:   func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:       tt.sim.Sent,
				MinSamples: 300,
			})
		})
	}
}

// The acceptance run: 60 s of a synthetic ECG through a real pty and
// go.bug.st/serial at 115200 8N1, at 20× real time, with the leads off
// twice on the way: every sample line must come back exactly, and only
// the leads-off runs may break the stream.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20, Source: sim.NewSyntheticECG(75, 3),
		LeadsOff: func(n uint64) bool { return (n >= 2500 && n < 3000) || (n >= 9000 && n < 9100) }}
	msgs := devicetest.OverPTY(t, devicetest.Harness{
		Driver:   NewDriver(nil),
		Simulate: s.Run,
		Sent:     s.Sent,
		Seconds:  60,
	})
	var gaps []uint64
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok && c.Flags != 0 {
			if c.Flags != devices.GapBefore|devices.LeadOff {
				t.Errorf("chunk %d flags %b", c.Seq, c.Flags)
			}
			gaps = append(gaps, c.Seq)
		}
	}
	if len(gaps) != 2 {
		t.Errorf("chunks after a leads-off run: %v, want 2", gaps)
	}
}
