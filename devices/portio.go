package devices

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// ErrDropped reports a burst that the port did not take in time.
var ErrDropped = errors.New("write timed out, burst dropped")

type writeDeadliner interface {
	SetWriteDeadline(t time.Time) error
}

// WriteBurst writes b to w but gives up after timeout when w can take a
// write deadline (a pty master *os.File, a net.Conn): a simulator whose
// reader went away must keep running, not block forever. It returns how many
// bytes went out; a timeout gives ErrDropped. Ports without deadlines get a
// plain blocking write.
func WriteBurst(w io.Writer, b []byte, timeout time.Duration) (int, error) {
	d, ok := w.(writeDeadliner)
	if !ok || d.SetWriteDeadline(time.Now().Add(timeout)) != nil {
		return w.Write(b)
	}
	n, err := w.Write(b)
	_ = d.SetWriteDeadline(time.Time{})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, fmt.Errorf("write %d bytes: %w", len(b), ErrDropped)
	}
	return n, err
}

type readDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// InterruptRead wakes a Read blocked on r when r supports read deadlines
// and reports whether it could. The returned func clears the deadline again
// so that the port can be reused. Ports without deadlines are woken by
// closing them, which is the caller's job.
func InterruptRead(r io.Reader) (clear func(), ok bool) {
	d, ok := r.(readDeadliner)
	if !ok || d.SetReadDeadline(time.Now()) != nil {
		return func() {}, false
	}
	return func() { _ = d.SetReadDeadline(time.Time{}) }, true
}

// ReadInBackground runs read on its own goroutine, for a driver or a
// simulator that reads its port while it writes. The returned stop cancels
// (through cancel, which read's context must derive from), wakes a read
// blocked on a port with deadlines, and waits for read to return; ports
// without deadlines return once the caller closes them.
func ReadInBackground(cancel func(), port io.Reader, read func()) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		read()
	}()
	return func() {
		cancel()
		clear, _ := InterruptRead(port)
		wg.Wait()
		clear()
	}
}

// Forward runs a decoder on a reader goroutine: it calls next until ctx is
// done or next fails, and sends every value that convert accepts to out.
// A noData error is a read that timed out empty (go.bug.st/serial returns
// (0, nil) then) and only checks ctx; any other error goes to errc, once.
func Forward[T, M any](ctx context.Context, next func() (T, error), noData error,
	convert func(T) (M, bool), out chan<- M, errc chan<- error) {
	for {
		v, err := next()
		if errors.Is(err, noData) {
			if ctx.Err() != nil {
				return
			}
			continue
		}
		if err != nil {
			errc <- err
			return
		}
		m, ok := convert(v)
		if !ok {
			continue
		}
		select {
		case out <- m:
		case <-ctx.Done():
			return
		}
	}
}

// OrCanceled reports a cancelled context rather than the port error that
// the caller's own closing of the port caused.
func OrCanceled(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// DurationOr returns d, or def when d is zero or negative (unset).
func DurationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
