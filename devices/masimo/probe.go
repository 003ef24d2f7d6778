package masimo

import (
	"context"
	"io"
	"time"

	"telewave/devices"
)

// ProbeTime bounds a probe when ctx has no earlier deadline.
const ProbeTime = 3 * time.Second

// Probe listens, sending nothing, and says yes on two lines that parse as
// ASCII 1 (date, time, key=value tokens) within ProbeTime: about 2 s for a
// device writing a line a second (the first line may arrive cut). Other
// bytes or silence rule it out.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	in := &devices.Feed{}
	dec := NewDecoder(in, d.Location)
	lines := 0
	return devices.ProbeRead(ctx, port, ProbeTime, Protocol, func(b []byte) (bool, error) {
		_, _ = in.Write(b)
		for {
			if _, err := dec.Next(); err != nil {
				return false, nil // ErrNoData: wait for more bytes
			}
			if lines++; lines >= 2 {
				return true, nil
			}
		}
	})
}
