package ads1298

import (
	"fmt"
	"time"

	"telewave/devices"
)

// badFrameEvery is the shortest interval between two bad-frame events;
// the bytes skipped in between are reported together.
const badFrameEvery = time.Second

// session turns packets into chunks and events; Run's goroutine owns it.
type session struct {
	emit    devices.Emit
	sigs    []devices.Signal
	chunks  [len(Leads)][]int32
	flags   [len(Leads)]devices.ChunkFlags
	chunkAt time.Time
	seq     uint64
	clock   devices.HostClock
	started bool
	last    uint32    // previous packet counter
	off     Electrode // electrodes off in the previous packet
	skipped int       // decoder's skipped bytes already accounted for
	badRun  int       // skipped bytes not yet reported
	badAt   time.Time // last bad-frame event
}

func newSession(emit devices.Emit) *session {
	s := &session{emit: emit, sigs: Signals(), clock: devices.HostClock{Period: time.Second / SampleRate}}
	for i := range s.sigs {
		s.chunks[i] = make([]int32, 0, ChunkSamples)
		emit(&s.sigs[i])
	}
	return s
}

func (s *session) handle(a arrival) {
	s.badFrames(a)
	if s.started {
		if missed := a.p.Counter - s.last - 1; missed != 0 {
			s.gap(a, missed)
		}
	}
	s.started, s.last = true, a.p.Counter
	s.leadOff(a)
	t := s.clock.Sample(a.at)
	if len(s.chunks[0]) == 0 {
		s.chunkAt = t
	}
	for i, v := range Derive(a.p.Channels) {
		s.chunks[i] = append(s.chunks[i], v)
	}
	if len(s.chunks[0]) == ChunkSamples {
		s.flush()
	}
}

// gap breaks the run of samples at a counter jump.
func (s *session) gap(a arrival, missed uint32) {
	s.flush()
	for i := range s.flags {
		s.flags[i] |= devices.GapBefore
	}
	text := fmt.Sprintf("%d packets lost", missed)
	if missed < 1<<20 {
		s.clock.Skip(int(missed))
	} else {
		text = fmt.Sprintf("packet counter jumped from %d to %d (board restarted?)", s.last, a.p.Counter)
	}
	s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventDataGap, Text: text, Time: a.at, Priority: devices.Low})
}

// leadOff raises events when electrodes come off or back on, and flags
// the current chunk of every lead that depends on an electrode now off.
func (s *session) leadOff(a arrival) {
	off := a.p.ElectrodesOff()
	if gone := off &^ s.off; gone != 0 {
		s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventLeadOff,
			Text: "electrode off: " + gone.String(), Time: a.at, Priority: devices.Medium})
	}
	if back := s.off &^ off; back != 0 {
		s.emit(&devices.Event{Kind: devices.Technical, Code: EventLeadOn,
			Text: "electrode back on: " + back.String(), Time: a.at, Priority: devices.Info})
	}
	s.off = off
	if off == 0 {
		return
	}
	for i, l := range Leads {
		if l.Electrodes&off != 0 {
			s.flags[i] |= devices.LeadOff
		}
	}
}

// badFrames reports skipped bytes, at most once per badFrameEvery.
func (s *session) badFrames(a arrival) {
	s.badRun += a.skipped - s.skipped
	s.skipped = a.skipped
	if s.badRun == 0 || (!s.badAt.IsZero() && a.at.Sub(s.badAt) < badFrameEvery) {
		return
	}
	s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame,
		Text: fmt.Sprintf("%d bytes of garbage or broken frames skipped", s.badRun), Time: a.at, Priority: devices.Info})
	s.badRun, s.badAt = 0, a.at
}

// flush emits the samples gathered so far, one chunk per lead.
func (s *session) flush() {
	if len(s.chunks[0]) == 0 {
		return
	}
	for i := range s.sigs {
		s.emit(&devices.Chunk{Signal: s.sigs[i].ID, Seq: s.seq, HostTime: s.chunkAt, Samples: s.chunks[i], Flags: s.flags[i]})
		s.chunks[i] = make([]int32, 0, ChunkSamples)
		s.flags[i] = 0
	}
	s.seq++
}
