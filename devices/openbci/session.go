package openbci

import (
	"fmt"
	"time"

	"telewave/devices"
)

// session turns packets into chunks and gap events; Run's goroutine owns it.
type session struct {
	emit    devices.Emit
	sigs    []devices.Signal
	chans   []int // board channel index (0..7) per signal
	chunks  [][]int32
	chunkAt time.Time
	flags   devices.ChunkFlags
	seq     uint64
	clock   devices.HostClock
	last    int // previous sample counter, -1 before the first
}

func newSession(sigs []devices.Signal, chans []int, emit devices.Emit) *session {
	s := &session{emit: emit, sigs: sigs, chans: chans, last: -1, clock: devices.HostClock{Period: time.Second / SampleRate}}
	for i := range sigs {
		s.chunks = append(s.chunks, make([]int32, 0, ChunkSamples))
		emit(&sigs[i])
	}
	return s
}

func (s *session) handle(a arrival) {
	if s.last >= 0 {
		if missed := (int(a.p.Sample) - s.last - 1 + 256) % 256; missed > 0 {
			// Counter jump: the run of samples breaks here. A loss of a
			// multiple of 256 packets cannot be seen from the counter.
			s.flush()
			s.flags |= devices.GapBefore
			s.clock.Skip(missed)
			s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventDataGap,
				Text: fmt.Sprintf("%d packets lost", missed), Time: a.at, Priority: devices.Low})
		}
	}
	s.last = int(a.p.Sample)
	t := s.clock.Sample(a.at)
	if len(s.chunks) == 0 {
		return
	}
	if len(s.chunks[0]) == 0 {
		s.chunkAt = t
	}
	for i, ch := range s.chans {
		s.chunks[i] = append(s.chunks[i], a.p.Channels[ch])
	}
	if len(s.chunks[0]) == ChunkSamples {
		s.flush()
	}
}

// flush emits the samples gathered so far, one chunk per signal.
func (s *session) flush() {
	if len(s.chunks) == 0 || len(s.chunks[0]) == 0 {
		return
	}
	for i := range s.sigs {
		s.emit(&devices.Chunk{Signal: s.sigs[i].ID, Seq: s.seq, HostTime: s.chunkAt, Samples: s.chunks[i], Flags: s.flags})
		s.chunks[i] = make([]int32, 0, ChunkSamples)
	}
	s.seq++
	s.flags = 0
}
