//go:build cgo

package audio

import (
	"testing"
	"time"
)

// miniaudio's null backend runs the real device code paths (context,
// device init, its audio thread, start/stop) without a sound card.
func TestMalgoNullBackendRunsCallbacks(t *testing.T) {
	m, err := OpenMalgo(true)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	outs, err := m.Outputs()
	if err != nil || len(outs) == 0 {
		t.Fatalf("null backend outputs: %v, %v", outs, err)
	}
	l, err := Listen(m, ListenConfig{Rate: 8000, Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	deadline := time.Now().Add(10 * time.Second)
	for l.Stats().Written == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Stats().Written == 0 {
		t.Fatal("the null capture device delivered nothing")
	}
}
