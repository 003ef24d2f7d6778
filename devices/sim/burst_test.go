package sim

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"telewave/devices"
)

type failWriter struct{}

var errBroken = errors.New("broken")

func (failWriter) Write([]byte) (int, error) { return 0, errBroken }

func TestBurstWrite(t *testing.T) {
	burst := func() *Burst {
		b := &Burst{}
		for i, s := range []string{"aaa", "bbb", "ccc"} {
			b.Append([]byte(s))
			b.Mark(map[string][]int32{"x": {int32(i)}}, []devices.Numeric{{Label: s}})
		}
		b.Append([]byte("tail")) // no mark: carries nothing
		return b
	}
	tests := []struct {
		name     string
		readMax  int // bytes the far end of a net.Pipe reads; < 0: a bytes.Buffer
		fail     bool
		wantErr  error
		wantSent []int32
	}{
		{name: "all out", readMax: -1, wantSent: []int32{0, 1, 2}},
		{name: "cut short", readMax: 5, wantSent: []int32{0}},
		{name: "nothing read", readMax: 0},
		{name: "port error", fail: true, wantErr: errBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var port io.Writer
			switch {
			case tt.fail:
				port = failWriter{}
			case tt.readMax < 0:
				port = &bytes.Buffer{}
			default:
				a, b := net.Pipe()
				defer a.Close()
				defer b.Close()
				if tt.readMax > 0 {
					go func() { _, _ = io.ReadFull(b, make([]byte, tt.readMax)) }()
				}
				port = a
			}
			var log Log
			err := burst().Write(port, 50*time.Millisecond, &log)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Write = %v, want %v", err, tt.wantErr)
			}
			if got := log.Sent()["x"]; !slices.Equal(got, tt.wantSent) {
				t.Errorf("sent %v, want %v", got, tt.wantSent)
			}
			if got := len(log.Numerics()); got != len(tt.wantSent) {
				t.Errorf("%d numerics logged, want %d", got, len(tt.wantSent))
			}
		})
	}
	// No log: nothing to record, the write still happens.
	var buf bytes.Buffer
	if err := burst().Write(&buf, time.Second, nil); err != nil || buf.String() != "aaabbbccctail" {
		t.Errorf("Write without log = %v, wrote %q", err, buf.String())
	}
	if err := (&Burst{}).Write(failWriter{}, time.Second, nil); err != nil {
		t.Errorf("empty burst wrote: %v", err)
	}
}
