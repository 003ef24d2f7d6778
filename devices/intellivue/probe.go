package intellivue

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// ProbeTime bounds a probe when ctx has no earlier deadline.
const ProbeTime = 2500 * time.Millisecond

// Probe sends an association request and says yes only on an association
// accept, which it then releases (waiting briefly for the response). A
// refusal is an IntelliVue that will not talk now: ErrRefused. Silence or
// other bytes rule the protocol out with devices.ErrNotThisDevice.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	ctx, cancel := context.WithTimeout(ctx, ProbeTime)
	defer cancel()
	if _, err := devices.WriteBurst(port, EncodeFrame(EncodeAARQ()), time.Second); err != nil {
		return fmt.Errorf("intellivue probe: send association request: %w", err)
	}
	frames := make(chan []byte, 8)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		devices.Forward(ctx, NewDecoder(port).Next, ErrNoData,
			func(ud []byte) ([]byte, bool) { return ud, true }, frames, readErr)
	}()
	defer func() {
		cancel()
		clear, ok := devices.InterruptRead(port)
		select {
		case <-done:
		case <-time.After(500 * time.Millisecond): // a pipe without deadlines: the caller closes it
		}
		if ok {
			clear()
		}
	}()
	accepted := false
	var released <-chan time.Time // after the accept: how long to wait for the release response
	for {
		select {
		case <-released:
			return nil // no release response; the association times out on its own
		case <-ctx.Done():
			if accepted {
				return nil // no release response; the association times out on its own
			}
			return fmt.Errorf("intellivue probe: no association response (%v): %w", ctx.Err(), devices.ErrNotThisDevice)
		case err := <-readErr:
			if accepted {
				return nil
			}
			return fmt.Errorf("intellivue probe: read: %w", err)
		case ud := <-frames:
			typ, err := SessionType(ud)
			if err != nil {
				continue
			}
			switch {
			case !accepted && typ == SPDUAssocAccept:
				accepted = true
				if _, err := devices.WriteBurst(port, EncodeFrame(EncodeReleaseRequest()), time.Second); err != nil {
					return nil
				}
				released = time.After(500 * time.Millisecond)
			case !accepted && typ == SPDUAssocRefuse:
				return fmt.Errorf("intellivue probe: %w", ErrRefused)
			case accepted && (typ == SPDUReleaseResp || typ == SPDUAbort):
				return nil
			}
		}
	}
}
