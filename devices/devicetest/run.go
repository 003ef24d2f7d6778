package devicetest

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

// RunTimeout is how long Run waits for until to hold.
const RunTimeout = 10 * time.Second

// Run plays sim on the device end of a Pipe and runs drv on the host end
// until until holds for the messages drv emitted so far, then cancels both,
// closes the pipe and returns those messages; later ones are dropped. until
// is called once after each message, with all of them, under a lock, so it
// may keep state across calls. Run fails tb when drv returns first or
// after RunTimeout, and reports an error (other than context.Canceled)
// that sim or drv returned after the cancel.
func Run(tb testing.TB, sim func(ctx context.Context, dev io.ReadWriter) error, drv devices.Driver, until func([]devices.Message) bool) []devices.Message {
	tb.Helper()
	dev, hostEnd := Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var msgs []devices.Message
	enough := make(chan struct{})
	done := false
	emit := func(m devices.Message) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		msgs = append(msgs, m)
		if until(msgs) {
			done = true
			close(enough)
		}
	}
	simErr, drvErr := make(chan error, 1), make(chan error, 1)
	go func() { simErr <- sim(ctx, dev) }()
	go func() { drvErr <- drv.Run(ctx, hostEnd, emit) }()
	stop := func() {
		cancel()
		dev.Close()
		hostEnd.Close()
	}
	select {
	case <-enough:
	case err := <-drvErr:
		stop()
		<-simErr
		tb.Fatalf("driver stopped: %v", err)
	case <-time.After(RunTimeout):
		stop()
		<-simErr
		<-drvErr
		mu.Lock()
		n := len(msgs)
		mu.Unlock()
		tb.Fatalf("timed out after %v with %d messages", RunTimeout, n)
	}
	stop()
	for _, ch := range []chan error{simErr, drvErr} {
		if err := <-ch; err != nil && !errors.Is(err, context.Canceled) {
			tb.Errorf("run: %v", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return msgs
}

// Count returns an until for Run that holds once n messages of type T
// came, such as Count[*devices.Chunk](10).
func Count[T devices.Message](n int) func([]devices.Message) bool {
	return func(msgs []devices.Message) bool {
		c := 0
		for _, m := range msgs {
			if _, ok := m.(T); ok {
				c++
			}
		}
		return c >= n
	}
}

// Chunks returns an until for Run that holds once n chunks of signal came.
func Chunks(signal string, n int) func([]devices.Message) bool {
	return func(msgs []devices.Message) bool {
		c := 0
		for _, m := range msgs {
			if ch, ok := m.(*devices.Chunk); ok && ch.Signal == signal {
				c++
			}
		}
		return c >= n
	}
}

// Send returns a sim for Run that writes wire once and then waits for ctx,
// as a device that went quiet after it.
func Send(wire []byte) func(ctx context.Context, dev io.ReadWriter) error {
	return func(ctx context.Context, dev io.ReadWriter) error {
		if _, err := dev.Write(wire); err != nil {
			return nil // Run closed the pipe first
		}
		<-ctx.Done()
		return ctx.Err()
	}
}
