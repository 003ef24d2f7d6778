package masimo

import (
	"context"
	"fmt"
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
	in := &feed{}
	dec := NewDecoder(in, d.Location)
	lines := 0
	return probeRead(ctx, port, ProbeTime, func(b []byte) bool {
		in.buf = append(in.buf, b...)
		for {
			if _, err := dec.Next(); err != nil {
				return false // ErrNoData: wait for more bytes
			}
			if lines++; lines >= 2 {
				return true
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
// reader until the caller closes it.
func probeRead(ctx context.Context, port io.Reader, wait time.Duration, found func([]byte) bool) error {
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
			return fmt.Errorf("masimo probe: no valid lines (%v): %w", ctx.Err(), devices.ErrNotThisDevice)
		case err := <-readErr:
			return fmt.Errorf("masimo probe: read: %w", err)
		case b := <-chunks:
			if found(b) {
				return nil
			}
		}
	}
}
