package devicetest

import (
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/serialport"
)

// OverPTY is the acceptance form of Conformance: the simulator plays the
// device on the master side of a real pseudo-terminal and the driver reads
// the slave side opened through go.bug.st/serial with its own link
// settings, exactly as the workstation's capture path does. Set h.Seconds
// (e.g. 60) to ask for that much simulated time from every signal; the
// simulator should run faster than real time.
func OverPTY(t *testing.T, h Harness) []devices.Message {
	t.Helper()
	if h.Timeout == 0 {
		h.Timeout = 60 * time.Second
	}
	p, err := serialport.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	port, err := serialport.Open(p.Path, h.Driver.Link())
	if err != nil {
		t.Fatal(err)
	}
	return run(t, h, p.Master, port)
}
