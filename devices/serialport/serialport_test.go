package serialport

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"telewave/devices"
)

func TestPTYRoundTripThroughSerial(t *testing.T) {
	p, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	port, err := Open(p.Path, devices.Link{Baud: 115200, DataBits: 8, StopBits: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	// Every byte value must survive: raw mode, no CR/LF translation, no echo.
	want := make([]byte, 256)
	for i := range want {
		want[i] = byte(i)
	}
	if _, err := p.Master.Write(want); err != nil {
		t.Fatal(err)
	}
	got := readN(t, port, len(want))
	if !bytes.Equal(got, want) {
		t.Fatalf("device→host bytes changed:\n got %x\nwant %x", got, want)
	}

	cmd := []byte{0x7d, 0x81, 0xa1, 0x80, 0x0d, 0x0a, 0x03}
	if _, err := port.Write(cmd); err != nil {
		t.Fatal(err)
	}
	back := make([]byte, len(cmd))
	p.Master.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(p.Master, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, cmd) {
		t.Fatalf("host→device bytes changed: %x", back)
	}
}

func TestReadTimeoutReturnsZeroThenHangupIsAnError(t *testing.T) {
	p, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	port, err := Open(p.Path, devices.Link{Baud: 19200, DataBits: 8, Parity: devices.OddParity, StopBits: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	buf := make([]byte, 16)
	n, err := port.Read(buf)
	if n != 0 || err != nil {
		t.Fatalf("idle read = %d, %v; want 0, nil (timeout)", n, err)
	}
	p.Close() // the device goes away
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err = port.Read(buf); err != nil {
			return
		}
	}
	t.Fatal("read after the pty closed never failed")
}

func TestMasterWriteDeadline(t *testing.T) {
	p, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Nobody reads the slave: the buffer fills and a write with a deadline
	// must return instead of blocking the simulator forever.
	if err := p.Master.SetWriteDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatalf("pty master has no deadlines: %v", err)
	}
	chunk := make([]byte, 4096)
	for i := 0; i < 1000; i++ {
		if _, err = p.Master.Write(chunk); err != nil {
			break
		}
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write error = %v, want deadline exceeded", err)
	}
}

func TestLinkReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "oximeter")
	for _, target := range []string{"/dev/pts/1", "/dev/pts/2"} {
		if err := Link(target, link); err != nil {
			t.Fatal(err)
		}
		got, err := os.Readlink(link)
		if err != nil || got != target {
			t.Fatalf("readlink = %q, %v; want %q", got, err, target)
		}
	}
}

func TestModeRejectsBadLinks(t *testing.T) {
	for _, l := range []devices.Link{{Baud: 0, DataBits: 8, StopBits: 1}, {Baud: 9600, DataBits: 8, StopBits: 3}} {
		if _, err := modeOf(l); err == nil {
			t.Errorf("modeOf(%v) accepted", l)
		}
	}
}

func readN(t *testing.T, r io.Reader, n int) []byte {
	t.Helper()
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		k, err := r.Read(buf[:n-len(out)])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, buf[:k]...)
	}
	return out
}
