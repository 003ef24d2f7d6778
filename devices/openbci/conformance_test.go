package openbci

import (
	"context"
	"io"
	"testing"

	"telewave/devices"
	"telewave/devices/devicetest"
	"telewave/devices/sim"
)

// threeLead is a 3-channel source: an ECG and two scaled copies.
type threeLead struct{ ecg sim.Source }

func (s threeLead) Rate() float64 { return s.ecg.Rate() }
func (s threeLead) Channels() int { return 3 }
func (s threeLead) Next(f []float64) error {
	if err := s.ecg.Next(f[:1]); err != nil {
		return err
	}
	f[1], f[2] = -0.5*f[0], 2*f[0]
	return nil
}

func TestConformance(t *testing.T) {
	tests := []struct {
		name    string
		sim     *Simulator
		montage []Lead
	}{
		{"default montage, fast", &Simulator{Record: true}, nil},
		{"three leads resampled", &Simulator{Record: true, Source: threeLead{sim.NewSyntheticECG(80, 2)}},
			[]Lead{{Channel: 1, Label: "I", MDC: devices.MDCECGLeadI}, {Channel: 2, Label: "II"}, {Channel: 3, Label: "III"}, {Channel: 8, Label: "noise"}}},
		{"real time", &Simulator{Record: true, Speed: 1}, []Lead{{Channel: 1, Label: "ECG"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Driver{Montage: tt.montage}
			devicetest.Conformance(t, devicetest.Harness{
				Driver:   d,
				Simulate: func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent: func() map[string][]int32 {
					sent := tt.sim.Sent()
					out := map[string][]int32{}
					for c := range sent {
						out[SignalID(c+1)] = sent[c]
					}
					return out
				},
				MinSamples: 120,
			})
		})
	}
}

// The acceptance run: 60 s of all eight channels through a real pty and
// go.bug.st/serial at 115200 8N1, at 20× real time.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20}
	devicetest.OverPTY(t, devicetest.Harness{
		Driver:   &Driver{},
		Simulate: s.Run,
		Sent: func() map[string][]int32 {
			sent := s.Sent()
			out := map[string][]int32{}
			for c := range sent {
				out[SignalID(c+1)] = sent[c]
			}
			return out
		},
		Seconds: 60,
	})
}
