package datex

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// recordRate is how many wave records the simulated monitor sends per
// second; each carries the samples of its 100 ms.
const recordRate = 10

// Simulator answers numerics and wave requests like an S/5 monitor: it
// sends PHDB records at the requested interval and the requested waves at
// their rates, paced in real time (times Speed) because a pty has no baud
// rate. Scripts take the source time since Run started, so they do not
// depend on pacing. The zero value is a stable adult: HR 72, SpO2 97 %,
// an arterial line, NIBP, one temperature, CO2 and an anaesthetic agent.
type Simulator struct {
	ECG   sim.Source // mV, any rate (resampled to 300 Hz); nil: synthetic at 72 /min
	Pleth sim.Source // 0..1, any rate (resampled to 100 Hz); nil: synthetic at 72 /min
	// Values fills the basic-class groups for source time t; nil:
	// DefaultValues.
	Values func(t time.Duration, p *PHDB)
	// Flag may replace a value by a flag (FlagInvalid, FlagOverRange…) at
	// source time t; it gets the value's raw code ("basic.spo2.spo2") and
	// returns 0 to leave the value alone.
	Flag     func(t time.Duration, rawCode string) int16
	DriLevel uint8     // 0 = 10 (2009)
	Start    time.Time // device clock at source time 0; zero: Now() when Run starts
	Now      func() time.Time
	Speed    float64 // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps the samples and numerics of every record written whole,
	// for Sent and Numerics.
	Record bool

	log sim.Log
}

// Sent returns, by signal ID, the samples of every wave record fully
// written so far (only with Record set).
func (s *Simulator) Sent() map[string][]int32 { return s.log.Sent() }

// Numerics returns every numeric of the PHDB records fully written so far,
// in the order the driver emits them, times zero (only with Record set).
func (s *Simulator) Numerics() []devices.Numeric { return s.log.Numerics() }

// DefaultValues is the zero Simulator's patient, with slow drifts so that
// successive records differ.
func DefaultValues(t time.Duration, p *PHDB) {
	sec := t.Seconds()
	wob := func(period float64) float64 { return math.Sin(2 * math.Pi * sec / period) }
	on := GroupExists | GroupActive
	set := func(g int, vals ...int16) {
		if BasicGroups[g].Header {
			p.Groups[g].Status = on
		}
		copy(p.Groups[g].Values, vals)
	}
	hr := int16(72 + math.Round(3*wob(60)))
	set(GroupECG, hr, 10, -5, 2, 14)
	set(GroupECGExtra, hr, 80, 65)
	set(GroupP1, int16(12000+math.Round(400*wob(45))), 7800, 9200, hr)
	p.Groups[GroupP1].Label = 1
	set(GroupNIBP, 11800, 7600, 9000, hr)
	set(GroupT1, int16(3680+math.Round(10*wob(120))))
	set(GroupSpO2, int16(9700+math.Round(100*wob(30))), hr, 250, FlagInvalid)
	set(GroupCO2, 510, 20, 12, 7600)
	set(GroupAA, 110, 130, 105)
}

// newPHDB returns a basic-class PHDB with every group absent and every
// value invalid.
func newPHDB() PHDB {
	p := PHDB{Groups: make([]Group, len(BasicGroups))}
	for i, g := range BasicGroups {
		p.Groups[i].Values = make([]int16, len(g.Fields))
		for j := range p.Groups[i].Values {
			p.Groups[i].Values[j] = FlagInvalid
		}
	}
	return p
}

// simState is what the requests have switched on.
type simState struct {
	phdbType     byte
	phdbInterval time.Duration // 0: off
	nextPHDB     time.Duration
	waves        []*waveGen
	waveTick     int64 // records since the waves started
	tick         int64 // source ticks of 100 ms since Run started
	nbr          uint8
}

func (st *simState) active() bool { return st.phdbInterval > 0 || len(st.waves) > 0 }

