package medibus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "medibus"

// Driver talks to a Dräger device as a Medibus master and answers the
// device as its slave: ICC, device identification, the realtime
// configuration, then the chosen curves switched on, measured values polled
// every Poll, NOP whenever the line would otherwise stay quiet.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Poll is how often measured values are asked for (0 = 1 s).
	Poll time.Duration
	// KeepAlive is how often a NOP goes out when nothing else did (0 = 2 s).
	KeepAlive time.Duration
	// ReplyTimeout is how long a command may wait for its answer before
	// the driver starts over with ICC (0 = 3 s).
	ReplyTimeout time.Duration
	// Curves are the realtime curve codes to switch on, in stream order,
	// those the device offers; nil means airway pressure (00) and flow (01).
	Curves []byte
	// ID is what the driver answers when the device asks who it is.
	ID DeviceID
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a driver with the defaults and the given clock (nil
// for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "medibus".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 19200 8E1 without handshake.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 19200, DataBits: 8, Parity: devices.EvenParity, StopBits: 1}
}

func (d *Driver) curves() []byte {
	if d.Curves == nil {
		return []byte{0x00, 0x01}
	}
	return d.Curves
}

func (d *Driver) id() DeviceID {
	if d.ID.Name == "" {
		return DeviceID{ID: "TW01", Name: "Telewave", Revision: "01.00"}
	}
	return d.ID
}

// arrival is a decoded item, when it was read and the decoder's error
// counts at that point.
type arrival struct {
	it         Item
	at         time.Time
	bad, rtBad int
}

// Run speaks to the device until ctx is done or the port fails. Cancel
// ctx and close the port to stop it; ports with read deadlines stop on
// cancel alone.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	items := make(chan arrival, 256)
	readErr := make(chan error, 1)
	dec := NewDecoder(port)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(ctx, dec.Next, ErrNoData, func(it Item) (arrival, bool) {
			return arrival{it, now(), dec.BadFrames(), dec.BadRealtime()}, true
		}, items, readErr)
	})
	defer func() {
		// Leave the device quiet: curves off, communication stopped.
		bye := append(EnableRealtime(0), Command(CmdStop, "")...)
		_, _ = devices.WriteBurst(port, bye, 200*time.Millisecond)
		stop()
	}()

	c := &conversation{d: d, port: port, now: now, s: newSession(emit)}
	if err := c.start(); err != nil {
		return devices.OrCanceled(ctx, err)
	}
	poll := time.NewTicker(devices.DurationOr(d.Poll, time.Second))
	defer poll.Stop()
	keep := time.NewTicker(devices.DurationOr(d.KeepAlive, 2*time.Second) / 4)
	defer keep.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err = <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("medibus driver: %w", err))
		case <-poll.C:
			if c.ready {
				c.queue(CmdDataCP1, "")
			}
			err = c.pump()
		case <-keep.C:
			err = c.tick()
		case a := <-items:
			err = c.handle(a)
		}
		if err != nil {
			return devices.OrCanceled(ctx, err)
		}
	}
}

// ProbeTime is how long Probe waits for the answer to ICC.
const ProbeTime = 3 * time.Second

// Probe sends ICC and says yes on a valid ICC response, then stops the
// communication again. Silence or anything else for ProbeTime rules the
// device out.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	deadline, clear := devices.ProbeDeadline(ctx, port, ProbeTime)
	defer clear()
	if _, err := devices.WriteBurst(port, Command(CmdICC, ""), time.Second); err != nil {
		return fmt.Errorf("medibus probe: send ICC: %w", err)
	}
	dec := NewDecoder(port)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		it, err := dec.Next()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if err != nil {
			return fmt.Errorf("medibus probe: %w (%v)", devices.ErrNotThisDevice, err)
		}
		if it.Kind == ItemFrame && it.Frame.Response && it.Frame.Cmd == CmdICC {
			_, _ = devices.WriteBurst(port, Command(CmdStop, ""), 200*time.Millisecond)
			return nil
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("medibus probe: no ICC answer in %v: %w", ProbeTime, devices.ErrNotThisDevice)
}
