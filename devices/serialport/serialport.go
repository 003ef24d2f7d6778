// Package serialport opens serial ports through go.bug.st/serial with a
// device's link settings, and makes pseudo-terminals that stand in for
// devices in the simulators and the tests.
package serialport

import (
	"fmt"
	"time"

	"go.bug.st/serial"

	"telewave/devices"
)

// ReadTimeout bounds one Read so that a driver regains control regularly:
// on timeout Read returns (0, nil), as go.bug.st/serial does.
const ReadTimeout = 200 * time.Millisecond

// Port is an open serial port.
type Port struct {
	serial.Port
	path string
}

// Path returns the path the port was opened with.
func (p *Port) Path() string { return p.path }

// Open opens path with the link settings of the device expected there.
// Hardware handshake is not settable through go.bug.st/serial v1.8 and a
// pty refuses modem lines anyway, so RTS/CTS is left as the library sets
// it (off); the protocols that need it still work over a pty.
func Open(path string, link devices.Link) (*Port, error) {
	mode, err := modeOf(link)
	if err != nil {
		return nil, fmt.Errorf("open port %s: %w", path, err)
	}
	p, err := serial.Open(path, mode)
	if err != nil {
		return nil, fmt.Errorf("open port %s: %w", path, err)
	}
	if err := p.SetReadTimeout(ReadTimeout); err != nil {
		p.Close()
		return nil, fmt.Errorf("set read timeout on %s: %w", path, err)
	}
	return &Port{Port: p, path: path}, nil
}

func modeOf(l devices.Link) (*serial.Mode, error) {
	m := &serial.Mode{BaudRate: l.Baud, DataBits: l.DataBits}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	switch l.Parity {
	case devices.NoParity:
		m.Parity = serial.NoParity
	case devices.OddParity:
		m.Parity = serial.OddParity
	case devices.EvenParity:
		m.Parity = serial.EvenParity
	default:
		return nil, fmt.Errorf("parity %v not supported", l.Parity)
	}
	switch l.StopBits {
	case 0, 1:
		m.StopBits = serial.OneStopBit
	case 2:
		m.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("%d stop bits not supported", l.StopBits)
	}
	if l.Baud <= 0 {
		return nil, fmt.Errorf("baud rate %d", l.Baud)
	}
	return m, nil
}
