package openbci_test

import (
	"context"
	"fmt"

	"telewave/devices"
	"telewave/devices/devicetest"
	"telewave/devices/openbci"
	"telewave/devices/sim"
)

// A simulated Cyton streaming a synthetic ECG on channel 1 (noise on the
// others), read by a driver that keeps only channel 1, as lead II.
func Example() {
	devEnd, hostEnd := devicetest.Pipe() // in the app: a pty master and its slave port
	ctx, cancel := context.WithCancel(context.Background())
	s := &openbci.Simulator{Source: sim.NewSyntheticECG(60, 1)}
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx, devEnd) }()

	d := &openbci.Driver{Montage: []openbci.Lead{{Channel: 1, Label: "ECG II", MDC: devices.MDCECGLeadII}}}
	msgs := make(chan devices.Message, 64)
	drvDone := make(chan error, 1)
	go func() {
		drvDone <- d.Run(ctx, hostEnd, func(m devices.Message) {
			select {
			case msgs <- m:
			default:
			}
		})
	}()
	for range 3 {
		switch m := (<-msgs).(type) {
		case *devices.DeviceInfo:
			fmt.Println("device", m.Model, m.Firmware)
		case *devices.Signal:
			fmt.Printf("signal %s %q %g Hz %.5f %s/count\n", m.ID, m.Label, m.SampleRate, m.Scale, m.Unit)
		case *devices.Chunk:
			fmt.Println("chunk", m.Signal, m.Seq, len(m.Samples), "samples")
		}
	}
	cancel()
	devEnd.Close()
	hostEnd.Close()
	<-simDone
	<-drvDone
	// Output:
	// device Cyton v3.1.2
	// signal ch1 "ECG II" 250 Hz 0.02235 uV/count
	// chunk ch1 0 12 samples
}
