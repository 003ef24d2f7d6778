package ads1298

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "ads1298"

// ChunkSamples is how many samples go in one chunk: 50 ms at 500 Hz.
const ChunkSamples = 25

// EventLeadOn is the event code for electrodes that came back on.
const EventLeadOn = "lead-on"

// Driver reads the board's frame stream and emits the twelve leads of
// Signals, with GapBefore where the packet counter jumps and LeadOff where
// the status word reports an electrode the lead depends on as off.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Model goes into DeviceInfo ("" = "ADS1298 12-lead").
	Model string
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a driver with the given clock (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "ads1298".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 460800 8N1: a 38-byte frame 500 times a second is 190 000
// bit/s on the wire, more than 115200 carries.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 460800, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

func (d *Driver) now() func() time.Time {
	if d.Now == nil {
		return time.Now
	}
	return d.Now
}

// arrival is a packet with its arrival time and the decoder's count of
// skipped bytes at that point.
type arrival struct {
	p       Packet
	at      time.Time
	skipped int
}

// Run reads frames until ctx is done or the port fails. The board takes
// no commands, so Run never writes. Cancel ctx and close the port to stop
// it; ports with read deadlines stop on cancel alone.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.now()
	ctx, cancel := context.WithCancel(ctx)
	packets := make(chan arrival, 64)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		dec := NewDecoder(port)
		devices.Forward(ctx, dec.Next, ErrNoData,
			func(p Packet) (arrival, bool) { return arrival{p, now(), dec.Skipped()}, true }, packets, readErr)
	})
	defer stop()

	model := d.Model
	if model == "" {
		model = "ADS1298 12-lead"
	}
	emit(&devices.DeviceInfo{Protocol: Protocol, Model: model})
	s := newSession(emit)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			for len(packets) > 0 { // decoded before the error: keep them
				s.handle(<-packets)
			}
			return devices.OrCanceled(ctx, fmt.Errorf("ads1298 driver: %w", err))
		case a := <-packets:
			s.handle(a)
		}
	}
}
