package medibus

import (
	"fmt"
	"math"
	"time"

	"telewave/devices"
)

// chunkSpan is about how much time one chunk covers.
const chunkSpan = 80 * time.Millisecond

// session turns decoded items into messages; Run's goroutine owns it.
type session struct {
	emit           devices.Emit
	started        bool
	info           devices.DeviceInfo
	offered        []RTConfig // the device's realtime configuration
	pendingStreams []RTConfig // chosen, waiting for the configure answer
	streams        []*stream  // stream i+1 of the realtime sets
	known          map[string]*stream
	bad, rtBad     int
	lastBad        time.Time
	badSeen        int
}

// stream is one announced curve.
type stream struct {
	sig     devices.Signal
	seq     uint64
	clock   devices.HostClock
	chunk   []int32
	chunkAt time.Time
	size    int // samples per chunk
	gap     bool
}

func newSession(emit devices.Emit) *session {
	return &session{emit: emit, info: devices.DeviceInfo{Protocol: Protocol}, known: map[string]*stream{}}
}

// begin emits DeviceInfo before anything else.
func (s *session) begin() {
	if !s.started {
		s.started = true
		info := s.info
		s.emit(&info)
	}
}

func (s *session) identify(id DeviceID) {
	if s.started {
		return
	}
	s.info.Model, s.info.Firmware = id.Name, id.Revision
	if s.info.Model == "" {
		s.info.Model = id.ID
	}
	s.begin()
}

func (s *session) event(code, text string, at time.Time) {
	s.begin()
	s.emit(&devices.Event{Kind: devices.Technical, Code: code, Text: text, Time: at, Priority: devices.Low})
}

// configure sets the streams of the realtime sets, announcing curves not
// seen before in this session.
func (s *session) configure(cfgs []RTConfig) {
	s.begin()
	s.flush()
	s.streams = s.streams[:0]
	for _, cfg := range cfgs {
		sig := cfg.Signal()
		st := s.known[sig.ID]
		if st == nil {
			st = &stream{sig: sig, clock: devices.HostClock{Period: cfg.Interval},
				size: max(1, int(math.Round(float64(chunkSpan)/float64(cfg.Interval))))}
			s.known[sig.ID] = st
			announce := sig
			s.emit(&announce)
		}
		s.streams = append(s.streams, st)
	}
}

// gap marks the next chunk of every curve: samples were lost.
func (s *session) gap() {
	s.flush()
	for _, st := range s.known {
		st.gap = true
	}
}

func (s *session) realtime(rt Realtime, at time.Time) {
	if len(s.streams) == 0 {
		return
	}
	k := 0
	for i := range 12 {
		if rt.Mask&(1<<i) == 0 {
			continue
		}
		v := rt.Samples[k]
		k++
		if i >= len(s.streams) {
			continue // a stream the driver did not configure
		}
		st := s.streams[i]
		t := st.clock.Sample(at)
		if len(st.chunk) == 0 {
			st.chunkAt = t
		}
		st.chunk = append(st.chunk, int32(v))
		if len(st.chunk) >= st.size {
			s.flushStream(st)
		}
	}
}

func (s *session) flush() {
	for _, st := range s.known {
		s.flushStream(st)
	}
}

func (s *session) flushStream(st *stream) {
	if len(st.chunk) == 0 {
		return
	}
	c := &devices.Chunk{Signal: st.sig.ID, Seq: st.seq, HostTime: st.chunkAt, Samples: st.chunk}
	if st.gap {
		c.Flags |= devices.GapBefore
		st.gap = false
	}
	st.seq++
	st.chunk = make([]int32, 0, st.size)
	s.emit(c)
}

func (s *session) values(vs []Value, at time.Time) {
	s.begin()
	for _, v := range vs {
		n := v.Numeric(at)
		s.emit(&n)
	}
}

// errors turns the decoder's counts into gaps and rate-limited events.
func (s *session) errors(bad, rtBad int, at time.Time) {
	n := bad - s.bad + rtBad - s.rtBad
	if rtBad > s.rtBad {
		s.gap() // a realtime set was lost
	}
	s.bad, s.rtBad = bad, rtBad
	if n <= 0 {
		return
	}
	s.badSeen += n
	if !s.lastBad.IsZero() && at.Sub(s.lastBad) < time.Second {
		return
	}
	s.event(devices.EventBadFrame, fmt.Sprintf("%d bad frame(s) dropped", s.badSeen), at)
	s.lastBad, s.badSeen = at, 0
}
