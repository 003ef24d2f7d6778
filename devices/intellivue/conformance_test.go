package intellivue

import (
	"context"
	"io"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name     string
		sim      *Simulator
		drv      *Driver
		numerics int
	}{
		{"as fast as possible", &Simulator{Record: true}, &Driver{}, 26},
		{"real time", &Simulator{Record: true, Speed: 1}, &Driver{}, 13},
		{"five waves in linked results", &Simulator{Record: true, Speed: 10},
			&Driver{Repoll: 50 * time.Millisecond, Waves: []uint16{PhysioECGII, PhysioECGV, PhysioECGI, PhysioPleth, PhysioABP}}, 26},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devicetest.Conformance(t, devicetest.Harness{
				Driver:      tt.drv,
				Simulate:    func(ctx context.Context, port io.ReadWriter) error { return tt.sim.Run(ctx, port) },
				Sent:        tt.sim.Sent,
				Numerics:    tt.sim.Numerics,
				MinNumerics: tt.numerics,
				MinSamples:  300,
			})
		})
	}
}

// The acceptance run: 60 s of simulated monitor through a real pty and
// go.bug.st/serial at 115200 8N1, at 20× real time: four waves, numerics
// with a compound NIBP and a numeric the driver does not map.
func TestSixtySecondsOverPTY(t *testing.T) {
	s := &Simulator{Record: true, Speed: 20}
	d := &Driver{Repoll: 50 * time.Millisecond} // 1 s of source time
	msgs := devicetest.OverPTY(t, devicetest.Harness{
		Driver:      d,
		Simulate:    s.Run,
		Sent:        s.Sent,
		Numerics:    s.Numerics,
		MinNumerics: 60 * 12,
		Seconds:     60,
	})
	var nibp, pvc int
	sigs := map[string]bool{}
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Numeric:
			if m.Code == mdcOf(PhysioNIBPSys) && m.Label == "NBPs" && m.Unit == "mm[Hg]" && m.Value == 120 {
				nibp++
			}
			if m.Code == 0 && m.Label == "PVC" && m.RawCode == "0x0002:0x4261" && m.Unit == "/min" {
				pvc++
			}
		case *devices.Signal:
			sigs[m.ID] = true
		}
	}
	if nibp < 60 || pvc < 60 {
		t.Errorf("%d NIBP systolic and %d pass-through PVC numerics, want 60 each", nibp, pvc)
	}
	for _, id := range []string{"ecg-ii", "ecg-v", "pleth", "abp"} {
		if !sigs[id] {
			t.Errorf("no signal %s (have %v)", id, sigs)
		}
	}
}
