package devicetest

import (
	"errors"
	"io"
	"testing"
	"time"

	"telewave/devices"
)

func TestPipeBothWays(t *testing.T) {
	a, b := Pipe()
	go func() { _, _ = a.Write([]byte("ping")) }()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(b, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("b read %q, %v", buf, err)
	}
	go func() { _, _ = b.Write([]byte("pong")) }()
	if _, err := io.ReadFull(a, buf); err != nil || string(buf) != "pong" {
		t.Fatalf("a read %q, %v", buf, err)
	}
	// Closing one end wakes a reader blocked on the other.
	done := make(chan error)
	go func() {
		_, err := b.Read(buf)
		done <- err
	}()
	a.Close()
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Errorf("read after close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("blocked read not woken by close")
	}
}

func TestUCUMUnits(t *testing.T) {
	tests := []struct {
		unit string
		ok   bool
	}{
		{"%", true}, {"/min", true}, {"1", true}, {"uV", true}, {"mm[Hg]", true}, {"Cel", true},
		{"{beats}/min", true}, {"", false}, {"beats per minute", false}, {"bpm ", false},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			if got := ucum.MatchString(tt.unit); got != tt.ok {
				t.Errorf("ucum(%q) = %v", tt.unit, got)
			}
		})
	}
}

func TestDecodedConcatenatesPerSignal(t *testing.T) {
	msgs := []devices.Message{
		&devices.Signal{ID: "a"}, &devices.Chunk{Signal: "a", Samples: []int32{1, 2}},
		&devices.Signal{ID: "b"}, &devices.Chunk{Signal: "b", Samples: []int32{9}},
		&devices.Chunk{Signal: "a", Samples: []int32{3}},
	}
	got, sigs := decoded(msgs)
	if len(sigs) != 2 || len(got["a"]) != 3 || got["a"][2] != 3 || len(got["b"]) != 1 {
		t.Errorf("got %v, %d signals", got, len(sigs))
	}
	if firstDiff([]int32{1, 2}, []int32{1, 2, 3}) != -1 || firstDiff([]int32{1, 5}, []int32{1, 2}) != 1 {
		t.Error("firstDiff")
	}
}
