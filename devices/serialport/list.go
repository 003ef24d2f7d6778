package serialport

import (
	"fmt"
	"strings"

	"go.bug.st/serial/enumerator"
)

// PortInfo is one serial port the system lists.
type PortInfo struct {
	Name    string `json:"name"`
	USB     bool   `json:"usb"`
	VID     string `json:"vid,omitempty"` // lower-case hex, as Linux reports it
	PID     string `json:"pid,omitempty"`
	Serial  string `json:"serial,omitempty"`
	Product string `json:"product,omitempty"`
}

// List enumerates serial ports with their USB identity. Ptys are not
// listed by the system; their paths are typed in.
func List() ([]PortInfo, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	out := make([]PortInfo, 0, len(ports))
	for _, p := range ports {
		out = append(out, PortInfo{Name: p.Name, USB: p.IsUSB, VID: strings.ToLower(p.VID),
			PID: strings.ToLower(p.PID), Serial: p.SerialNumber, Product: p.Product})
	}
	return out, nil
}
