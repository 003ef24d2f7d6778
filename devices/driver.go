package devices

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Parity of a serial link.
type Parity int

// Parities.
const (
	NoParity Parity = iota
	OddParity
	EvenParity
)

// String returns "N", "O" or "E" as in "8N1".
func (p Parity) String() string {
	switch p {
	case OddParity:
		return "O"
	case EvenParity:
		return "E"
	}
	return "N"
}

// Link holds a device's serial settings. A pty ignores the baud rate, so the
// simulators pace themselves; the settings are still applied so that the same
// code drives a real cable.
type Link struct {
	Baud     int
	DataBits int
	Parity   Parity
	StopBits int  // 1 or 2
	RTSCTS   bool // hardware handshake; ptys refuse it, so it is best effort
}

// String renders the link as "115200 8N1".
func (l Link) String() string {
	s := fmt.Sprintf("%d %d%s%d", l.Baud, l.DataBits, l.Parity, l.StopBits)
	if l.RTSCTS {
		s += " RTS/CTS"
	}
	return s
}

// Driver speaks one protocol over an open port: it answers the device where
// the protocol is two-way (start commands, keep-alives, polls) and emits
// messages. Run returns when the port fails or ctx is done; the caller
// cancels a blocked read by closing the port.
type Driver interface {
	Protocol() string
	Link() Link
	Run(ctx context.Context, port io.ReadWriter, emit Emit) error
}

// ErrUnknownProtocol is returned by the registry for a name it does not know.
var ErrUnknownProtocol = errors.New("unknown protocol")

// Prober is implemented by drivers that can tell, from a freshly opened
// port, whether their device is behind it: discovery probes each candidate
// of a port's VID:PID in turn and keeps the first that answers. Probe must
// return within about 3 s, leave the device as it found it where it can
// (stop a stream it started), and return nil only on positive evidence
// (a valid reply or at least two valid frames), never on silence.
type Prober interface {
	Probe(ctx context.Context, port io.ReadWriter) error
}

// ErrNotThisDevice is what Probe wraps when the port answered, or stayed
// silent, in a way that rules its protocol out.
var ErrNotThisDevice = errors.New("not this device")
