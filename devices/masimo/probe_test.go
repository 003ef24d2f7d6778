package masimo

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
	tests := []struct {
		name string
		play func(ctx context.Context, p io.ReadWriter) error
		yes  bool
	}{
		{"masimo", (&Simulator{Speed: 1}).Run, true},
		{"contec legacy stream", (&contec.LegacySimulator{Speed: 1}).Run, false},
		{"text that is not ASCII 1", func(ctx context.Context, p io.ReadWriter) error {
			for ctx.Err() == nil {
				if _, err := io.WriteString(p, "hello world\r\nSPO2=98\r\n"); err != nil {
					return nil
				}
				<-ctx.Done()
			}
			return nil
		}, false},
		{"silent", func(ctx context.Context, p io.ReadWriter) error { <-ctx.Done(); return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := NewDriver(nil)
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
			done := make(chan error, 1)
			go func() { done <- tt.play(ctx, p.Master) }()
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
