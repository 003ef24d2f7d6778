package ads1298

import (
	"context"
	"errors"
	"io"
	"math/rand"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

// idlePort returns (0, nil) after a short wait, as a serial port whose
// read timed out, and feeds data (if any) in small pieces first.
type idlePort struct{ data []byte }

func (p *idlePort) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		time.Sleep(5 * time.Millisecond) // the port's read timeout
		return 0, nil
	}
	n := copy(b[:min(len(b), 7)], p.data)
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

func TestProbe(t *testing.T) {
	frames := func(counters ...uint32) []byte {
		var b []byte
		for _, c := range counters {
			b = AppendFrame(b, samplePacket(c))
		}
		return b
	}
	tests := []struct {
		name    string
		port    io.ReadWriter
		wantErr error
	}{
		{"two consecutive frames after garbage", &idlePort{data: append([]byte("boot\r\n"), frames(41, 42)...)}, nil},
		{"counter wraps", &idlePort{data: frames(1<<32-1, 0)}, nil},
		{"silence", &idlePort{}, devices.ErrNotThisDevice},
		{"one frame only", &idlePort{data: frames(5)}, devices.ErrNotThisDevice},
		{"frames not consecutive", &idlePort{data: frames(1, 3, 5, 7)}, devices.ErrNotThisDevice},
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

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Probing the simulator over a pipe finds it; with every other packet lost
// it does not.
func TestProbeSimulator(t *testing.T) {
	for _, tt := range []struct {
		name string
		sim  *Simulator
		ok   bool
	}{
		{"streaming", &Simulator{Speed: 1}, true},
		{"every other packet lost", &Simulator{Drop: func(n uint64) bool { return n%2 == 1 }}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dev, host := devicetest.Pipe()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tt.sim.Run(ctx, dev) }()
			pctx, pcancel := context.WithTimeout(ctx, 300*time.Millisecond)
			err := NewDriver(nil).Probe(pctx, host)
			pcancel()
			cancel()
			dev.Close()
			host.Close()
			if serr := <-done; serr != nil && !errors.Is(serr, context.Canceled) {
				t.Errorf("simulator: %v", serr)
			}
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, devices.ErrNotThisDevice)) {
				t.Errorf("Probe: %v, want ok %v", err, tt.ok)
			}
		})
	}
}
