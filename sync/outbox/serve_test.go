package outbox

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a deadline passes.
func waitFor(tb testing.TB, cond func() bool) {
	tb.Helper()
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			tb.Fatal("condition not met within 5 s")
		case <-tick.C:
		}
	}
}

// serve runs d.Serve and returns a stop function that cancels and waits.
func serve(tb testing.TB, d *Drainer) (stop func() error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx) }()
	stopped := false
	var result error
	stop = func() error {
		if stopped {
			return result
		}
		stopped = true
		cancel()
		select {
		case result = <-done:
		case <-time.After(5 * time.Second):
			tb.Fatal("Serve did not return within 5 s of cancel")
		}
		return result
	}
	tb.Cleanup(func() { _ = stop() })
	return stop
}

func TestServeDrainsAtStartAndOnKick(t *testing.T) {
	q := newMemQueue(1)
	s := &fakeSender{}
	d := newDrainer(q, s, &fakeClock{t: t0})
	d.Interval = time.Hour // only a Kick can wake it
	stop := serve(t, d)
	waitFor(t, func() bool { return len(s.sent()) == 1 })

	q.add(2)
	d.Kick()
	d.Kick() // a second kick while one is pending must not block
	waitFor(t, func() bool { return len(s.sent()) == 2 })
	if err := stop(); err != nil {
		t.Fatalf("Serve returned %v, want nil on cancel", err)
	}
	if st := d.Status(); st.Sent != 2 || !st.Online {
		t.Errorf("status %+v, want 2 sent and online", st)
	}
}

func TestServeTicks(t *testing.T) {
	q := newMemQueue()
	s := &fakeSender{}
	d := newDrainer(q, s, &fakeClock{t: t0})
	d.Interval = 5 * time.Millisecond
	serve(t, d)
	q.add(1)
	waitFor(t, func() bool { return len(s.sent()) == 1 })
}

func TestServeStopsOnCancelDuringSend(t *testing.T) {
	q := newMemQueue(1)
	s := &fakeSender{block: true}
	d := newDrainer(q, s, &fakeClock{t: t0})
	stop := serve(t, d)
	waitFor(t, func() bool { return len(s.sent()) == 1 })
	if err := stop(); err != nil {
		t.Fatalf("Serve returned %v, want nil", err)
	}
}

func TestServeProbesWhileOffline(t *testing.T) {
	q := newMemQueue(1)
	s := &fakeSender{}
	d := newDrainer(q, s, &fakeClock{t: t0})
	d.Interval = 2 * time.Millisecond
	online := make(chan struct{})
	probes := make(chan struct{}, 100)
	d.Probe = func(context.Context) error {
		select {
		case probes <- struct{}{}:
		default:
		}
		select {
		case <-online:
			return nil
		default:
			return errors.New("no route to host")
		}
	}
	serve(t, d)
	for range 3 {
		select {
		case <-probes:
		case <-time.After(5 * time.Second):
			t.Fatal("no probe while offline")
		}
	}
	if len(s.sent()) != 0 {
		t.Fatal("sent while the probe said offline")
	}
	if st := d.Status(); st.Online || st.LastError != "no route to host" {
		t.Errorf("status %+v, want offline with the probe's error", st)
	}
	close(online)
	waitFor(t, func() bool { return len(s.sent()) == 1 })
}
