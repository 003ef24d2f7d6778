package contec

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// LegacyProtocol is the registry name of the legacy 5-byte stream.
const LegacyProtocol = "contec-legacy"

// EventProbeError is raised when a legacy oximeter reports a probe fault.
const EventProbeError = "probe-error"

// LegacyDriver reads a CMS50 that speaks the legacy one-way 5-byte stream.
// It sends nothing: the device streams as soon as it is on. Its signal and
// numerics are those of the V7.0 Driver (same pleth Signal, same MDC codes),
// so the rest of the workstation cannot tell the two apart.
type LegacyDriver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
}

var (
	_ devices.Driver = (*LegacyDriver)(nil)
	_ devices.Prober = (*LegacyDriver)(nil)
)

// NewLegacyDriver returns a legacy driver using the given clock (nil for
// time.Now).
func NewLegacyDriver(now func() time.Time) *LegacyDriver { return &LegacyDriver{Now: now} }

// Protocol returns "contec-legacy".
func (d *LegacyDriver) Protocol() string { return LegacyProtocol }

// Link returns 19200 8O1.
func (d *LegacyDriver) Link() devices.Link {
	return devices.Link{Baud: 19200, DataBits: 8, Parity: devices.OddParity, StopBits: 1}
}

// legacyArrival is a packet, when its last byte was read, and how many
// bytes the decoder had skipped by then.
type legacyArrival struct {
	p       LegacyPacket
	at      time.Time
	skipped int
}

// Run reads the stream until ctx is done or the port fails. Cancel ctx and
// close the port to stop it; ports with read deadlines stop on cancel alone.
func (d *LegacyDriver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	packets := make(chan legacyArrival, 64)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		dec := NewLegacyDecoder(port)
		devices.Forward(ctx, dec.Next, ErrNoData, func(p LegacyPacket) (legacyArrival, bool) {
			return legacyArrival{p, now(), dec.Skipped()}, true
		}, packets, readErr)
	})
	defer stop()

	s := newLegacySession(emit)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("contec legacy driver: %w", err))
		case a := <-packets:
			s.handle(a)
		}
	}
}

// legacySession turns packets into messages; it is owned by Run's goroutine.
type legacySession struct {
	emit     devices.Emit
	started  bool
	clock    devices.HostClock
	chunk    []int32
	chunkAt  time.Time
	flags    devices.ChunkFlags
	seq      uint64
	n        int64 // packets seen
	sensorIn bool  // finger in and probe fine, as last seen
	probeErr bool
	skipped  int       // decoder's skipped count at the last packet
	badAt    time.Time // last bad-frame event
}

func newLegacySession(emit devices.Emit) *legacySession {
	return &legacySession{emit: emit, sensorIn: true, clock: devices.HostClock{Period: time.Second / LiveRate}}
}

func (s *legacySession) handle(a legacyArrival) {
	if !s.started {
		s.started = true
		info, sig := devices.DeviceInfo{Protocol: LegacyProtocol}, PlethSignal
		s.emit(&info)
		s.emit(&sig)
		s.skipped = a.skipped // bytes before the first packet are not a loss
	}
	t := s.clock.Sample(a.at)
	if a.skipped > s.skipped {
		// No counter in this protocol: skipped bytes are the only sign of
		// lost packets.
		s.flags |= devices.GapBefore
		if s.badAt.IsZero() || t.Sub(s.badAt) >= time.Second {
			s.badAt = t
			s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame, Time: t, Priority: devices.Info,
				Text: fmt.Sprintf("%d bytes skipped", a.skipped-s.skipped)})
		}
		s.skipped = a.skipped
	}
	p := a.p
	if len(s.chunk) == 0 {
		s.chunkAt = t
	}
	s.chunk = append(s.chunk, int32(p.Pleth))
	if p.FingerOut || p.ProbeError {
		s.flags |= devices.LeadOff
	}
	if p.Searching {
		s.flags |= devices.Questionable
	}
	if len(s.chunk) == ChunkSamples {
		s.emit(&devices.Chunk{Signal: PlethSignal.ID, Seq: s.seq, HostTime: s.chunkAt, Samples: s.chunk, Flags: s.flags})
		s.seq++
		s.chunk, s.flags = make([]int32, 0, ChunkSamples), 0
	}

	if p.ProbeError && !s.probeErr {
		s.emit(&devices.Event{Kind: devices.Technical, Code: EventProbeError, Text: "probe error", Time: t, Priority: devices.Medium})
	}
	s.probeErr = p.ProbeError
	changed := p.FingerOut == s.sensorIn
	if changed {
		s.sensorIn = !p.FingerOut
		code, text := devices.EventSensorOn, "finger back in the probe"
		if p.FingerOut {
			code, text = devices.EventSensorOff, "finger out of the probe"
		}
		s.emit(&devices.Event{Kind: devices.Technical, Code: code, Text: text, Time: t, Priority: devices.Low})
	}
	// As the V7 driver: once a second of device time and at once when the
	// finger comes out or goes back.
	if s.n%LiveRate == 0 || changed {
		for _, n := range LegacyNumerics(p) {
			n.Time = t
			s.emit(&n)
		}
	}
	s.n++
}

// LegacyNumerics returns the numerics a legacy packet carries (SpO2 and
// PR, with the V7 driver's codes, labels and units) without a time.
// Invalid values, a finger out or a probe error make them unavailable;
// a device still searching makes them questionable.
func LegacyNumerics(p LegacyPacket) []devices.Numeric {
	status := func(invalid bool) devices.NumericStatus {
		switch {
		case invalid || p.FingerOut || p.ProbeError:
			return devices.Unavailable
		case p.Searching:
			return devices.QuestionableValue
		}
		return devices.Valid
	}
	return []devices.Numeric{
		{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: float64(p.SpO2), Unit: "%", Status: status(p.SpO2 == LegacyNoSpO2)},
		{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: float64(p.PR), Unit: "/min", Status: status(p.PR == LegacyNoPR)},
	}
}
