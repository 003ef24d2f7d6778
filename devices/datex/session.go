package datex

import (
	"fmt"
	"math"
	"time"

	"telewave/devices"
)

// badFrameEvery limits bad-frame events to one per interval.
const badFrameEvery = time.Second

// session turns records into messages; Run's goroutine owns it.
type session struct {
	emit    devices.Emit
	started bool
	waves   map[WaveType]*waveState
	flags   map[string]int16 // last flag per raw code, for events on change
	bad     int              // decoder bad-frame count seen so far
	lastBad time.Time
	badSeen int // bad frames not yet reported in an event
}

// waveState is one announced wave's chunk numbering and clocks.
type waveState struct {
	sig     devices.Signal
	seq     uint64
	host    devices.HostClock
	devBase time.Time // device time of sample devN == 0, zero until known
	devN    int64     // samples since devBase
	gap     bool      // a frame was lost since the last chunk
}

func newSession(emit devices.Emit) *session {
	return &session{emit: emit, waves: map[WaveType]*waveState{}, flags: map[string]int16{}}
}

func (s *session) handle(a arrival) {
	if a.bad > s.bad {
		s.badFrames(a.bad-s.bad, a.at)
		s.bad = a.bad
	}
	if !s.started {
		s.started = true
		s.emit(&devices.DeviceInfo{Protocol: Protocol, Model: "S/5", Firmware: driLevelName(a.r.DriLevel)})
	}
	switch a.r.MainType {
	case MainWave:
		ws, err := Waves(a.r)
		for _, w := range ws {
			s.wave(w, a)
		}
		if err != nil {
			s.badFrames(1, a.at)
		}
	case MainPHDB:
		ps, _, err := PHDBs(a.r)
		for _, p := range ps {
			s.numerics(p, a.at)
		}
		if err != nil {
			s.badFrames(1, a.at)
		}
	}
}

// badFrames marks a gap on every wave and raises at most one event per
// second, counting the frames in between.
func (s *session) badFrames(n int, at time.Time) {
	for _, w := range s.waves {
		w.gap = true
	}
	s.badSeen += n
	if !s.lastBad.IsZero() && at.Sub(s.lastBad) < badFrameEvery {
		return
	}
	s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame,
		Text: fmt.Sprintf("%d bad frame(s) dropped", s.badSeen), Time: at, Priority: devices.Low})
	s.lastBad, s.badSeen = at, 0
}

func (s *session) wave(w WaveData, a arrival) {
	if len(w.Samples) == 0 {
		return
	}
	st := s.waves[w.Type]
	if st == nil {
		st = &waveState{sig: w.Type.Signal()}
		st.host.Period = time.Duration(float64(time.Second) / st.sig.SampleRate)
		s.waves[w.Type] = st
		sig := st.sig
		s.emit(&sig)
	}
	n := len(w.Samples)
	// The record's time is whole seconds; samples are placed one period
	// apart and pulled back to it when they drift by more than 2 s.
	devT := time.Unix(int64(a.r.Time), 0)
	next := st.devBase.Add(time.Duration(math.Round(float64(st.devN) * float64(time.Second) / st.sig.SampleRate)))
	if a.r.Time != 0 && (st.devBase.IsZero() || absDur(next.Sub(devT)) > 2*time.Second) {
		st.devBase, st.devN, next = devT, 0, devT
	}
	// a.at is when the last sample arrived.
	host := st.host.Sample(a.at.Add(-time.Duration(n-1) * st.host.Period))
	st.host.Skip(n - 1)
	c := &devices.Chunk{Signal: st.sig.ID, Seq: st.seq, HostTime: host, Samples: make([]int32, n)}
	if a.r.Time != 0 {
		c.DeviceTime = next
		st.devN += int64(n)
	}
	for i, v := range w.Samples {
		c.Samples[i] = int32(v)
		if v <= FlagLimit {
			c.Flags |= devices.Questionable
		}
	}
	if st.gap {
		c.Flags |= devices.GapBefore
		st.gap = false
	}
	st.seq++
	s.emit(c)
}

func (s *session) numerics(p PHDB, at time.Time) {
	if p.Class() != 0 {
		return // only the basic class is requested
	}
	ns, raws := numerics(p)
	for i, n := range ns {
		n.Time = at
		s.emit(&n)
		s.flagEvent(n, raws[i], at)
	}
}

// flagEvent raises an event when a value becomes under or over range or
// not calibrated, once per change.
func (s *session) flagEvent(n devices.Numeric, v int16, at time.Time) {
	if v > FlagLimit {
		v = 0 // any measurement is the same state
	}
	prev, seen := s.flags[n.RawCode]
	s.flags[n.RawCode] = v
	if seen && prev == v {
		return
	}
	if _, code := FlagStatus(v); code != "" {
		s.emit(&devices.Event{Kind: devices.Technical, Code: code,
			Text: fmt.Sprintf("%s %s", n.Label, FlagName(v)), Time: at, Priority: devices.Low})
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// driLevelName names the interface level a record carries.
func driLevelName(l uint8) string {
	year := map[uint8]string{7: "2001", 8: "2003", 9: "2005", 10: "2009", 11: "2015"}[l]
	if year == "" {
		return fmt.Sprintf("DRI level %d", l)
	}
	return fmt.Sprintf("DRI level %d (%s)", l, year)
}
