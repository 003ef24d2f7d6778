package intellivue

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"telewave/devices"
)

func TestProbe(t *testing.T) {
	tests := []struct {
		name    string
		monitor func(ctx context.Context, port net.Conn)
		want    error // nil: positive
	}{
		{"monitor", func(ctx context.Context, p net.Conn) { _ = (&Simulator{}).Run(ctx, p) }, nil},
		{"refusing monitor", func(ctx context.Context, p net.Conn) { _ = (&Simulator{Refuse: true}).Run(ctx, p) }, ErrRefused},
		{"silent port", func(ctx context.Context, p net.Conn) { drain(ctx, p, nil) }, devices.ErrNotThisDevice},
		{"chatty other device", func(ctx context.Context, p net.Conn) {
			drain(ctx, p, []byte("HR=1;80;ECG-II-DIAG;\r\x01\xE0\x85\xB3\x96\xC1\xE1\xFF\xFF"))
		}, devices.ErrNotThisDevice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev, host := net.Pipe()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); tt.monitor(ctx, dev) }()
			start := time.Now()
			pctx, pcancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
			err := NewDriver(nil).Probe(pctx, host)
			pcancel()
			if took := time.Since(start); took > time.Second {
				t.Errorf("probe took %v", took)
			}
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Probe = %v, want %v", err, tt.want)
			}
			cancel()
			dev.Close()
			host.Close()
			<-done
		})
	}
}

// drain reads and discards what the host sends, answering every read
// with reply.
func drain(ctx context.Context, p net.Conn, reply []byte) {
	buf := make([]byte, 512)
	for ctx.Err() == nil {
		if _, err := p.Read(buf); err != nil {
			return
		}
		if reply != nil {
			_, _ = p.Write(reply)
		}
	}
}
