package datex

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "datex"

// Driver reads an S/5 monitor: it asks for displayed numerics (or 10 s
// trends) every Interval and for waves, turns PHDB records into numerics
// and wave records into chunks, and stops the waves on the way out.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Interval is how often the monitor sends numerics (0 = 5 s).
	Interval time.Duration
	// Trend asks for 10 s trend records instead of the displayed values.
	Trend bool
	// Waves are the waves to request; nil means DefaultWaves. They must
	// stay within 600 samples/s and 8 types.
	Waves []WaveType
	// Resend is how long without any record before the requests are sent
	// again (0 = 15 s): a monitor restarted mid-session forgets them.
	Resend time.Duration
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a driver with the default requests and the given clock
// (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "datex".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 19200 8E1 with RTS/CTS, as the monitor's computer interface.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 19200, DataBits: 8, Parity: devices.EvenParity, StopBits: 1, RTSCTS: true}
}

func (d *Driver) waves() []WaveType {
	if d.Waves == nil {
		return DefaultWaves
	}
	return d.Waves
}

func (d *Driver) phdbRequest(interval time.Duration) PHDBRequest {
	q := PHDBRequest{Type: PHDBDisplayed, Interval: int16(interval / time.Second)}
	if d.Trend {
		q.Type = PHDB10sTrend
	}
	return q
}

// requests returns the start requests: numerics, then waves.
func (d *Driver) requests() []byte {
	b := EncodePHDBRequest(d.phdbRequest(devices.DurationOr(d.Interval, 5*time.Second)))
	if len(d.waves()) > 0 {
		b = append(b, EncodeWaveRequest(WaveStart, d.waves())...)
	}
	return b
}

// arrival is a record, when it was read and the decoder's bad-frame count
// at that point.
type arrival struct {
	r   Record
	at  time.Time
	bad int
}

// Run speaks to the monitor until ctx is done or the port fails. Cancel
// ctx and close the port to stop it; ports with read deadlines stop on
// cancel alone.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	if err := CheckWaves(d.waves()); err != nil {
		return fmt.Errorf("datex driver: %w", err)
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	records := make(chan arrival, 64)
	readErr := make(chan error, 1)
	dec := NewDecoder(port)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(ctx, dec.Next, ErrNoData,
			func(r Record) (arrival, bool) { return arrival{r, now(), dec.BadFrames()}, true }, records, readErr)
	})
	defer func() {
		// Leave the monitor quiet: stop the waves and the numerics.
		bye := append(EncodeWaveRequest(WaveStop, nil), EncodePHDBRequest(d.phdbRequest(0))...)
		_, _ = devices.WriteBurst(port, bye, 200*time.Millisecond)
		stop()
	}()

	send := func() error {
		if _, err := devices.WriteBurst(port, d.requests(), time.Second); err != nil {
			return devices.OrCanceled(ctx, fmt.Errorf("send datex requests: %w", err))
		}
		return nil
	}
	if err := send(); err != nil {
		return err
	}
	resend := devices.DurationOr(d.Resend, 15*time.Second)
	ticker := time.NewTicker(resend)
	defer ticker.Stop()
	s := newSession(emit)
	last := now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("datex driver: %w", err))
		case <-ticker.C:
			if now().Sub(last) >= resend {
				if err := send(); err != nil {
					return err
				}
			}
		case a := <-records:
			last = a.at
			s.handle(a)
		}
	}
}

// ProbeTime is how long Probe waits for a record.
const ProbeTime = 3 * time.Second

// Probe asks for displayed numerics and says yes on the first valid record
// back (any record that passes checksum and header checks), then asks the
// monitor to stop again. Silence or garbage for ProbeTime rules it out.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	deadline, clear := devices.ProbeDeadline(ctx, port, ProbeTime)
	defer clear()
	if _, err := devices.WriteBurst(port, EncodePHDBRequest(d.phdbRequest(5*time.Second)), time.Second); err != nil {
		return fmt.Errorf("datex probe: send request: %w", err)
	}
	defer func() {
		_, _ = devices.WriteBurst(port, EncodePHDBRequest(d.phdbRequest(0)), 200*time.Millisecond)
	}()
	dec := NewDecoder(port)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		_, err := dec.Next()
		if err == nil {
			return nil
		}
		if err != ErrNoData {
			return fmt.Errorf("datex probe: %w (%v)", devices.ErrNotThisDevice, err)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("datex probe: no valid record in %v (%d bytes skipped): %w", ProbeTime, dec.Skipped(), devices.ErrNotThisDevice)
}
