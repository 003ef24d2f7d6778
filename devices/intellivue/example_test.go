package intellivue_test

import (
	"context"
	"fmt"
	"net"

	"telewave/devices"
	"telewave/devices/intellivue"
)

// A simulated monitor on one end of a link, the driver on the other, as the
// app wires them on a pty for the demo.
func Example() {
	devEnd, hostEnd := net.Pipe() // in the app: a pty master and its slave port
	ctx, cancel := context.WithCancel(context.Background())
	s := &intellivue.Simulator{Speed: 0} // as fast as the reader takes it; 1 for real time
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx, devEnd) }()

	msgs := make(chan devices.Message, 64)
	drvDone := make(chan error, 1)
	go func() {
		drvDone <- intellivue.NewDriver(nil).Run(ctx, hostEnd, func(m devices.Message) {
			switch m.(type) {
			case *devices.DeviceInfo, *devices.Signal:
				msgs <- m
			}
		})
	}()
	for range 5 {
		switch m := (<-msgs).(type) {
		case *devices.DeviceInfo:
			fmt.Println("device", m.Model)
		case *devices.Signal:
			fmt.Println("signal", m.ID, m.SampleRate, "Hz", m.Unit)
		}
	}
	// Stop: cancel (the driver releases the association), then close.
	cancel()
	<-drvDone
	devEnd.Close()
	hostEnd.Close()
	<-simDone
	// Output:
	// device Philips MP70
	// signal ecg-ii 500 Hz mV
	// signal ecg-v 500 Hz mV
	// signal pleth 125 Hz 1
	// signal abp 125 Hz mm[Hg]
}
