package nonin

import (
	"fmt"
	"time"

	"telewave/devices"
)

// session turns frames into messages; it is owned by Run's goroutine.
type session struct {
	f       Format
	emit    devices.Emit
	started bool
	sig     devices.Signal
	clock   devices.HostClock
	asm     Assembler
	chunk   []int32
	chunkAt time.Time
	flags   devices.ChunkFlags
	seq     uint64
	skipped int
	badAt   time.Time
	// conditions as last reported, for events on their edges
	sensorOff, artifact, oot, lowBatt, critBatt, fault bool
}

func newSession(f Format, emit devices.Emit) *session {
	period := time.Second / FrameRate
	if f == DF8 {
		period = time.Second
	}
	return &session{f: f, emit: emit, sig: PlethSignal(f), clock: devices.HostClock{Period: period}}
}

func (s *session) handle(a arrival) {
	if !s.started {
		s.started = true
		info := devices.DeviceInfo{Protocol: Protocol, Model: s.f.String()}
		s.emit(&info)
		if s.f != DF8 {
			sig := s.sig
			s.emit(&sig)
		}
		s.skipped = a.skipped // bytes before the first frame are no loss
	}
	t := s.clock.Sample(a.at)
	if a.skipped > s.skipped {
		s.flags |= devices.GapBefore
		s.badFrame(t, fmt.Sprintf("%d bytes skipped", a.skipped-s.skipped))
		s.skipped = a.skipped
	}
	if s.f == DF8 {
		s.df8(a.fr, t)
		return
	}
	fr := a.fr
	if len(s.chunk) == 0 {
		s.chunkAt = t
	}
	s.chunk = append(s.chunk, int32(fr.Pleth))
	if fr.Status&StatusSNSD != 0 {
		s.flags |= devices.LeadOff
	}
	if fr.Status&(StatusARTF|StatusOOT) != 0 {
		s.flags |= devices.Questionable
	}
	if len(s.chunk) == ChunkSamples {
		s.emit(&devices.Chunk{Signal: s.sig.ID, Seq: s.seq, HostTime: s.chunkAt, Samples: s.chunk, Flags: s.flags})
		s.seq++
		s.chunk, s.flags = make([]int32, 0, ChunkSamples), 0
	}
	p, complete, lost := s.asm.Add(fr)
	if lost {
		s.flags |= devices.GapBefore
		s.badFrame(t, "packet cut short: frames missing")
	}
	if !complete {
		return
	}
	s.edges(t, p.Status&StatusSNSD != 0, p.Status&StatusARTF != 0, p.Status&StatusOOT != 0,
		p.Stat2&Stat2LowBattery != 0, false, false)
	for _, n := range PacketNumerics(p) {
		n.Time = t
		s.emit(&n)
	}
}

func (s *session) df8(fr Frame, t time.Time) {
	s.edges(t, fr.Status&DF8SNSD != 0, fr.Status&DF8Artifact != 0, fr.Status&DF8OOT != 0,
		fr.Status2&DF8LowBattery != 0, fr.Status2&DF8CriticalBattery != 0, fr.Status2&DF8SensorFault != 0)
	for _, n := range DF8Numerics(fr) {
		n.Time = t
		s.emit(&n)
	}
}

// badFrame raises EventBadFrame at most once a second.
func (s *session) badFrame(t time.Time, text string) {
	if !s.badAt.IsZero() && t.Sub(s.badAt) < time.Second {
		return
	}
	s.badAt = t
	s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame, Text: text, Time: t, Priority: devices.Info})
}

// edges raises an event for each condition that began (and sensor-on when
// the sensor came back).
func (s *session) edges(t time.Time, sensorOff, artifact, oot, lowBatt, critBatt, fault bool) {
	ev := func(code, text string, p devices.Priority) {
		s.emit(&devices.Event{Kind: devices.Technical, Code: code, Text: text, Time: t, Priority: p})
	}
	switch {
	case sensorOff && !s.sensorOff:
		ev(devices.EventSensorOff, "sensor disconnected", devices.Low)
	case !sensorOff && s.sensorOff:
		ev(devices.EventSensorOn, "sensor connected", devices.Low)
	}
	if fault && !s.fault {
		ev(EventSensorFault, "sensor fault", devices.Medium)
	}
	if oot && !s.oot {
		ev(EventOutOfTrack, "out of track: no consecutive good pulses", devices.Low)
	}
	if artifact && !s.artifact {
		ev(EventArtifact, "artifact detected", devices.Info)
	}
	if lowBatt && !s.lowBatt {
		ev(EventLowBattery, "low battery", devices.Medium)
	}
	if critBatt && !s.critBatt {
		ev(EventCriticalBattery, "critical battery: the device is about to turn off", devices.High)
	}
	s.sensorOff, s.artifact, s.oot, s.lowBatt, s.critBatt, s.fault = sensorOff, artifact, oot, lowBatt, critBatt, fault
}
