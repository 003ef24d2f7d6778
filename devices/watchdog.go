package devices

import (
	"context"
	"io"
	"time"
)

// watchdog is the port a supervised driver sees. A serial read that times
// out returns (0, nil); the watchdog keeps reading until bytes arrive, so
// drivers never spin on empty reads, and turns a long silence into
// ErrSilent, which ends the session and starts a reconnect.
type watchdog struct {
	port    io.ReadWriteCloser
	now     func() time.Time
	silence time.Duration
	ctx     context.Context
	last    time.Time
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
		if w.now().Sub(w.last) > w.silence {
			return 0, ErrSilent
		}
	}
}

func (w *watchdog) Write(p []byte) (int, error) { return w.port.Write(p) }