// Run serves the port until ctx is done or the port fails. A Read blocked
// on a port without read deadlines ends only when the caller closes the
// port; Run waits for it, so cancel ctx and close the port.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	start := s.Start
	if start.IsZero() {
		start = now().Truncate(time.Second)
	}
	writeTimeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)
	pacer := sim.NewPacer(recordRate, s.Speed, now)

	ctx, cancel := context.WithCancel(ctx)
	reqs := make(chan Record, 8)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(ctx, NewDecoder(port).Next, ErrNoData,
			func(r Record) (Record, bool) { return r, true }, reqs, readErr)
	})
	defer stop()

	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	always := make(chan time.Time)
	close(always)
	st := &simState{}
	for {
		var tick <-chan time.Time
		if st.active() {
			tick = ticker.C
			if s.Speed <= 0 {
				tick = always
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("datex simulator: %w", err))
		case r := <-reqs:
			wasActive := st.active()
			var out *sim.Burst
			if s.request(st, r) {
				// A numerics request is answered at once.
				out = &sim.Burst{}
				s.phdbRecord(st, start, out)
			}
			if !wasActive && st.active() {
				pacer.Reset()
			}
			if out != nil {
				if err := s.write(port, out, writeTimeout); err != nil {
					return devices.OrCanceled(ctx, err)
				}
			}
		case <-tick:
			out := &sim.Burst{}
			for range pacer.Due() {
				s.step(st, start, out)
			}
			if err := s.write(port, out, writeTimeout); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}

// request applies a host request and reports whether numerics start now.
func (s *Simulator) request(st *simState, r Record) (sendPHDB bool) {
	switch r.MainType {
	case MainPHDB:
		q, err := ParsePHDBRequest(r)
		if err != nil {
			return false
		}
		if q.Interval <= 0 {
			st.phdbInterval = 0
			return false
		}
		st.phdbType = q.Type
		st.phdbInterval = time.Duration(q.Interval) * time.Second
		st.nextPHDB = s.sourceTime(st) + st.phdbInterval
		return true
	case MainWave:
		kind, waves, err := ParseWaveRequest(r)
		if err != nil {
			return false
		}
		if kind == WaveStop {
			st.waves = nil
			return false
		}
		if CheckWaves(waves) != nil {
			return false // a monitor refuses a request over budget
		}
		st.waves = st.waves[:0]
		for i, w := range waves {
			st.waves = append(st.waves, s.newWaveGen(w, int64(i)))
		}
		st.waveTick = 0
	}
	return false
}

func (s *Simulator) sourceTime(st *simState) time.Duration {
	return time.Duration(st.tick) * time.Second / recordRate
}

// step advances the source clock by 100 ms and adds what is due.
func (s *Simulator) step(st *simState, start time.Time, out *sim.Burst) {
	st.tick++
	t := s.sourceTime(st)
	if len(st.waves) > 0 {
		s.waveRecord(st, start, out)
	}
	if st.phdbInterval > 0 && t >= st.nextPHDB {
		st.nextPHDB += st.phdbInterval
		s.phdbRecord(st, start, out)
	}
}

func (s *Simulator) header(st *simState, start time.Time, main int16) Header {
	st.nbr++
	lvl := s.DriLevel
	if lvl == 0 {
		lvl = 10
	}
	return Header{Nbr: st.nbr, DriLevel: lvl, Time: uint32(start.Add(s.sourceTime(st)).Unix()), MainType: main}
}

func (s *Simulator) phdbRecord(st *simState, start time.Time, out *sim.Burst) {
	t := s.sourceTime(st)
	p := newPHDB()
	p.Time = uint32(start.Add(t).Unix())
	p.ClassLevel = uint16(s.DriLevel)
	values := s.Values
	if values == nil {
		values = DefaultValues
	}
	values(t, &p)
	if s.Flag != nil {
		for gi := range BasicGroups {
			for fi := range BasicGroups[gi].Fields {
				if f := s.Flag(t, RawCode(gi, fi)); f != 0 {
					p.Groups[gi].Values[fi] = f
				}
			}
		}
	}
	r := NewRecord(s.header(st, start, MainPHDB), []byte{st.phdbType}, [][]byte{EncodePHDB(p)})
	out.Append(Encode(r))
	out.Mark(nil, Numerics(p))
}

func (s *Simulator) waveRecord(st *simState, start time.Time, out *sim.Burst) {
	k := st.waveTick
	st.waveTick++
	var types []byte
	var parts [][]byte
	counts := map[string][]int32{}
	for _, g := range st.waves {
		n := int(math.Floor(float64(k+1)*g.rate/recordRate) - math.Floor(float64(k)*g.rate/recordRate))
		w := WaveData{Type: g.typ, Samples: make([]int16, n)}
		c := make([]int32, n)
		for i := range w.Samples {
			w.Samples[i] = g.next()
			c[i] = int32(w.Samples[i])
		}
		types = append(types, byte(g.typ))
		parts = append(parts, EncodeWave(w))
		counts[g.id] = c
	}
	out.Append(Encode(NewRecord(s.header(st, start, MainWave), types, parts)))
	out.Mark(counts, nil)
}

// write sends a burst and logs, with Record set, what went out whole.
func (s *Simulator) write(port io.Writer, b *sim.Burst, timeout time.Duration) error {
	var log *sim.Log
	if s.Record {
		log = &s.log
	}
	if err := b.Write(port, timeout, log); err != nil {
		return fmt.Errorf("datex simulator stream: %w", err)
	}
	return nil
}
