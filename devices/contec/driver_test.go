package contec

import (
	"context"
	"errors"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func TestDriverFingerOut(t *testing.T) {
	out := func(t time.Duration) bool { return t >= 2*time.Second && t < 4*time.Second }
	s := &Simulator{FingerOut: out, PR: Fixed(72), SpO2: Fixed(97), PI: Fixed(310), Model: "CMS50E"}
	msgs := devicetest.Run(t, s.Run, NewDriver(nil), devicetest.Count[*devices.Chunk](120)) // 6 s of packets

	info, ok := msgs[0].(*devices.DeviceInfo)
	if !ok || info.Model != "CMS50E" || info.Firmware != "7.0" || info.Protocol != "contec" {
		t.Fatalf("first message %#v", msgs[0])
	}
	var events []string
	chunk, leadOff := 0, 0
	sensorOff := false
	numerics := map[devices.NumericStatus]int{}
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Event:
			events = append(events, m.Code)
			sensorOff = m.Code == devices.EventSensorOff
		case *devices.Chunk:
			// Packets 120..239 are finger out: chunks 40..79.
			want := chunk >= 40 && chunk < 80
			if (m.Flags&devices.LeadOff != 0) != want {
				t.Errorf("chunk %d flags %b", chunk, m.Flags)
			}
			if want {
				leadOff++
			}
			chunk++
		case *devices.Numeric:
			numerics[m.Status]++
			if sensorOff != (m.Status == devices.Unavailable) {
				t.Errorf("numeric %s %v while sensor off=%v", m.Label, m.Status, sensorOff)
			}
			if m.Status == devices.Valid {
				want := map[uint32]float64{devices.MDCPulsOximSatO2: 97, devices.MDCPulsOximPulsRt: 72, devices.MDCPulsOximPerfRel: 3.1}[m.Code]
				if m.Value != want {
					t.Errorf("numeric %s = %g, want %g", m.Label, m.Value, want)
				}
			}
		}
	}
	if len(events) != 2 || events[0] != devices.EventSensorOff || events[1] != devices.EventSensorOn {
		t.Errorf("events %v, want sensor-off then sensor-on", events)
	}
	if leadOff != 40 {
		t.Errorf("%d lead-off chunks, want 40", leadOff)
	}
	// Once a second (packets 0, 60, 180, 300) plus at both transitions
	// (120, 240), three numerics each: 6 times, not 60 times a second.
	if total := numerics[devices.Valid] + numerics[devices.Unavailable]; total != 18 {
		t.Errorf("%d numerics (%v), want 18", total, numerics)
	}
	if numerics[devices.Unavailable] != 6 {
		t.Errorf("%d unavailable numerics, want 6", numerics[devices.Unavailable])
	}
}

func TestDriverChunkTiming(t *testing.T) {
	msgs := devicetest.Run(t, (&Simulator{Speed: 1}).Run, NewDriver(nil), devicetest.Count[*devices.Chunk](10))
	var first, last *devices.Chunk
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok {
			if first == nil {
				first = c
			}
			last = c
		}
	}
	if len(last.Samples) != ChunkSamples {
		t.Fatalf("chunk of %d samples", len(last.Samples))
	}
	// Nine chunks of 50 ms at real-time pace.
	span := last.HostTime.Sub(first.HostTime)
	if span < 400*time.Millisecond || span > 600*time.Millisecond {
		t.Errorf("host time span %v over 9 chunks, want about 450 ms", span)
	}
}

func TestDriverEmptyPortStopsOnCancel(t *testing.T) {
	dev, hostEnd := devicetest.Pipe()
	go func() { // a silent device that only swallows commands
		buf := make([]byte, 64)
		for {
			if _, err := dev.Read(buf); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- NewDriver(nil).Run(ctx, hostEnd, func(devices.Message) { t.Error("message from a silent device") })
	}()
	cancel()
	hostEnd.Close()
	dev.Close()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return")
	}
}
