package app

import (
	"time"

	"telewave/devices"
	ppg "telewave/dsp/pleth"
)

// DefaultAveraging is the SpO2 and pulse-rate averaging time the big
// numbers use, as oximeters default to (8 s; 2–16 s may be chosen).
const DefaultAveraging = 8 * time.Second

// averaged are the codes whose big numbers are averaged: oximeters that
// report every beat or every second jitter by a few units, and a
// clinician reads a trend, while alarms still judge every value.
var averaged = map[uint32]bool{devices.MDCPulsOximSatO2: true, devices.MDCPulsOximPulsRt: true}

// observeAverage feeds a numeric into its slot's averager. An unavailable
// value restarts it, so the number shows "--" and then only new values.
func (m *Monitor) observeAverage(slot string, n devices.Numeric) {
	if !averaged[n.Code] {
		return
	}
	key := slot + "/" + n.Label
	a := m.avg[key]
	if a == nil {
		var err error
		if a, err = ppg.NewAverager(m.averaging); err != nil {
			return // averaging is checked by SetAveraging
		}
		m.avg[key] = a
	}
	if n.Status == devices.Unavailable {
		a.Reset()
		return
	}
	a.Add(n.Time, n.Value)
}

// SetAveraging changes the averaging time (2–16 s); the running averages
// start again.
func (m *Monitor) SetAveraging(d time.Duration) error {
	if _, err := ppg.NewAverager(d); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.averaging = d
	clear(m.avg)
	return nil
}

// Averaging returns the averaging time in use.
func (m *Monitor) Averaging() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.averaging
}

// Averaged returns the latest numeric with code from any device, its value
// replaced by the average over the averaging time when code is averaged
// (SpO2, pulse rate). ok is false when there is none.
func (m *Monitor) Averaged(code uint32, now time.Time) (devices.Numeric, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best devices.Numeric
	bestKey := ""
	for k, n := range m.numerics {
		if n.Code == code && (bestKey == "" || n.Time.After(best.Time)) {
			best, bestKey = n, k
		}
	}
	if bestKey == "" {
		return devices.Numeric{}, false
	}
	if a := m.avg[bestKey]; a != nil && best.Status != devices.Unavailable {
		if v, ok := a.Value(now); ok {
			best.Value = v
		}
	}
	return best, true
}
