package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"telewave/devices"
	"telewave/devices/serialport"
)

// PortLister lists the serial ports the system has (serialport.List).
type PortLister func() ([]serialport.PortInfo, error)

// DiscoveredPort is one listed port and what probing found behind it.
type DiscoveredPort struct {
	serialport.PortInfo
	Candidates []string `json:"candidates"`         // protocols its VID:PID may carry
	Protocol   string   `json:"protocol,omitempty"` // the candidate that answered its probe
	ProbeErr   string   `json:"probe_error,omitempty"`
}

// PortChange is what Discovery reports: a port appeared (probed) or went.
type PortChange struct {
	Port    DiscoveredPort
	Removed bool
}

// Discovery polls the system's serial ports off the UI thread, probes the
// candidate drivers of each new USB port (by VID:PID, case-insensitively)
// and reports ports that appear and disappear: hot-plug without freezing
// anything, since a probe of a silent port takes seconds.
type Discovery struct {
	List     PortLister // nil: serialport.List
	Registry *devices.Registry
	Open     devices.Opener // nil: SerialOpener
	Interval time.Duration  // 0 = 1 s
	// ProbeTimeout bounds one candidate's probe (0 = 3 s).
	ProbeTimeout time.Duration
	// OnChange is called from the poll goroutine; it must not block.
	OnChange func(PortChange)

	mu    sync.Mutex
	ports map[string]DiscoveredPort
}

// Ports returns the ports seen at the last poll, by name.
func (d *Discovery) Ports() []DiscoveredPort {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DiscoveredPort, 0, len(d.ports))
	for _, p := range d.ports {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Serve polls until ctx is done.
func (d *Discovery) Serve(ctx context.Context) error {
	t := time.NewTicker(devices.DurationOr(d.Interval, time.Second))
	defer t.Stop()
	for {
		d.Poll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll lists the ports once, probes new ones and reports the changes.
func (d *Discovery) Poll(ctx context.Context) {
	list := d.List
	if list == nil {
		list = serialport.List
	}
	infos, err := list()
	if err != nil {
		return // a listing failure is transient; the next poll retries
	}
	seen := map[string]bool{}
	for _, info := range infos {
		seen[info.Name] = true
		d.mu.Lock()
		_, known := d.ports[info.Name]
		d.mu.Unlock()
		if known {
			continue
		}
		p := d.probe(ctx, info)
		d.mu.Lock()
		if d.ports == nil {
			d.ports = map[string]DiscoveredPort{}
		}
		d.ports[info.Name] = p
		d.mu.Unlock()
		d.report(PortChange{Port: p})
	}
	d.mu.Lock()
	var gone []DiscoveredPort
	for name, p := range d.ports {
		if !seen[name] {
			gone = append(gone, p)
			delete(d.ports, name)
		}
	}
	d.mu.Unlock()
	for _, p := range gone {
		d.report(PortChange{Port: p, Removed: true})
	}
}

func (d *Discovery) report(c PortChange) {
	if d.OnChange != nil {
		d.OnChange(c)
	}
}

// probe tries each candidate of the port's VID:PID in turn and keeps the
// first whose device answers.
func (d *Discovery) probe(ctx context.Context, info serialport.PortInfo) DiscoveredPort {
	p := DiscoveredPort{PortInfo: info}
	if d.Registry == nil || info.VID == "" {
		return p
	}
	p.Candidates = d.Registry.Candidates(info.VID, info.PID)
	var errs []error
	for _, name := range p.Candidates {
		err := ProbePort(ctx, d.Registry, d.Open, info.Name, name, devices.DurationOr(d.ProbeTimeout, 3*time.Second))
		if err == nil {
			p.Protocol = name
			return p
		}
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		p.ProbeErr = errors.Join(errs...).Error()
	}
	return p
}

// ProbePort opens path with protocol's link settings and asks its driver
// whether its device is there.
func ProbePort(ctx context.Context, reg *devices.Registry, open devices.Opener, path, protocol string, timeout time.Duration) error {
	drv, err := reg.Driver(protocol)
	if err != nil {
		return err
	}
	pr, ok := drv.(devices.Prober)
	if !ok {
		return fmt.Errorf("probe %s on %s: the driver cannot probe", protocol, path)
	}
	if open == nil {
		open = SerialOpener
	}
	port, err := open(path, drv.Link())
	if err != nil {
		return fmt.Errorf("probe %s: %w", protocol, err)
	}
	defer port.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pr.Probe(ctx, port) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		port.Close() // wakes a probe blocked in Read
		err = <-done
		if err == nil {
			err = ctx.Err()
		}
	}
	if err != nil {
		return fmt.Errorf("probe %s on %s: %w", protocol, path, err)
	}
	return nil
}
