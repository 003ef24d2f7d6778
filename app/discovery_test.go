package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"telewave/devices/contec"
	"telewave/devices/datex"
	"telewave/devices/serialport"
)

// A fake system port list around real simulators on ptys: the same
// VID:PID (an FTDI RS-232 adapter) can carry several protocols, and only
// the probe tells which.
func TestDiscoveryProbesNewPortsAndSeesThemGo(t *testing.T) {
	ctx := context.Background()
	ox := startContec(t, "")
	mon, err := Simulate(ctx, datex.Protocol, &datex.Simulator{Speed: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Stop()

	var mu sync.Mutex
	listed := []serialport.PortInfo{
		{Name: ox.Path, USB: true, VID: "10C4", PID: "EA60"}, // upper case, as Windows reports
		{Name: mon.Path, USB: true, VID: "0403", PID: "6001"},
		{Name: "/dev/ttyS0"}, // no USB identity: listed, not probed
	}
	var changes []PortChange
	d := &Discovery{Registry: Registry(),
		List: func() ([]serialport.PortInfo, error) {
			mu.Lock()
			defer mu.Unlock()
			return append([]serialport.PortInfo(nil), listed...), nil
		},
		OnChange: func(c PortChange) { changes = append(changes, c) }}
	d.Poll(ctx)
	got := map[string]DiscoveredPort{}
	for _, p := range d.Ports() {
		got[p.Name] = p
	}
	if p := got[ox.Path]; p.Protocol != contec.Protocol {
		t.Errorf("oximeter port: %+v, want protocol %s", p, contec.Protocol)
	}
	if p := got[mon.Path]; p.Protocol != datex.Protocol || len(p.Candidates) < 2 {
		t.Errorf("monitor port: %+v, want protocol %s among several candidates", p, datex.Protocol)
	}
	if p := got["/dev/ttyS0"]; p.Protocol != "" || len(p.Candidates) != 0 {
		t.Errorf("plain port: %+v", p)
	}
	if len(changes) != 3 {
		t.Fatalf("%d changes after the first poll, want 3", len(changes))
	}

	// Unplug the oximeter.
	mu.Lock()
	listed = listed[1:]
	mu.Unlock()
	d.Poll(ctx)
	if last := changes[len(changes)-1]; !last.Removed || last.Port.Name != ox.Path || len(d.Ports()) != 2 {
		t.Errorf("after unplug: last change %+v, %d ports", last, len(d.Ports()))
	}
	d.Poll(ctx)
	if len(changes) != 4 {
		t.Errorf("a poll without changes reported something: %d changes", len(changes))
	}
}

func TestProbeOfASilentPortGivesUp(t *testing.T) {
	p, err := serialport.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	err = ProbePort(context.Background(), Registry(), nil, p.Path, contec.Protocol, 500*time.Millisecond)
	if err == nil {
		t.Fatal("a silent port probed positive")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("probe of a silent port took %v", took)
	}
}
