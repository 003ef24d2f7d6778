package ad8232

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"telewave/devices"
)

// ProbeTimeout is how long Probe listens for ProbeLines valid lines.
const ProbeTimeout = 2500 * time.Millisecond

// ProbeLines is how many valid lines in a row (after the first, which may
// be cut) make Probe sure.
const ProbeLines = 10

// Probe listens to the freshly opened port (the sketch streams on its
// own) and returns nil once ProbeLines valid lines ("0".."1023" or "!")
// came in a row, within ProbeTimeout or ctx's deadline. Silence, garbage
// or another device's output give an error wrapping devices.ErrNotThisDevice. Probe
// writes nothing. A port with read deadlines gets one for the probe's end;
// one without them must time its reads out (a serial port does) or be
// closed by the caller to end a blocked read.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	deadline, clear := devices.ProbeDeadline(ctx, port, ProbeTimeout)
	defer clear()
	notThis := func(why string) error {
		return fmt.Errorf("ad8232 probe: %s: %w", why, devices.ErrNotThisDevice)
	}
	// A port spewing bytes that never form a line keeps Next reading:
	// the deadline is checked on every read.
	dec := NewDecoder(&devices.DeadlineReader{R: port, Deadline: deadline})
	run, skipped := 0, 0
	for {
		if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("ad8232 probe: %w", err)
		}
		if ctx.Err() != nil || !time.Now().Before(deadline) {
			return notThis(fmt.Sprintf("fewer than %d valid lines in a row within %v (%d bytes skipped)",
				ProbeLines, ProbeTimeout, dec.Skipped()))
		}
		_, err := dec.Next()
		switch {
		case errors.Is(err, ErrNoData):
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			return notThis(fmt.Sprintf("fewer than %d valid lines in a row in time (%d bytes skipped)", ProbeLines, dec.Skipped()))
		case errors.Is(err, io.EOF):
			return notThis("port closed")
		case err != nil:
			return fmt.Errorf("ad8232 probe: %w", err)
		}
		if dec.Skipped() != skipped { // a bad line broke the run
			run, skipped = 0, dec.Skipped()
		}
		if run++; run >= ProbeLines {
			return nil
		}
	}
}
