package ads1298

import (
	"context"
	"io"
	"os"
	"testing"

	"telewave/devices/devicetest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		sim  *Simulator
	}{
		{"synthetic, as fast as possible", &Simulator{Record: true}},
		{"LA off for packets 100..299", &Simulator{Record: true, LeadOff: func(n uint64) Electrode {
			if n >= 100 && n < 300 {
				return LA
			}
			return 0
		}}},
		{"every 97th packet lost", &Simulator{Record: true, Drop: func(n uint64) bool { return n%97 == 50 }}},
		{"real time", &Simulator{Record: true, Speed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:     NewDriver(nil),
				Simulate:   func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:       tt.sim.Sent,
				MinSamples: 600,
			})
		})
	}
}

// The acceptance run: 60 s of a synthetic 12-lead ECG through a real pty
// and go.bug.st/serial at the driver's link settings, at 20× real time,
// with a lead off and packets lost on the way; all twelve leads, the four
// derived ones included, must come back exactly as the simulator sent them.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20,
		Drop: func(n uint64) bool { return n%5000 == 4321 },
		LeadOff: func(n uint64) Electrode {
			if n >= 10000 && n < 11000 {
				return V3 | RA
			}
			return 0
		}}
	msgs := devicetest.OverPTY(t, devicetest.Harness{
		Driver:   NewDriver(nil),
		Simulate: s.Run,
		Sent:     s.Sent,
		Seconds:  60,
	})
	got := samplesOf(msgs)
	if len(got) != len(Leads) {
		t.Fatalf("%d leads decoded, want %d", len(got), len(Leads))
	}
	for _, l := range Leads {
		if len(got[l.ID]) < 60*SampleRate {
			t.Errorf("%s: %d samples, want 60 s", l.ID, len(got[l.ID]))
		}
	}
}

// The same over the real LUDB record from ../shared/data, looped.
func TestSixtySecondsLUDBOverPTY(t *testing.T) {
	root := sharedData(t, "physionet-other/ludb/ludb-ecg.hea")
	src, err := LUDBSource(os.DirFS(root), "physionet-other/ludb/ludb-ecg")
	if err != nil {
		t.Fatal(err)
	}
	s := &Simulator{Record: true, Speed: 20, Source: src}
	devicetest.OverPTY(t, devicetest.Harness{Driver: NewDriver(nil), Simulate: s.Run, Sent: s.Sent, Seconds: 60})
}
