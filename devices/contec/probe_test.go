package contec

import (
	"context"
	"errors"
	"io"
	"testing"

	"telewave/devices"
	"telewave/devices/serialport"
)

// Each simulator is probed by both probes through a real pty, opened with
// the probing driver's own link settings; only the right probe says yes. A
// pty ignores baud and parity, so the bytes arrive either way and the
// probes must tell the protocols apart by content.
func TestProbeTellsTheProtocolsApart(t *testing.T) {
	type device struct {
		name string
		run  func(ctx context.Context, port io.ReadWriter) error
	}
	devs := []device{
		{"v7", func(ctx context.Context, p io.ReadWriter) error { return (&Simulator{Speed: 1}).Run(ctx, p) }},
		{"legacy", func(ctx context.Context, p io.ReadWriter) error { return (&LegacySimulator{Speed: 1}).Run(ctx, p) }},
		{"silent", discardUntil},
	}
	probers := []struct {
		name   string
		driver interface {
			devices.Driver
			devices.Prober
		}
	}{
		{"v7", NewDriver(nil)},
		{"legacy", NewLegacyDriver(nil)},
	}
	for _, dev := range devs {
		for _, pr := range probers {
			t.Run(dev.name+" probed as "+pr.name, func(t *testing.T) {
				t.Parallel()
				err := probeOverPTY(t, pr.driver, dev.run)
				if dev.name == pr.name {
					if err != nil {
						t.Fatalf("Probe = %v, want nil", err)
					}
					return
				}
				if !errors.Is(err, devices.ErrNotThisDevice) {
					t.Fatalf("Probe = %v, want ErrNotThisDevice", err)
				}
			})
		}
	}
}

// discardUntil plays a device that never answers.
func discardUntil(ctx context.Context, p io.ReadWriter) error {
	ctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, p, func() { discard(ctx, p, errc) })
	<-ctx.Done()
	stop()
	return ctx.Err()
}

// probeOverPTY runs play on a pty's master and d's Probe on its slave,
// opened with d's link settings.
func probeOverPTY(tb testing.TB, d interface {
	devices.Driver
	devices.Prober
}, play func(ctx context.Context, port io.ReadWriter) error) error {
	tb.Helper()
	p, err := serialport.OpenPTY()
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	port, err := serialport.Open(p.Path, d.Link())
	if err != nil {
		tb.Fatal(err)
	}
	defer port.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- play(ctx, p.Master) }()
	err = d.Probe(context.Background(), port)
	cancel()
	<-done
	return err
}

// The V7 probe asks only for the version, so a V7 device is left idle.
func TestProbeLeavesV7Idle(t *testing.T) {
	s := &Simulator{Speed: 1}
	if err := probeOverPTY(t, NewDriver(nil), func(ctx context.Context, p io.ReadWriter) error {
		err := s.Run(ctx, p)
		if s.Streaming() {
			t.Error("simulator streaming after the probe")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
