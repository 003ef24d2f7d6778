package devices

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// probeReadSize is the buffer of each read ProbeRead makes.
const probeReadSize = 512

// probeReaderGrace is how long ProbeRead waits for its reader goroutine to
// return after it woke it.
const probeReaderGrace = 500 * time.Millisecond

// ProbeRead serves a Probe that listens on a goroutine: it reads port
// there and hands a copy of each read, on the caller's goroutine, to found
// until found reports positive evidence (nil), the port fails (a wrapped
// read error), or wait (or ctx's earlier deadline) runs out, which rules
// the protocol out with ErrNotThisDevice; so does an error from found,
// which the returned error wraps as well. proto names the protocol in
// errors.
//
// On return it wakes a read blocked on a port with deadlines (clearing the
// deadline again) and waits up to half a second for the reader to return;
// a port without deadlines or read timeouts (an in-memory pipe) keeps its
// reader until the caller closes the port.
func ProbeRead(ctx context.Context, port io.Reader, wait time.Duration, proto string, found func([]byte) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	chunks := make(chan []byte, 16)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, probeReadSize)
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
		clear, _ := InterruptRead(port)
		select {
		case <-done:
		case <-time.After(probeReaderGrace):
		}
		clear()
	}()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s probe: no valid reply (%v): %w", proto, ctx.Err(), ErrNotThisDevice)
		case err := <-readErr:
			return fmt.Errorf("%s probe: read: %w", proto, err)
		case b := <-chunks:
			ok, err := found(b)
			if err != nil {
				return fmt.Errorf("%s probe: %w: %w", proto, ErrNotThisDevice, err)
			}
			if ok {
				return nil
			}
		}
	}
}

// Feed is a reader over the bytes written to it, for a decoder that a
// ProbeRead callback feeds read by read. Empty, it reads (0, nil) as a
// serial port whose read timed out, so a decoder over it reports no data
// yet rather than the end of the stream.
type Feed struct{ buf []byte }

// Write appends p to what Read returns; it never fails.
func (f *Feed) Write(p []byte) (int, error) {
	f.buf = append(f.buf, p...)
	return len(p), nil
}

// Read returns the oldest bytes written and not read yet.
func (f *Feed) Read(p []byte) (int, error) {
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// ProbeDeadline serves a Probe that reads on the caller's goroutine: it
// returns when the probe must give up, wait from now or ctx's deadline when
// that comes first. A port that takes read deadlines gets this one, so that
// a read blocked at the end returns; clear takes it off again and must be
// called when the probe returns.
func ProbeDeadline(ctx context.Context, port io.Reader, wait time.Duration) (deadline time.Time, clear func()) {
	deadline = time.Now().Add(wait)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if rd, ok := port.(readDeadliner); ok && rd.SetReadDeadline(deadline) == nil {
		return deadline, func() { _ = rd.SetReadDeadline(time.Time{}) }
	}
	return deadline, func() {}
}

// DeadlineReader fails reads with os.ErrDeadlineExceeded once Deadline
// passed, for a port without read deadlines that keeps delivering bytes: a
// decoder that skips garbage in a loop of its own then still stops.
type DeadlineReader struct {
	R        io.Reader
	Deadline time.Time
}

// Read reads from R until the deadline.
func (d *DeadlineReader) Read(p []byte) (int, error) {
	if !time.Now().Before(d.Deadline) {
		return 0, os.ErrDeadlineExceeded
	}
	return d.R.Read(p)
}
