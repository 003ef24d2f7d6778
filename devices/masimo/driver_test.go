package masimo

import (
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func TestDriverEvents(t *testing.T) {
	lines := []string{
		"01/05/24 08:00:00 SN=ABC123 SPO2=097% BPM=072 ALARM=0000 EXC=000800",
		"01/05/24 08:00:01 SN=ABC123 SPO2=---% BPM=--- ALARM=0000 EXC=000820",
		"01/05/24 08:00:02 SN=ABC123 SPO2=---% BPM=--- ALARM=0000 EXC=000821",
		"garbage that is no line",
		"01/05/24 08:00:03 SN=ABC123 SPO2=088% BPM=130 ALARM=0001 EXC=001014",
		"01/05/24 08:00:04 SN=ABC123 SPO2=096% BPM=071 ALARM=0000 EXC=000800 EXC1=000010",
	}
	wire := strings.Join(lines, "\r\n") + "\r\n"
	host := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	msgs := devicetest.Run(t, devicetest.Send([]byte(wire)), &Driver{Now: func() time.Time { return host }, Location: time.UTC}, devicetest.Count[*devices.Numeric](10))

	info, ok := msgs[0].(*devices.DeviceInfo)
	if !ok || info.Serial != "ABC123" || info.Protocol != Protocol {
		t.Fatalf("first message %#v", msgs[0])
	}
	var events []string
	var statuses []devices.NumericStatus
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Event:
			events = append(events, m.Code)
		case *devices.Numeric:
			statuses = append(statuses, m.Status)
			if !m.Time.Equal(host) {
				t.Errorf("numeric time %v, want the host's %v", m.Time, host)
			}
		}
	}
	want := []string{
		devices.EventSensorOff,                          // 020
		devices.EventSensorOff,                          // 001 added
		devices.EventBadFrame,                           // the garbage line
		"low-perfusion", "interference", EventException, // 004, 010, 1000
		devices.EventSensorOn, // 001 and 020 cleared
		EventAlarm,            // ALARM 0001
		EventException,        // EXC1
	}
	if !equal(events, want) {
		t.Errorf("events\n%v, want\n%v", events, want)
	}
	wantSt := []devices.NumericStatus{0, 0, 2, 2, 2, 2, 1, 1, 0, 0}
	if !equal(statuses, wantSt) {
		t.Errorf("statuses %v, want %v", statuses, wantSt)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDriverDeviceClock(t *testing.T) {
	wire := "02/22/16 22:47:45 SPO2=098% BPM=097\r\n"
	msgs := devicetest.Run(t, devicetest.Send([]byte(wire)), &Driver{DeviceClock: true, Location: time.UTC}, devicetest.Count[*devices.Numeric](2))
	want := time.Date(2016, 2, 22, 22, 47, 45, 0, time.UTC)
	for _, m := range msgs {
		if n, ok := m.(*devices.Numeric); ok && !n.Time.Equal(want) {
			t.Errorf("numeric time %v, want the device's %v", n.Time, want)
		}
	}
}
