package app

import (
	"context"
	"fmt"

	"telewave/devices"
)

// Discover runs d for the workstation: a newly plugged port whose probe
// named a protocol is attached as a device slot, or, when it is a device the
// workstation already knows (same USB serial number) that came back under
// another path, its slot moves there. Unplugging needs nothing here: the
// slot's supervisor marks the gap and resumes once the port is back.
func (w *Workstation) Discover(d *Discovery) {
	prev := d.OnChange
	d.OnChange = func(c PortChange) {
		if prev != nil {
			prev(c)
		}
		w.portChanged(c)
	}
	w.mu.Lock()
	w.discovery = d
	ctx := w.ctx
	w.mu.Unlock()
	if ctx != nil {
		w.goServe(func() { d.Serve(ctx) })
	}
}

// Ports returns what discovery saw at its last poll (nil without one).
func (w *Workstation) Ports() []DiscoveredPort {
	w.mu.Lock()
	d := w.discovery
	w.mu.Unlock()
	if d == nil {
		return nil
	}
	return d.Ports()
}

func (w *Workstation) portChanged(c PortChange) {
	if c.Removed {
		w.alarm(devices.Event{Kind: devices.Technical, Code: "port-removed", Priority: devices.Info, Time: w.cfg.Now(),
			Text: fmt.Sprintf("port %s unplugged", c.Port.Name)})
		return
	}
	if c.Port.Protocol == "" {
		return
	}
	w.mu.Lock()
	for _, spec := range w.specs {
		if spec.Path == c.Port.Name {
			w.mu.Unlock()
			return // the supervisor reopens it by itself
		}
	}
	for i, spec := range w.specs {
		if c.Port.Serial != "" && spec.USBSerial == c.Port.Serial && spec.Driver.Protocol() == c.Port.Protocol {
			w.specs[i].Path = c.Port.Name
			s := w.sups[spec.Slot]
			w.mu.Unlock()
			s.SetPath(c.Port.Name)
			return
		}
	}
	w.mu.Unlock()
	drv, err := Registry().Driver(c.Port.Protocol)
	if err != nil {
		return
	}
	slot := w.freeSlot(c.Port.Protocol)
	if err := w.AddDevice(DeviceSpec{Slot: slot, Driver: drv, Path: c.Port.Name, USBSerial: c.Port.Serial}); err != nil {
		w.report(err)
	}
}

func (w *Workstation) freeSlot(protocol string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	slot := protocol
	for n := 2; w.sups[slot] != nil; n++ {
		slot = fmt.Sprintf("%s-%d", protocol, n)
	}
	return slot
}

// serveDiscovery starts discovery with the workstation when it was set
// before Start.
func (w *Workstation) serveDiscovery(ctx context.Context) {
	w.mu.Lock()
	d := w.discovery
	w.mu.Unlock()
	if d != nil {
		w.goServe(func() { d.Serve(ctx) })
	}
}
