package app

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"telewave/devices"
	ppg "telewave/dsp/pleth"
)

// DeviceStatus is what the screen shows of one device slot.
type DeviceStatus struct {
	Slot     string
	Protocol string
	Port     string
	Info     devices.DeviceInfo
	State    devices.ConnState
	Err      string
	Since    time.Time
	Gaps     int    // reconnects and packet gaps seen
	Chunks   uint64 // waveform chunks received
	// Drift compares the device's clock with the host's, from the chunks
	// that carry a device time (zero for devices without a clock).
	Drift devices.DriftEstimate
}

// Monitor keeps the latest state of every device, numeric and event for
// the screen. It is fed from the hub and read by the ui at a few hertz.
type Monitor struct {
	mu       sync.Mutex
	devices  map[string]*DeviceStatus
	numerics map[string]devices.Numeric // by slot + label
	drift    map[string]*devices.Drift
	events   []devices.Event
	signals  []SlotSignal // as last declared, in order of first declaration

	averaging time.Duration
	avg       map[string]*ppg.Averager // by slot + label, for averaged codes
}

// SlotSignal is a signal description with the slot it came from.
type SlotSignal struct {
	Slot string
	devices.Signal
}

// Signals returns every signal the devices have declared, as last
// declared: what a late subscriber (a share) needs to scale samples.
func (m *Monitor) Signals() []SlotSignal {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]SlotSignal(nil), m.signals...)
}

// SlotNumeric is a numeric with the slot it came from.
type SlotNumeric struct {
	Slot string
	devices.Numeric
}

// NewMonitor returns an empty monitor.
func NewMonitor() *Monitor {
	return &Monitor{devices: map[string]*DeviceStatus{}, numerics: map[string]devices.Numeric{}, drift: map[string]*devices.Drift{},
		averaging: DefaultAveraging, avg: map[string]*ppg.Averager{}}
}

// Declare makes a slot known before its first message.
func (m *Monitor) Declare(slot, protocol, port string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.slot(slot).Protocol, m.slot(slot).Port = protocol, port
}

func (m *Monitor) slot(name string) *DeviceStatus {
	d := m.devices[name]
	if d == nil {
		d = &DeviceStatus{Slot: name, State: devices.Connecting}
		m.devices[name] = d
	}
	return d
}

// Observe takes one hub message.
func (m *Monitor) Observe(e Envelope) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.slot(e.Device)
	switch v := e.Msg.(type) {
	case *devices.State:
		if v.State != d.State {
			d.Since = v.Time
		}
		d.State, d.Port, d.Err = v.State, v.Port, v.Err
	case *devices.Signal:
		i := slices.IndexFunc(m.signals, func(s SlotSignal) bool { return s.Slot == e.Device && s.ID == v.ID })
		if i < 0 {
			m.signals = append(m.signals, SlotSignal{Slot: e.Device, Signal: *v})
		} else {
			m.signals[i].Signal = *v
		}
	case *devices.DeviceInfo:
		d.Info = *v
		d.Protocol = v.Protocol
	case *devices.Numeric:
		m.numerics[e.Device+"/"+v.Label] = *v
		m.observeAverage(e.Device, *v)
	case *devices.Chunk:
		d.Chunks++
		if v.Flags&devices.GapBefore != 0 {
			d.Gaps++
		}
		if !v.DeviceTime.IsZero() {
			dr := m.drift[e.Device]
			if dr == nil {
				dr = &devices.Drift{}
				m.drift[e.Device] = dr
			}
			dr.Add(v.DeviceTime, v.HostTime)
			d.Drift = dr.Estimate()
		}
	case *devices.Event:
		if v.Code == EventBeat {
			break // beats are not "the last event" on the screen
		}
		m.events = append(m.events, *v)
		if len(m.events) > 100 {
			m.events = m.events[len(m.events)-100:]
		}
	}
}

// Devices returns the device slots in name order.
func (m *Monitor) Devices() []DeviceStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]DeviceStatus, 0, len(m.devices))
	for _, d := range m.devices {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot < out[j].Slot })
	return out
}

// Numeric returns the latest numeric with an MDC code from any device.
func (m *Monitor) Numeric(code uint32) (devices.Numeric, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best devices.Numeric
	found := false
	for _, n := range m.numerics {
		if n.Code == code && (!found || n.Time.After(best.Time)) {
			best, found = n, true
		}
	}
	return best, found
}

// Numerics returns the latest value of every numeric of every device, known
// codes and unknown ones alike, by slot and label.
func (m *Monitor) Numerics() []SlotNumeric {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SlotNumeric, 0, len(m.numerics))
	for k, n := range m.numerics {
		slot, _, _ := strings.Cut(k, "/")
		out = append(out, SlotNumeric{Slot: slot, Numeric: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Slot != out[j].Slot {
			return out[i].Slot < out[j].Slot
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// Events returns the most recent events, newest last.
func (m *Monitor) Events() []devices.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]devices.Event(nil), m.events...)
}
