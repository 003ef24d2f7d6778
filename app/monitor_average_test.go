package app

import (
	"math"
	"testing"
	"time"

	"telewave/devices"
)

func TestMonitorAveragesSpO2AndPulseRate(t *testing.T) {
	m := NewMonitor()
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	feed := func(at time.Time, code uint32, label string, v float64, st devices.NumericStatus) {
		m.Observe(Envelope{Device: "ox", Msg: &devices.Numeric{Code: code, Label: label, Value: v, Status: st, Time: at}})
	}
	// One value a second alternating 95/97: the big number reads 96.
	for i := range 20 {
		v := 95.0
		if i%2 == 1 {
			v = 97
		}
		feed(t0.Add(time.Duration(i)*time.Second), devices.MDCPulsOximSatO2, "SpO2", v, devices.Valid)
	}
	now := t0.Add(19 * time.Second)
	n, ok := m.Averaged(devices.MDCPulsOximSatO2, now)
	if !ok || math.Abs(n.Value-96) > 0.2 {
		t.Fatalf("averaged SpO2 %.2f, %v; want ≈96", n.Value, ok)
	}
	if raw, _ := m.Numeric(devices.MDCPulsOximSatO2); raw.Value != 97 {
		t.Fatalf("the raw value %.0f changed: want the last one, 97", raw.Value)
	}
	// A fast desaturation shows within the averaging time.
	for i := 20; i < 30; i++ {
		feed(t0.Add(time.Duration(i)*time.Second), devices.MDCPulsOximSatO2, "SpO2", 80, devices.Valid)
	}
	if n, _ := m.Averaged(devices.MDCPulsOximSatO2, t0.Add(29*time.Second)); math.Abs(n.Value-80) > 0.5 {
		t.Fatalf("9 s after a drop to 80 the 8 s average reads %.1f", n.Value)
	}
	// Sensor off restarts the average: the next value stands alone.
	feed(t0.Add(30*time.Second), devices.MDCPulsOximSatO2, "SpO2", 0, devices.Unavailable)
	feed(t0.Add(31*time.Second), devices.MDCPulsOximSatO2, "SpO2", 99, devices.Valid)
	if n, _ := m.Averaged(devices.MDCPulsOximSatO2, t0.Add(31*time.Second)); n.Value != 99 {
		t.Fatalf("after sensor off the average reads %.1f, want the new value 99", n.Value)
	}
	// Other codes pass through.
	feed(t0, devices.MDCECGHeartRate, "HR", 71, devices.Valid)
	if n, ok := m.Averaged(devices.MDCECGHeartRate, t0); !ok || n.Value != 71 {
		t.Fatalf("HR %v %v", n.Value, ok)
	}
	if err := m.SetAveraging(time.Second); err == nil {
		t.Fatal("1 s averaging accepted; oximeters offer 2–16 s")
	}
	if err := m.SetAveraging(4 * time.Second); err != nil || m.Averaging() != 4*time.Second {
		t.Fatalf("SetAveraging(4 s): %v, %v", err, m.Averaging())
	}
}
