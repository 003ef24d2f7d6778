package contec_test

import (
	"context"
	"fmt"
	"time"

	"telewave/devices"
	"telewave/devices/contec"
	"telewave/devices/devicetest"
	"telewave/devices/sim"
)

// A simulator on one end of a link, the driver on the other, as the app
// wires them on a pty for the demo.
func Example() {
	devEnd, hostEnd := devicetest.Pipe() // in the app: a pty master and its slave port
	ctx, cancel := context.WithCancel(context.Background())
	s := &contec.Simulator{
		Pleth: sim.NewSyntheticPleth(72, 1),
		PR:    contec.Fixed(72),
		SpO2:  func(t time.Duration) int { return 97 },
		Speed: 0, // as fast as the reader takes it; 1 for real time
	}
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx, devEnd) }()

	msgs := make(chan devices.Message, 64)
	drvDone := make(chan error, 1)
	go func() {
		drvDone <- contec.NewDriver(nil).Run(ctx, hostEnd, func(m devices.Message) {
			select {
			case msgs <- m:
			default: // the hub drops for slow subscribers; so does this example
			}
		})
	}()
	for range 5 {
		switch m := (<-msgs).(type) {
		case *devices.DeviceInfo:
			fmt.Println("device", m.Model, m.Firmware)
		case *devices.Signal:
			fmt.Println("signal", m.ID, m.SampleRate, "Hz")
		case *devices.Chunk:
			fmt.Println("chunk", m.Seq, len(m.Samples), "samples")
		case *devices.Numeric:
			fmt.Println("numeric", m.Label, m.Value, m.Unit, m.Status)
		}
	}
	// Stop: cancel, then close the port so blocked reads return.
	cancel()
	devEnd.Close()
	hostEnd.Close()
	<-simDone
	<-drvDone
	// Output:
	// device CMS50F 7.0
	// signal pleth 60 Hz
	// numeric SpO2 97 % valid
	// numeric PR 72 /min valid
	// chunk 0 3 samples
}
