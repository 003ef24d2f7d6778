package devices

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

var errRejected = errors.New("rejected")

func TestProbeRead(t *testing.T) {
	// found says yes once it has seen "OK" across reads, and fails on "NAK".
	found := func(got *[]byte) func([]byte) (bool, error) {
		return func(b []byte) (bool, error) {
			*got = append(*got, b...)
			if bytes.Contains(*got, []byte("NAK")) {
				return false, errRejected
			}
			return bytes.Contains(*got, []byte("OK")), nil
		}
	}
	tests := []struct {
		name    string
		writes  []string // written, one by one, on the far end of a net.Pipe
		wantErr []error  // errors.Is targets; none: want nil
		notErr  error    // must not match
	}{
		{name: "yes across reads", writes: []string{"xx O", "K yy"}},
		{name: "found fails", writes: []string{"N", "AK"}, wantErr: []error{ErrNotThisDevice, errRejected}},
		{name: "silence", wantErr: []error{ErrNotThisDevice}},
		{name: "garbage", writes: []string{"abc", "def"}, wantErr: []error{ErrNotThisDevice}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, dev := net.Pipe()
			defer port.Close()
			defer dev.Close()
			go func() {
				for _, w := range tt.writes {
					if _, err := dev.Write([]byte(w)); err != nil {
						return
					}
				}
			}()
			var got []byte
			err := ProbeRead(context.Background(), port, 300*time.Millisecond, "test", found(&got))
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("ProbeRead = %v, want nil", err)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("ProbeRead = %v, want it to wrap %v", err, want)
				}
			}
			if err != nil && !strings.HasPrefix(err.Error(), "test probe: ") {
				t.Errorf("error %q does not name the protocol", err)
			}
			// The read deadline ProbeRead used to wake its reader is gone:
			// the port reads again.
			go func() { _, _ = dev.Write([]byte("z")) }()
			buf := make([]byte, 64)
			if _, err := port.Read(buf); err != nil {
				t.Errorf("port read after probe: %v", err)
			}
		})
	}
}

func TestProbeReadPortError(t *testing.T) {
	// A port that fails is no evidence either way: the error is the read's.
	err := ProbeRead(context.Background(), strings.NewReader("abc"), time.Minute, "test",
		func([]byte) (bool, error) { return false, nil })
	if !errors.Is(err, io.EOF) || errors.Is(err, ErrNotThisDevice) {
		t.Fatalf("ProbeRead = %v, want a wrapped io.EOF", err)
	}
}

func TestProbeReadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	port, dev := net.Pipe()
	defer port.Close()
	defer dev.Close()
	err := ProbeRead(ctx, port, time.Minute, "test", func([]byte) (bool, error) { return true, nil })
	if !errors.Is(err, ErrNotThisDevice) {
		t.Fatalf("ProbeRead = %v, want ErrNotThisDevice", err)
	}
}

func TestFeed(t *testing.T) {
	var f Feed
	buf := make([]byte, 4)
	if n, err := f.Read(buf); n != 0 || err != nil {
		t.Fatalf("empty Read = %d, %v; want 0, nil", n, err)
	}
	_, _ = f.Write([]byte("hello"))
	_, _ = f.Write([]byte("!"))
	var got []byte
	for {
		n, err := f.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "hello!" {
		t.Errorf("read %q, want %q", got, "hello!")
	}
}

func TestProbeDeadline(t *testing.T) {
	soon, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ctxDeadline, _ := soon.Deadline()
	tests := []struct {
		name   string
		ctx    context.Context
		wait   time.Duration
		fromCt bool // the deadline is ctx's
	}{
		{name: "wait first", ctx: context.Background(), wait: 30 * time.Millisecond},
		{name: "ctx first", ctx: soon, wait: time.Hour, fromCt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, dev := net.Pipe()
			defer port.Close()
			defer dev.Close()
			before := time.Now()
			deadline, clear := ProbeDeadline(tt.ctx, port, tt.wait)
			if tt.fromCt && !deadline.Equal(ctxDeadline) {
				t.Errorf("deadline %v, want ctx's %v", deadline, ctxDeadline)
			}
			if !tt.fromCt && (deadline.Before(before.Add(tt.wait)) || deadline.After(time.Now().Add(tt.wait))) {
				t.Errorf("deadline %v, want now + %v", deadline, tt.wait)
			}
			if _, err := port.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read before clear = %v, want a deadline error", err)
			}
			clear()
			go func() { _, _ = dev.Write([]byte("z")) }()
			if _, err := port.Read(make([]byte, 1)); err != nil {
				t.Errorf("read after clear: %v", err)
			}
		})
	}
	// A port without deadlines still gets a deadline back and a clear.
	deadline, clear := ProbeDeadline(context.Background(), strings.NewReader(""), time.Second)
	clear()
	if deadline.IsZero() {
		t.Error("zero deadline")
	}
}

func TestDeadlineReader(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Time
		wantErr  error
	}{
		{name: "before", deadline: time.Now().Add(time.Hour)},
		{name: "after", deadline: time.Now().Add(-time.Second), wantErr: os.ErrDeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &DeadlineReader{R: strings.NewReader("abc"), Deadline: tt.deadline}
			n, err := r.Read(make([]byte, 8))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && n != 3) {
				t.Errorf("Read = %d, %v; want err %v", n, err, tt.wantErr)
			}
		})
	}
}
