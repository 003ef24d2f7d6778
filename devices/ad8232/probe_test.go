package ad8232

import (
	"context"
	"errors"
	"io"
	"math/rand"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

// idlePort feeds data in small pieces, then returns (0, nil) after a
// short wait, as a serial port whose read timed out.
type idlePort struct{ data []byte }

func (p *idlePort) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		time.Sleep(5 * time.Millisecond) // the port's read timeout
		return 0, nil
	}
	n := copy(b[:min(len(b), 5)], p.data)
	p.data = p.data[n:]
	return n, nil
}

func (p *idlePort) Write(b []byte) (int, error) { return len(b), nil }

// noise is an endless stream of seeded random bytes.
type noise struct{ r *rand.Rand }

func (n noise) Read(b []byte) (int, error) {
	n.r.Read(b)
	return len(b), nil
}
func (noise) Write(b []byte) (int, error) { return len(b), nil }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func TestProbe(t *testing.T) {
	lines := func(n int) string { return strings.Repeat("512\r\n", n) }
	tests := []struct {
		name    string
		port    io.ReadWriter
		wantErr error
	}{
		{"cut first line, then ten", &idlePort{data: []byte("2\r\n" + lines(10))}, nil},
		{"leads off lines count", &idlePort{data: []byte("\r\n" + strings.Repeat("!\r\n", 10))}, nil},
		{"nine only", &idlePort{data: []byte("\r\n" + lines(9))}, devices.ErrNotThisDevice},
		{"a bad line breaks the run", &idlePort{data: []byte("\r\n" + lines(6) + "OK\r\n" + lines(6))}, devices.ErrNotThisDevice},
		{"NMEA talker", &idlePort{data: []byte(strings.Repeat("$GPGGA,123519,4807.038,N\r\n", 20))}, devices.ErrNotThisDevice},
		{"silence", &idlePort{}, devices.ErrNotThisDevice},
		{"random bytes", noise{rand.New(rand.NewSource(1))}, devices.ErrNotThisDevice},
		{"closed port", readOnly{eofReader{}}, devices.ErrNotThisDevice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := NewDriver(nil).Probe(ctx, tt.port)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Probe: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestProbeSimulator(t *testing.T) {
	dev, host := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := &Simulator{Speed: 1}
	go func() { done <- s.Run(ctx, dev) }()
	err := NewDriver(nil).Probe(ctx, host)
	cancel()
	dev.Close()
	host.Close()
	if serr := <-done; serr != nil && !errors.Is(serr, context.Canceled) {
		t.Errorf("simulator: %v", serr)
	}
	if err != nil {
		t.Errorf("Probe: %v", err)
	}
}
