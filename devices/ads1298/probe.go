package ads1298

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"telewave/devices"
)

// ProbeTimeout is how long Probe listens for two consecutive frames.
const ProbeTimeout = 2500 * time.Millisecond

// Probe listens to the freshly opened port (the board streams on its own)
// and returns nil once two valid frames with consecutive counters came,
// within ProbeTimeout or ctx's deadline. Silence, garbage or another
// device's frames give an error wrapping devices.ErrNotThisDevice. Probe
// writes nothing. A port with read deadlines gets one for the probe's end;
// one without them must time its reads out (a serial port does) or be
// closed by the caller to end a blocked read.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	deadline, clear := devices.ProbeDeadline(ctx, port, ProbeTimeout)
	defer clear()
	notThis := func(why string) error {
		return fmt.Errorf("ads1298 probe: %s: %w", why, devices.ErrNotThisDevice)
	}
	// A port spewing bytes that never form a frame keeps Next reading:
	// the deadline is checked on every read.
	dec := NewDecoder(&devices.DeadlineReader{R: port, Deadline: deadline})
	var last uint32
	frames := 0
	for {
		if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("ads1298 probe: %w", err)
		}
		if ctx.Err() != nil || !time.Now().Before(deadline) {
			return notThis(fmt.Sprintf("no two consecutive frames within %v (%d frames, %d bytes skipped)",
				ProbeTimeout, frames, dec.Skipped()))
		}
		p, err := dec.Next()
		switch {
		case errors.Is(err, ErrNoData):
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			return notThis(fmt.Sprintf("no two consecutive frames in time (%d frames, %d bytes skipped)", frames, dec.Skipped()))
		case errors.Is(err, io.EOF):
			return notThis("port closed")
		case err != nil:
			return fmt.Errorf("ads1298 probe: %w", err)
		}
		if frames > 0 && p.Counter == last+1 {
			return nil
		}
		frames++
		last = p.Counter
	}
}
