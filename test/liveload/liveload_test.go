package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary be the relay child too: run re-executes
// the program it is in.
func TestMain(m *testing.M) {
	if isChild(os.Args) {
		if err := serveChild(os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString("liveload relay: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestShortLoad is the load acceptance in small: 20 shares × 2 viewers
// for 10 s through a relay child, every frame at every viewer, in order.
func TestShortLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s of load; skipped with -short")
	}
	var out bytes.Buffer
	sum, err := run(context.Background(), options{Shares: 20, Viewers: 2, Duration: 10 * time.Second, Sample: 2 * time.Second}, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK || sum.FramesLost != 0 || sum.OutOfOrder != 0 {
		t.Fatalf("failures: %v", sum.Failures)
	}
	// 20 shares: 250 ticks of wave each, audio for 5 of them, a state a second.
	const ticks = 250
	wantSent := uint64(20*ticks + 5*ticks + 20*(ticks/25))
	if sum.FramesSent != wantSent || sum.FramesReceived != 2*wantSent {
		t.Errorf("sent %d received %d, want %d and %d", sum.FramesSent, sum.FramesReceived, wantSent, 2*wantSent)
	}
	if sum.Relay.RSSFirstMiB <= 0 || sum.Relay.FramesOut < float64(2*wantSent) {
		t.Errorf("relay figures missing: %+v", sum.Relay)
	}
}

func TestOptionsBounded(t *testing.T) {
	for _, o := range []options{
		{Shares: 0, Viewers: 2, Duration: time.Minute, Sample: time.Second},
		{Shares: 1, Viewers: 0, Duration: time.Minute, Sample: time.Second},
		{Shares: 1, Viewers: 2, Duration: 16 * time.Minute, Sample: time.Second},
		{Shares: 1, Viewers: 2, Duration: time.Millisecond, Sample: time.Second},
		{Shares: 1, Viewers: 2, Duration: time.Minute, Sample: 0},
	} {
		if _, err := run(context.Background(), o, &bytes.Buffer{}); err == nil {
			t.Errorf("%+v ran", o)
		}
	}
}

func TestFrameBody(t *testing.T) {
	for _, tc := range []struct {
		class byte
		size  int
	}{{1, waveSize}, {2, audioSize}, {3, stateSize}} {
		f := appendFrame(nil, tc.class, tc.size, 9, 42)
		if len(f) != tc.size || f[0] != 1 || f[1] != tc.class {
			t.Fatalf("class %d: %d bytes, header % x", tc.class, len(f), f[:2])
		}
		b, err := readBody(f)
		if err != nil || b.seq != 42 || b.class != tc.class || b.sent <= 0 {
			t.Fatalf("class %d: body %+v, %v", tc.class, b, err)
		}
	}
	if _, err := readBody(make([]byte, 20)); err == nil {
		t.Error("a short frame read")
	}
}
