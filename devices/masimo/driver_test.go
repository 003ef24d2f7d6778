package masimo

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

// runLines writes wire to the driver over a pipe and returns its messages
// once it emitted numerics numerics.
func runLines(tb testing.TB, d *Driver, wire string, numerics int) []devices.Message {
	tb.Helper()
	dev, hostEnd := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var msgs []devices.Message
	n := 0
	enough := make(chan struct{})
	emit := func(m devices.Message) {
		mu.Lock()
		defer mu.Unlock()
		if n >= numerics {
			return
		}
		msgs = append(msgs, m)
		if _, ok := m.(*devices.Numeric); ok {
			if n++; n == numerics {
				close(enough)
			}
		}
	}
	go func() { _, _ = io.WriteString(dev, wire) }()
	drvErr := make(chan error, 1)
	go func() { drvErr <- d.Run(ctx, hostEnd, emit) }()
	select {
	case <-enough:
	case err := <-drvErr:
		tb.Fatalf("driver stopped: %v", err)
	case <-time.After(10 * time.Second):
		tb.Fatalf("only %d numerics", n)
	}
	cancel()
	dev.Close()
	hostEnd.Close()
	if err := <-drvErr; !errors.Is(err, context.Canceled) {
		tb.Errorf("Run = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return msgs
}

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
	msgs := runLines(t, &Driver{Now: func() time.Time { return host }, Location: time.UTC}, wire, 10)

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
	msgs := runLines(t, &Driver{DeviceClock: true, Location: time.UTC}, wire, 2)
	want := time.Date(2016, 2, 22, 22, 47, 45, 0, time.UTC)
	for _, m := range msgs {
		if n, ok := m.(*devices.Numeric); ok && !n.Time.Equal(want) {
			t.Errorf("numeric time %v, want the device's %v", n.Time, want)
		}
	}
}
