package devices

import (
	"errors"
	"net"
	"testing"
	"time"
)

func TestWriteBurstDropsWhenNobodyReads(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	start := time.Now()
	n, err := WriteBurst(a, []byte("hello"), 50*time.Millisecond)
	if !errors.Is(err, ErrDropped) || n != 0 {
		t.Fatalf("n=%d err=%v, want 0 and ErrDropped", n, err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	// The deadline is cleared: a later write with a reader goes through.
	done := make(chan []byte)
	go func() {
		buf := make([]byte, 5)
		_, _ = b.Read(buf)
		done <- buf
	}()
	if _, err := WriteBurst(a, []byte("again"), time.Second); err != nil {
		t.Fatal(err)
	}
	if got := string(<-done); got != "again" {
		t.Errorf("read %q", got)
	}
}

func TestInterruptRead(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	errc := make(chan error)
	go func() {
		_, err := a.Read(make([]byte, 1))
		errc <- err
	}()
	clear, ok := InterruptRead(a)
	if !ok {
		t.Fatal("net.Pipe supports deadlines")
	}
	// The read may start after the deadline was set; either way it ends.
	select {
	case err := <-errc:
		if err == nil {
			t.Error("read returned no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read not interrupted")
	}
	clear()
}
