package ad8232_test

import (
	"context"
	"fmt"

	"telewave/devices"
	"telewave/devices/ad8232"
	"telewave/devices/devicetest"
	"telewave/devices/sim"
)

// A simulated Arduino with an AD8232 printing a synthetic ECG, read by the
// driver: the device, its signal, then chunks of 25 samples (100 ms).
func Example() {
	devEnd, hostEnd := devicetest.Pipe() // in the app: a pty master and its slave port
	ctx, cancel := context.WithCancel(context.Background())
	s := &ad8232.Simulator{Source: sim.NewSyntheticECG(60, 1)}
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx, devEnd) }()

	msgs := make(chan devices.Message, 64)
	drvDone := make(chan error, 1)
	go func() {
		drvDone <- ad8232.NewDriver(nil).Run(ctx, hostEnd, func(m devices.Message) {
			select {
			case msgs <- m:
			default:
			}
		})
	}()
	for range 3 {
		switch m := (<-msgs).(type) {
		case *devices.DeviceInfo:
			fmt.Println("device", m.Model)
		case *devices.Signal:
			fmt.Printf("signal %s %q %g Hz %.6f %s/count, 0 mV at %d\n", m.ID, m.Label, m.SampleRate, m.Scale, m.Unit, m.Baseline)
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
	// device AD8232 single-lead
	// signal ecg "ECG" 250 Hz 0.004439 mV/count, 0 mV at 338
	// chunk ecg 0 25 samples
}
