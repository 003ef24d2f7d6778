package contec

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// ProbeTime bounds each probe when ctx has no earlier deadline.
const ProbeTime = 2500 * time.Millisecond

var _ devices.Prober = (*Driver)(nil)

// Probe asks for the firmware version (A0) and says yes on a well-formed
// V7.0 version reply, or on two live packets from a device that was already
// streaming. It starts no stream. The legacy 5-byte stream never frames as
// a V7.0 version packet (it has at most one byte with bit 7 set after each
// byte with bit 7 clear), so a legacy device is ruled out by content.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	if _, err := devices.WriteBurst(port, Command(CmdVersion, 0), time.Second); err != nil {
		return fmt.Errorf("contec probe: send version command: %w", err)
	}
	in := &devices.Feed{}
	dec := NewDecoder(in)
	live := 0
	return devices.ProbeRead(ctx, port, ProbeTime, Protocol, func(b []byte) (bool, error) {
		_, _ = in.Write(b)
		for {
			p, err := dec.Next()
			if err != nil {
				return false, nil // ErrNoData: wait for more bytes
			}
			switch {
			case p.Type == TypeVersion && len(p.Data) == 2:
				return true, nil
			case p.Type == TypeLive:
				if _, ok := ParseLive(p); ok {
					if live++; live >= 2 {
						return true, nil
					}
				}
			}
		}
	})
}
