package medibus

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// interleave is how many ASCII bytes the simulator slips in after each
// realtime set while curves stream, so that frames arrive cut up as they
// do from a device.
const interleave = 6

// Simulator behaves like a Dräger ventilator on Medibus: it answers ICC,
// NOP, device identification, measured values (24), the realtime
// configuration (53), configure (54) and stop (55); sends its own requests
// now and then and wants them answered; drops the link after LinkTimeout
// without traffic; and streams pressure and flow curves of a patient
// breathing at Breaths /min once they are switched on. Curves are paced in
// real time (times Speed) because a pty has no baud rate.
type Simulator struct {
	// Values gives the measured values at source time t; nil: DefaultValues.
	Values  func(t time.Duration) []Value
	Breaths float64    // per minute; 0 = 15
	ID      DeviceID   // answer to 52; zero: an Evita 4
	Curves  []RTConfig // the realtime configuration offered; nil: DefaultCurves
	// LinkTimeout drops the link when the host sent nothing valid, or left
	// the device's own request unanswered, for this long (0 = 5 s).
	LinkTimeout time.Duration
	// Requests is how often the device asks something itself (0 = 3 s;
	// negative: never).
	Requests time.Duration
	Now      func() time.Time
	Speed    float64 // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often the simulator writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps the curves' counts and the measured values written
	// whole, for Sent and Numerics.
	Record bool

	linkUp atomic.Bool
	log    sim.Log
}

// DefaultCurves is what the simulated ventilator offers: airway pressure,
// flow and volume every 16 ms.
var DefaultCurves = []RTConfig{
	{Code: 0x00, Interval: 16 * time.Millisecond, Min: -20, Max: 100, MaxBin: 0xFF0},
	{Code: 0x01, Interval: 16 * time.Millisecond, Min: -150, Max: 150, MaxBin: 0xFF0},
	{Code: 0x03, Interval: 16 * time.Millisecond, Min: 0, Max: 2000, MaxBin: 0xFF0},
}

// DefaultValues is a ventilated adult: pressures, volumes, rate, FiO2,
// and CO2 production (09), a code the driver has no mapping for.
func DefaultValues(t time.Duration) []Value {
	w := math.Sin(2 * math.Pi * t.Seconds() / 60)
	f := func(format string, v float64) string { return fmt.Sprintf(format, v) }
	return []Value{
		{0x7D, f("%4.0f", 20+2*w)}, {0x73, f("%4.0f", 10+w)}, {0x74, f("%4.0f", 18+w)},
		{0x78, "   5"}, {0x71, "   4"}, {0xB9, f("%4.1f", 7.5+0.5*w)}, {0x88, f("%4.0f", 500+20*w)},
		{0xD6, "  15"}, {0xF0, "  40"}, {0x09, " 180"}, {0xB5, "----"},
	}
}

// LinkUp reports whether the host has opened the link with ICC and kept
// it alive.
func (s *Simulator) LinkUp() bool { return s.linkUp.Load() }

// Sent returns, by signal ID, the counts of every realtime set fully
// written so far (only with Record set).
func (s *Simulator) Sent() map[string][]int32 { return s.log.Sent() }

// Numerics returns every measured value of the responses fully written so
// far, in order, times zero (only with Record set).
func (s *Simulator) Numerics() []devices.Numeric { return s.log.Numerics() }

func (s *Simulator) curves() []RTConfig {
	if s.Curves == nil {
		return DefaultCurves
	}
	return s.Curves
}

// Run serves the port until ctx is done or the port fails. A Read blocked
// on a port without read deadlines ends only when the caller closes the
// port; Run waits for it, so cancel ctx and close the port.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	st := &vent{s: s, now: now, interval: s.curves()[0].Interval}
	st.pacer = sim.NewPacer(float64(time.Second)/float64(st.interval), s.Speed, now)
	st.lastAsk, st.lastICC = now(), now()
	writeTimeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)

	ctx, cancel := context.WithCancel(ctx)
	items := make(chan Item, 64)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(ctx, NewDecoder(port).Next, ErrNoData, func(it Item) (Item, bool) { return it, true }, items, readErr)
	})
	defer func() {
		stop()
		s.linkUp.Store(false)
	}()
	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	always := make(chan time.Time)
	close(always)
	for {
		tick := ticker.C
		if s.Speed <= 0 && st.enabled != 0 {
			tick = always
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("medibus simulator: %w", err))
		case it := <-items:
			st.handle(it)
			if st.enabled == 0 {
				if err := s.write(port, st.assemble(0), writeTimeout); err != nil {
					return devices.OrCanceled(ctx, err)
				}
			}
		case <-tick:
			st.housekeeping()
			n := 0
			if st.up {
				n = st.pacer.Due()
			}
			if err := s.write(port, st.assemble(n), writeTimeout); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}

// write sends a burst and logs, with Record set, what went out whole.
func (s *Simulator) write(port io.Writer, b *sim.Burst, timeout time.Duration) error {
	var log *sim.Log
	if s.Record {
		log = &s.log
	}
	if err := b.Write(port, timeout, log); err != nil {
		return fmt.Errorf("medibus simulator write: %w", err)
	}
	return nil
}
