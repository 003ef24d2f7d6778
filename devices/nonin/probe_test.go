package nonin

import (
	"context"
	"errors"
	"io"
	"testing"

	"telewave/devices"
	"telewave/devices/contec"
	"telewave/devices/serialport"
)

func TestProbe(t *testing.T) {
	nak := func(ctx context.Context, p io.ReadWriter) error {
		buf := make([]byte, 16)
		for ctx.Err() == nil {
			if n, err := p.Read(buf); err != nil {
				return nil
			} else if n > 0 {
				p.Write([]byte{NAK})
			}
		}
		return nil
	}
	tests := []struct {
		name   string
		format Format
		play   func(ctx context.Context, p io.ReadWriter) error
		yes    bool
	}{
		{"nonin DF7", DF7, (&Simulator{Speed: 1}).Run, true},
		{"nonin DF2", DF2, (&Simulator{Speed: 1}).Run, true},
		{"nonin DF8", DF8, (&Simulator{Speed: 1}).Run, true},
		{"NAK", DF7, nak, false},
		{"contec legacy stream", DF7, (&contec.LegacySimulator{Speed: 1}).Run, false},
		{"contec V7", DF7, (&contec.Simulator{Speed: 1}).Run, false},
		{"silent", DF7, func(ctx context.Context, p io.ReadWriter) error { <-ctx.Done(); return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := &Driver{Format: tt.format}
			p, err := serialport.OpenPTY()
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			port, err := serialport.Open(p.Path, d.Link())
			if err != nil {
				t.Fatal(err)
			}
			defer port.Close()
			ctx, cancel := context.WithCancel(context.Background())
			ctx2, cancelDev := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				stop := devices.ReadInBackground(cancelDev, p.Master, func() { _ = tt.play(ctx2, p.Master) })
				<-ctx.Done()
				stop()
			}()
			err = d.Probe(context.Background(), port)
			cancel()
			<-done
			if tt.yes && err != nil {
				t.Fatalf("Probe = %v, want nil", err)
			}
			if !tt.yes && !errors.Is(err, devices.ErrNotThisDevice) {
				t.Fatalf("Probe = %v, want ErrNotThisDevice", err)
			}
		})
	}
}
