package masimo

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "masimo"

// Events this driver raises besides the core ones and the EXC events.
const (
	EventAlarm     = "alarm"
	EventException = "exception"
)

// Driver reads ASCII 1 lines: numerics once a second, EXC bits as events,
// ALARM changes as physiological events. It sends nothing.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Location is the zone of the device clock (nil: time.Local).
	Location *time.Location
	// DeviceClock stamps numerics with the line's own date and time
	// instead of the host's arrival time. Off by default: a monitor's clock
	// is often never set, and numerics would land in the wrong place.
	DeviceClock bool
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a driver using the given clock (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "masimo".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 9600 8N1.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 9600, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

type arrival struct {
	l   Line
	at  time.Time
	bad int // the decoder's bad-line count
}

// Run reads lines until ctx is done or the port fails. Cancel ctx and close
// the port to stop it.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	lines := make(chan arrival, 16)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		dec := NewDecoder(port, d.Location)
		devices.Forward(ctx, dec.Next, ErrNoData, func(l Line) (arrival, bool) {
			return arrival{l, now(), dec.BadLines()}, true
		}, lines, readErr)
	})
	defer stop()
	s := &session{emit: emit, deviceClock: d.DeviceClock}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("masimo driver: %w", err))
		case a := <-lines:
			s.handle(a)
		}
	}
}

type session struct {
	emit        devices.Emit
	deviceClock bool
	started     bool
	bad         int
	badAt       time.Time
	exc, alarm  uint32
	exc1        string
}

func (s *session) handle(a arrival) {
	t := a.at
	if s.deviceClock {
		t = a.l.Time
	}
	if !s.started {
		s.started = true
		sn, _ := a.l.Get("SN")
		s.emit(&devices.DeviceInfo{Protocol: Protocol, Serial: sn})
		s.bad = a.bad // lines cut before the first are no loss
	}
	if a.bad > s.bad {
		if s.badAt.IsZero() || a.at.Sub(s.badAt) >= time.Second {
			s.badAt = a.at
			s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame, Time: t, Priority: devices.Info,
				Text: fmt.Sprintf("%d lines did not parse", a.bad-s.bad)})
		}
		s.bad = a.bad
	}
	s.events(a.l, t)
	for _, n := range LineNumerics(a.l) {
		n.Time = t
		s.emit(&n)
	}
}

func (s *session) events(l Line, t time.Time) {
	ev := func(kind devices.EventKind, code, text string, p devices.Priority) {
		s.emit(&devices.Event{Kind: kind, Code: code, Text: text, Time: t, Priority: p})
	}
	exc := l.Hex("EXC")
	rose := exc &^ s.exc
	named := ExcSET
	for _, e := range excEvents {
		named |= e.bit
		if rose&e.bit != 0 {
			ev(devices.Technical, e.code, e.text, e.prio)
		}
	}
	if other := rose &^ named; other != 0 {
		ev(devices.Technical, EventException, excText(other), devices.Info)
	}
	off := ExcNoSensor | ExcSensorOff
	if s.exc&off != 0 && exc&off == 0 {
		ev(devices.Technical, devices.EventSensorOn, "sensor back on", devices.Low)
	}
	s.exc = exc
	if alarm := l.Hex("ALARM"); alarm != s.alarm {
		s.alarm = alarm
		if alarm != 0 {
			ev(devices.Physiological, EventAlarm, fmt.Sprintf("alarm flags %04X", alarm), devices.Medium)
		}
	}
	if exc1, _ := l.Get("EXC1"); exc1 != s.exc1 {
		s.exc1 = exc1
		if v := l.Hex("EXC1"); v != 0 {
			ev(devices.Technical, EventException, "EXC1="+exc1, devices.Info)
		}
	}
}
