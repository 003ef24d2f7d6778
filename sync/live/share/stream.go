package share

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"telewave/devices"
	"telewave/sync/live/wire"
)

// Bounds on what waits between two ticks. Reached only when the ticker
// stalls; the oldest is dropped and the next chunk of that signal is
// marked as following a gap.
const (
	maxPendingSamples = 1 << 20
	maxPieceSamples   = 4096 // a chunk longer than this is sent in pieces
	maxNumerics       = 256  // per state frame
	maxStateEvents    = 64   // events per state frame
	maxMarkers        = 64
	// audibleRate separates sound from what is derived from it: an audio
	// signal slower than this (the stethoscope's "pcg-env" envelope at
	// 100 Hz) is not sent; the viewer has the sound itself.
	audibleRate = 1000
)

type sigKey struct{ device, id string }

// sigState is one signal the share has seen.
type sigState struct {
	def       wire.SignalDef
	known     bool // a *Signal described it (else a chunk came first)
	announced bool // its definition went into a state frame
	audio     bool
	skip      bool
	seq       uint64 // next seq on the wire
	pending   []piece
}

// piece is a run of consecutive samples waiting for the next tick.
type piece struct {
	time    time.Time
	flags   devices.ChunkFlags
	samples []int32
}

type numKey struct {
	device, raw, label string
	code               uint32
}

// streamer holds what the hub published and turns it into payloads.
type streamer struct {
	mu         sync.Mutex
	signals    map[sigKey]*sigState
	byHandle   []*sigState // handle-1 → state
	pendingN   int         // samples waiting in all pieces
	numerics   []wire.NumericRec
	latest     map[numKey]wire.NumericRec // for the grant snapshot
	events     []wire.EventRec
	alarms     []wire.AlarmRec
	alarmsNew  bool
	markers    []wire.Marker
	sigChanged []wire.SignalDef // defs to send in the next state frame
	lastState  time.Time
	dropped    atomic.Uint64
}

func newStreamer(now time.Time) *streamer {
	return &streamer{signals: map[sigKey]*sigState{}, latest: map[numKey]wire.NumericRec{}, lastState: now}
}

func (st *streamer) publish(device string, m devices.Message, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch m := m.(type) {
	case *devices.Signal:
		st.signal(device, *m)
	case *devices.Chunk:
		st.chunk(device, m)
	case *devices.Numeric:
		rec := wire.NumericRec{Device: device, Numeric: *m}
		st.latest[numKey{device, m.RawCode, m.Label, m.Code}] = rec
		if len(st.numerics) >= maxNumerics {
			st.numerics = slices.Delete(st.numerics, 0, 1)
		}
		st.numerics = append(st.numerics, rec)
	case *devices.Event:
		if len(st.events) >= maxStateEvents {
			st.events = slices.Delete(st.events, 0, 1)
		}
		st.events = append(st.events, wire.EventRec{Device: device, Event: *m})
	}
}

func (st *streamer) state(device, id string) *sigState {
	k := sigKey{device, id}
	s := st.signals[k]
	if s == nil {
		s = &sigState{def: wire.SignalDef{Handle: uint32(len(st.byHandle) + 1), Device: device,
			Signal: devices.Signal{ID: id, Label: id}}}
		st.signals[k] = s
		st.byHandle = append(st.byHandle, s)
	}
	return s
}

func (st *streamer) signal(device string, sig devices.Signal) {
	s := st.state(device, sig.ID)
	if s.known && s.def.Signal == sig {
		return
	}
	s.known = true
	s.def.Signal = sig
	s.audio = sig.Kind == devices.KindAudio
	s.skip = s.audio && sig.SampleRate < audibleRate
	if s.skip {
		st.pendingN -= samplesIn(s.pending)
		s.pending = nil
		return
	}
	s.announced = true
	st.sigChanged = append(st.sigChanged, s.def)
}

func (st *streamer) chunk(device string, c *devices.Chunk) {
	s := st.state(device, c.Signal)
	if s.skip || len(c.Samples) == 0 {
		return
	}
	if !s.announced { // a chunk before its *Signal: announce a placeholder
		s.announced = true
		st.sigChanged = append(st.sigChanged, s.def)
	}
	// A chunk that follows the last one without a gap joins it: fewer
	// headers and better compression on the wire.
	if n := len(s.pending); n > 0 && c.Flags&devices.GapBefore == 0 && s.pending[n-1].flags&^devices.GapBefore == c.Flags {
		s.pending[n-1].samples = append(s.pending[n-1].samples, c.Samples...)
	} else {
		s.pending = append(s.pending, piece{time: c.HostTime, flags: c.Flags, samples: slices.Clone(c.Samples)})
	}
	st.pendingN += len(c.Samples)
	for st.pendingN > maxPendingSamples {
		st.dropOldest()
	}
}

