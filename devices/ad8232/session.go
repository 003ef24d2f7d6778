package ad8232

import (
	"fmt"
	"time"

	"telewave/devices"
)

// badFrameEvery is the shortest interval between two bad-frame events;
// the bytes skipped in between are reported together.
const badFrameEvery = time.Second

// session turns lines into chunks and events; Run's goroutine owns it.
type session struct {
	emit    devices.Emit
	sig     devices.Signal
	size    int // samples per chunk
	chunk   []int32
	chunkAt time.Time
	flags   devices.ChunkFlags
	seq     uint64
	clock   devices.HostClock
	off     bool      // the last line was "!"
	skipped int       // decoder's skipped bytes already accounted for
	badRun  int       // skipped bytes not yet reported
	badAt   time.Time // last bad-frame event
}

func newSession(sig devices.Signal, size int, emit devices.Emit) *session {
	s := &session{emit: emit, sig: sig, size: size, chunk: make([]int32, 0, size),
		clock: devices.HostClock{Period: time.Duration(float64(time.Second) / sig.SampleRate)}}
	emit(&s.sig)
	return s
}

func (s *session) handle(a arrival) {
	s.badFrames(a)
	// Every line, "!" included, stands for one sample period.
	t := s.clock.Sample(a.at)
	if a.l.LeadsOff {
		if !s.off {
			s.flush()
			s.off = true
			s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventLeadOff,
				Text: "leads off", Time: a.at, Priority: devices.Medium})
		}
		return
	}
	if s.off {
		s.off = false
		s.flags |= devices.GapBefore | devices.LeadOff
		s.emit(&devices.Event{Kind: devices.Technical, Code: EventLeadOn,
			Text: "leads back on", Time: a.at, Priority: devices.Info})
	}
	if len(s.chunk) == 0 {
		s.chunkAt = t
	}
	s.chunk = append(s.chunk, a.l.Value)
	if len(s.chunk) == s.size {
		s.flush()
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
		Text: fmt.Sprintf("%d bytes of bad lines skipped", s.badRun), Time: a.at, Priority: devices.Info})
	s.badRun, s.badAt = 0, a.at
}

// flush emits the samples gathered so far as one chunk.
func (s *session) flush() {
	if len(s.chunk) == 0 {
		return
	}
	s.emit(&devices.Chunk{Signal: s.sig.ID, Seq: s.seq, HostTime: s.chunkAt, Samples: s.chunk, Flags: s.flags})
	s.chunk = make([]int32, 0, s.size)
	s.seq++
	s.flags = 0
}
