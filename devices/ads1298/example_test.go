package ads1298_test

import (
	"context"
	"fmt"

	"telewave/devices"
	"telewave/devices/ads1298"
	"telewave/devices/devicetest"
)

// A simulated board streaming a synthetic 12-lead ECG, read by the driver:
// the device, then its twelve signals, then chunks of 25 samples.
func Example() {
	devEnd, hostEnd := devicetest.Pipe() // in the app: a pty master and its slave port
	ctx, cancel := context.WithCancel(context.Background())
	s := &ads1298.Simulator{Source: ads1298.SyntheticLeads(60, 1)}
	// With real data, Source is a 12-lead record mapped to board order (SelectLeads).
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx, devEnd) }()

	msgs := make(chan devices.Message, 64)
	drvDone := make(chan error, 1)
	go func() {
		drvDone <- ads1298.NewDriver(nil).Run(ctx, hostEnd, func(m devices.Message) {
			select {
			case msgs <- m:
			default:
			}
		})
	}()
	for range 14 {
		switch m := (<-msgs).(type) {
		case *devices.DeviceInfo:
			fmt.Println("device", m.Model)
		case *devices.Signal:
			if m.ID == "II" || m.ID == "aVR" {
				fmt.Printf("signal %s MDC %d %g Hz %.8f %s/count\n", m.ID, m.MDC, m.SampleRate, m.Scale, m.Unit)
			}
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
	// device ADS1298 12-lead
	// signal II MDC 131330 500 Hz 0.04768372 uV/count
	// signal aVR MDC 131390 500 Hz 0.02384186 uV/count
	// chunk I 0 25 samples
}