// dropOldest drops the oldest piece of the signal with the most samples
// waiting, and marks what follows it as after a gap.
func (st *streamer) dropOldest() {
	var big *sigState
	for _, s := range st.byHandle {
		if big == nil || samplesIn(s.pending) > samplesIn(big.pending) {
			big = s
		}
	}
	if big == nil || len(big.pending) == 0 {
		st.pendingN = 0
		return
	}
	st.pendingN -= len(big.pending[0].samples)
	big.pending = slices.Delete(big.pending, 0, 1)
	if len(big.pending) > 0 {
		big.pending[0].flags |= devices.GapBefore
	} else {
		big.seq++ // the viewer sees the gap as a seq jump
	}
	st.dropped.Add(1)
}

func samplesIn(ps []piece) int {
	n := 0
	for _, p := range ps {
		n += len(p.samples)
	}
	return n
}

func (st *streamer) setAlarms(a []wire.AlarmRec) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.alarms = slices.Clone(a)
	if st.alarms == nil {
		st.alarms = []wire.AlarmRec{}
	}
	st.alarmsNew = true
}

func (st *streamer) addMarker(m wire.Marker) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.markers) >= maxMarkers {
		st.markers = slices.Delete(st.markers, 0, 1)
	}
	st.markers = append(st.markers, m)
}

// take is one tick's worth: the chunks of every signal, split into wave
// and audio, each with its seq, and the state frame when one is due
// (nil otherwise). With send false (nobody admitted) it only forgets.
type take struct {
	waves, audio []wire.WaveChunk
	state        *wire.State
}

func (st *streamer) take(now time.Time, send bool) take {
	st.mu.Lock()
	defer st.mu.Unlock()
	var t take
	for _, s := range st.byHandle {
		for _, p := range s.pending {
			if !send {
				continue
			}
			for _, c := range split(s, p) {
				if s.audio {
					t.audio = append(t.audio, c)
				} else {
					t.waves = append(t.waves, c)
				}
			}
		}
		s.pending = nil
	}
	st.pendingN = 0
	if !send {
		st.numerics, st.events, st.markers, st.sigChanged = nil, nil, nil, nil
		st.alarmsNew = false
		return t
	}
	dirty := len(st.numerics) > 0 || len(st.events) > 0 || len(st.markers) > 0 || st.alarmsNew
	// A new signal's definition goes out at once, before its first chunk.
	if len(st.sigChanged) > 0 || (dirty && now.Sub(st.lastState) >= statePeriod) {
		t.state = &wire.State{Time: now.UnixMilli(), Signals: st.sigChanged, Numerics: st.numerics,
			Events: st.events, Markers: st.markers}
		if st.alarmsNew {
			a := st.alarms
			t.state.Alarms = &a
		}
		st.numerics, st.events, st.markers, st.sigChanged = nil, nil, nil, nil
		st.alarmsNew = false
		st.lastState = now
	}
	return t
}

// split cuts a piece into wire chunks of at most maxPieceSamples, each
// with the next seq of its signal.
func split(s *sigState, p piece) []wire.WaveChunk {
	var out []wire.WaveChunk
	rate := s.def.Signal.SampleRate
	for off := 0; off < len(p.samples); off += maxPieceSamples {
		end := min(off+maxPieceSamples, len(p.samples))
		c := wire.WaveChunk{Handle: s.def.Handle, Seq: s.seq, Time: p.time, Flags: p.flags, Samples: p.samples[off:end]}
		if off > 0 {
			c.Flags &^= devices.GapBefore
			if rate > 0 {
				c.Time = p.time.Add(time.Duration(float64(off) / rate * float64(time.Second)))
			}
		}
		s.seq++
		out = append(out, c)
	}
	return out
}

// snapshot is the state a newly admitted viewer starts from: every
// signal, the latest value of every numeric and the current alarms.
func (st *streamer) snapshot(now time.Time) wire.State {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := wire.State{Time: now.UnixMilli()}
	for _, sig := range st.byHandle {
		if sig.announced && !sig.skip {
			s.Signals = append(s.Signals, sig.def)
		}
	}
	for _, n := range st.latest {
		s.Numerics = append(s.Numerics, n)
	}
	slices.SortFunc(s.Numerics, func(a, b wire.NumericRec) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Label, b.Label))
	})
	a := slices.Clone(st.alarms)
	if a == nil {
		a = []wire.AlarmRec{}
	}
	s.Alarms = &a
	return s
}
