package devices

import (
	"context"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// watchdog is the port a supervised driver sees. A serial read that times
// out returns (0, nil); the watchdog keeps reading until bytes arrive, so
// drivers never spin on empty reads, and turns a long silence into
// ErrSilent, which ends the session and starts a reconnect. It takes a
// read deadline even where the serial port has none, so that a driver can
// wake its own reader (InterruptRead) within one serial read timeout.
type watchdog struct {
	port     io.ReadWriteCloser
	now      func() time.Time
	silence  time.Duration
	ctx      context.Context
	last     time.Time
	deadline atomic.Int64 // unix ns; 0 = none
}

// SetReadDeadline makes Read return os.ErrDeadlineExceeded once t has
// passed; the zero time clears it. Safe to call while Read runs.
func (w *watchdog) SetReadDeadline(t time.Time) error {
	if t.IsZero() {
		w.deadline.Store(0)
	} else {
		w.deadline.Store(t.UnixNano())
	}
	return nil
}

func (w *watchdog) Read(p []byte) (int, error) {
	for {
		n, err := w.port.Read(p)
		if n > 0 {
			w.last = w.now()
			return n, err
		}
		if err != nil {
			return 0, err
		}
		if w.ctx.Err() != nil {
			return 0, w.ctx.Err()
		}
		if d := w.deadline.Load(); d != 0 && time.Now().UnixNano() >= d {
			return 0, os.ErrDeadlineExceeded
		}
		if w.now().Sub(w.last) > w.silence {
			return 0, ErrSilent
		}
	}
}

func (w *watchdog) Write(p []byte) (int, error) { return w.port.Write(p) }
