package devices

import (
	"fmt"
	"sort"
	"strings"
)

// Factory makes a driver with its default settings.
type Factory func() Driver

// Registry maps protocol names to drivers and USB VID:PID pairs to the
// protocols worth probing behind them. A VID:PID names the cable's chip,
// not the device, so one pair may list several candidates.
type Registry struct {
	drivers map[string]Factory
	usb     map[string][]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{drivers: map[string]Factory{}, usb: map[string][]string{}}
}

// Register adds a protocol and the USB VID:PID pairs ("10c4:ea60") its
// devices are known to ship with.
func (r *Registry) Register(name string, f Factory, vidpids ...string) {
	r.drivers[name] = f
	for _, v := range vidpids {
		k := strings.ToLower(v)
		r.usb[k] = append(r.usb[k], name)
	}
}

// Driver returns a new driver for a protocol name.
func (r *Registry) Driver(name string) (Driver, error) {
	f, ok := r.drivers[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownProtocol, name, strings.Join(r.Names(), ", "))
	}
	return f(), nil
}

// Names lists the registered protocols in order.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.drivers))
	for n := range r.drivers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Candidates returns the protocols to probe for a USB VID:PID, compared
// case-insensitively (Linux reports lower case, Windows upper case).
func (r *Registry) Candidates(vid, pid string) []string {
	return r.usb[strings.ToLower(vid+":"+pid)]
}
