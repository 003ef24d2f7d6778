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
	in := &feed{}
	dec := NewDecoder(in)
	live := 0
	return probeRead(ctx, port, ProbeTime, Protocol, func(b []byte) (bool, error) {
		in.buf = append(in.buf, b...)
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

// feed is a reader over bytes appended to buf; empty, it reads (0, nil) as
// a serial port that timed out, so a Decoder over it returns ErrNoData.
type feed struct{ buf []byte }

func (f *feed) Read(p []byte) (int, error) {
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// probeRead reads port on a goroutine and hands each read to found until it
// reports positive evidence, the port fails, or wait (or ctx) runs out,
// which rules the protocol out with devices.ErrNotThisDevice. On return it
// wakes a read blocked on a port with deadlines and waits for it briefly; a
// port without deadlines or read timeouts (an in-memory pipe) keeps its
// reader until the caller closes the port.
func probeRead(ctx context.Context, port io.Reader, wait time.Duration, proto string, found func([]byte) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	chunks := make(chan []byte, 16)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for ctx.Err() == nil {
			n, err := port.Read(buf)
			if n > 0 {
				select {
				case chunks <- append([]byte(nil), buf[:n]...):
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	defer func() {
		cancel()
		clear, ok := devices.InterruptRead(port)
		select {
		case <-done:
		case <-time.After(500 * time.Millisecond):
		}
		if ok {
			clear()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s probe: no valid reply (%v): %w", proto, ctx.Err(), devices.ErrNotThisDevice)
		case err := <-readErr:
			return fmt.Errorf("%s probe: read: %w", proto, err)
		case b := <-chunks:
			ok, err := found(b)
			if err != nil {
				return fmt.Errorf("%s probe: %w: %w", proto, devices.ErrNotThisDevice, err)
			}
			if ok {
				return nil
			}
		}
	}
}
