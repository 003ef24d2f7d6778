package intellivue

import (
	"slices"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// monitor is the simulator's state; Run's goroutine owns it.
type monitor struct {
	s             *Simulator
	now           func() time.Time
	factor        float64   // source seconds per wall second for time-outs
	started       time.Time // wall clock at Run
	clock         time.Time // the monitor's clock at Run
	relBase       RelTime
	state         simState
	invoke        uint16
	createInvoke  uint16
	lastHost      time.Time
	keepAlive     time.Duration
	prio          []uint16
	staticPending bool
	wave, num     extPoll
	block, second int64 // wave blocks and numerics reports so far
	gen           *waveGen
	vitals        func(time.Duration) Vitals
}

// extPoll is a running extended poll.
type extPoll struct {
	active  bool
	until   time.Time // wall clock
	number  uint16
	invoke  uint16
	started bool // the first linked result went out
	linked  uint8
	pacer   *sim.Pacer
}

// simWaves are the waves the simulator can send, in handle order.
var simWaves = []uint16{PhysioECGII, PhysioECGV, PhysioECGI, PhysioECGIII, PhysioPleth, PhysioABP}

// defaultPrio is what the monitor sends before the host sets a list.
var defaultPrio = []uint16{PhysioECGII, PhysioPleth}

func newMonitor(s *Simulator) *monitor {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	m := &monitor{s: s, now: now, factor: max(s.Speed, 1), started: now(), clock: s.Start,
		relBase: 0x00100000, keepAlive: devices.DurationOr(s.KeepAlive, 10*time.Second),
		prio: defaultPrio, gen: newWaveGen(s), vitals: s.Vitals}
	if m.clock.IsZero() {
		m.clock = m.started
	}
	if m.vitals == nil {
		m.vitals = DefaultVitals
	}
	m.wave.pacer = sim.NewPacer(float64(time.Second)/float64(BlockTime), s.Speed, now)
	m.num.pacer = sim.NewPacer(1, s.Speed, now)
	return m
}

// src converts wall time since t into source time.
func (m *monitor) src(t time.Time) time.Duration {
	return time.Duration(float64(m.now().Sub(t)) * m.factor)
}

func (m *monitor) muted() bool { return m.s.MuteAfter > 0 && m.src(m.started) >= m.s.MuteAfter }

func (m *monitor) streaming() bool {
	return m.state == simAssociated && (m.wave.active || m.num.active)
}

// relNow is the monitor's relative time now.
func (m *monitor) relNow() RelTime {
	if m.s.Speed > 0 {
		return m.relBase + RelTimeOf(m.src(m.started))
	}
	return m.relBase + RelTimeOf(time.Duration(m.block)*BlockTime)
}

func (m *monitor) stopPolls() {
	m.wave.active, m.num.active = false, false
}

func data(op RemoteOp) frame { return frame{wire: EncodeFrame(EncodeData(op))} }

func sessionFrame(ud []byte) frame { return frame{wire: EncodeFrame(ud)} }

// host answers one PDU from the host.
func (m *monitor) host(ud []byte) []frame {
	typ, err := SessionType(ud)
	if err != nil || m.muted() {
		return nil
	}
	m.lastHost = m.now()
	switch typ {
	case SPDUAssocRequest:
		m.stopPolls()
		if m.s.Refuse {
			m.setState(simIdle)
			return []frame{sessionFrame(EncodeRefuse())}
		}
		m.setState(simAwaitCreate)
		m.prio, m.staticPending = defaultPrio, true
		m.invoke++
		m.createInvoke = m.invoke
		ev := EventReport{Object: MDS, Time: uint32(m.relNow()), Type: NotiMDSCreate, Info: MDSCreate{Object: MDS, Attrs: m.mdsAttrs()}.Encode()}
		return []frame{sessionFrame(EncodeAARE()), data(RemoteOp{Type: ROIV, Invoke: m.invoke, Command: CmdConfEventReport, Body: ev.Encode()})}
	case SPDUReleaseReq:
		m.stopPolls()
		m.setState(simIdle)
		return []frame{sessionFrame(EncodeReleaseResponse())}
	case SPDUAbort:
		m.stopPolls()
		m.setState(simIdle)
		return nil
	case SPDUData:
	default:
		return nil
	}
	op, err := ParseData(ud)
	if err != nil {
		return nil
	}
	switch {
	case m.state == simAwaitCreate && op.Type == RORS && op.Command == CmdConfEventReport && op.Invoke == m.createInvoke:
		m.setState(simAssociated)
		return nil
	case m.state != simAssociated || op.Type != ROIV:
		return nil
	case op.Command == CmdConfSet:
		return m.set(op)
	case op.Command == CmdConfAction:
		return m.action(op)
	}
	return []frame{data(RemoteOp{Type: ROER, Invoke: op.Invoke, Error: 9})} // no such action
}

func (m *monitor) setState(st simState) {
	m.state = st
	m.s.mu.Lock()
	m.s.state = st
	m.s.mu.Unlock()
}

func (m *monitor) mdsAttrs() []AVA {
	model := m.s.Model
	if model == "" {
		model = "MP70"
	}
	var sysID wr
	sysID.sized([]byte{0x00, 0x09, 0xFB, 0x12, 0x34, 0x56})
	return []AVA{
		{ID: AttrIDModel, Value: EncodeSystemModel("Philips", model)},
		{ID: AttrSysID, Value: sysID.b},
	}
}

// set takes the wave priority list: the waves the simulator has, at most
// three ECG leads and eight others, in the host's order.
func (m *monitor) set(op RemoteOp) []frame {
	arg, err := ParseSetArgument(op.Body)
	if err != nil {
		return []frame{data(RemoteOp{Type: ROER, Invoke: op.Invoke, Error: 3})}
	}
	for _, a := range arg.Attrs {
		if a.ID != AttrPollRTSAPrioLst {
			continue
		}
		labels, err := ParseTextIDList(a.Value)
		if err != nil {
			return []frame{data(RemoteOp{Type: ROER, Invoke: op.Invoke, Error: 3})}
		}
		var prio []uint16
		ecg, other := 0, 0
		for _, l := range labels {
			p := uint16(l)
			if l>>16 != uint32(PartSCADA) || !slices.Contains(simWaves, p) || slices.Contains(prio, p) {
				continue
			}
			if waves[p].kind == devices.KindECG {
				if ecg++; ecg > 3 {
					continue
				}
			} else if other++; other > 8 {
				continue
			}
			prio = append(prio, p)
		}
		if !slices.Equal(prio, m.prio) {
			m.prio, m.staticPending = prio, true
		}
	}
	labels := make([]uint32, len(m.prio))
	for i, p := range m.prio {
		labels[i] = Label(p)
	}
	res := EncodeSetResult(MDS, []AVA{{ID: AttrPollRTSAPrioLst, Value: EncodeTextIDList(labels)}})
	return []frame{data(RemoteOp{Type: RORS, Invoke: op.Invoke, Command: CmdConfSet, Body: res})}
}

// action answers polls: single polls at once, extended polls by starting
// (or renewing) the stream the ticks send.
func (m *monitor) action(op RemoteOp) []frame {
	act, err := ParseActionArgument(op.Body)
	if err != nil || (act.Type != ActPollMDIBData && act.Type != ActPollMDIBDataExt) {
		return []frame{data(RemoteOp{Type: ROER, Invoke: op.Invoke, Error: 9})}
	}
	ext := act.Type == ActPollMDIBDataExt
	req, err := ParsePollRequest(act.Body, ext)
	if err != nil {
		return []frame{data(RemoteOp{Type: ROER, Invoke: op.Invoke, Error: 3})}
	}
	if !ext {
		var objs []ObservationPoll
		var nums []devices.Numeric
		if req.Code == ClassNumeric {
			objs, nums = m.numericObjects(m.src(m.started))
		}
		r := PollReply{Number: req.Number, RelTime: m.relNow(), AbsTime: AbsTimeOf(m.clock.Add(m.src(m.started))),
			Partition: req.Partition, Code: req.Code}
		fs := m.reply(r, objs, RemoteOp{Type: RORS, Invoke: op.Invoke, Command: CmdConfAction}, act.Type, false, nil)
		fs[len(fs)-1].numerics = nums
		return fs
	}
	var p *extPoll
	switch req.Code {
	case ClassWave:
		p = &m.wave
	case ClassNumeric:
		p = &m.num
	default:
		r := PollReply{Number: req.Number, RelTime: m.relNow(), Partition: req.Partition, Code: req.Code}
		return m.reply(r, nil, RemoteOp{Type: ROLRS, LinkedState: LinkedLast, Invoke: op.Invoke, Command: CmdConfAction}, act.Type, true, nil)
	}
	period := 10 * time.Second
	for _, a := range req.Ext {
		if v, err := ParseU32(a.Value); a.ID == AttrTimePdPoll && err == nil && v > 0 {
			period = RelTime(v).Duration()
		}
	}
	if !p.active {
		p.pacer.Reset()
		p.started, p.linked = false, 0
		if m.s.Speed > 0 { // the monitor's clock ran on meanwhile
			el := m.src(m.started)
			m.block = max(m.block, int64(el/BlockTime))
			m.second = max(m.second, int64(el/time.Second))
		}
	}
	p.active, p.number, p.invoke = true, req.Number, op.Invoke
	p.until = m.now().Add(time.Duration(float64(period) / m.factor))
	return nil
}

// tick sends what is due: an abort when the host went quiet, wave blocks
// and numerics of the running extended polls, the last linked result of a
// poll that lapsed.
func (m *monitor) tick() ([]frame, error) {
	if m.muted() || m.state == simIdle {
		return nil, nil
	}
	if m.src(m.lastHost) > m.keepAlive {
		m.stopPolls()
		m.setState(simIdle)
		return []frame{sessionFrame(EncodeAbort())}, nil
	}
	if m.state != simAssociated {
		return nil, nil
	}
	var out []frame
	for _, p := range []*extPoll{&m.wave, &m.num} {
		if p.active && m.now().After(p.until) {
			p.active = false
			r := PollReply{Number: p.number, Partition: PartObj, Code: ClassWave, RelTime: m.relNow()}
			if p == &m.num {
				r.Code = ClassNumeric
			}
			out = append(out, m.linked(p, r, nil, LinkedLast)...)
		}
	}
	if m.wave.active {
		for range m.wave.pacer.Due() {
			fs, err := m.waveBlock()
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
	}
	if m.num.active {
		for range m.num.pacer.Due() {
			t := time.Duration(m.second) * time.Second
			objs, nums := m.numericObjects(t)
			r := PollReply{Number: m.num.number, RelTime: m.relBase + RelTimeOf(t), AbsTime: AbsTimeOf(m.clock.Add(t)),
				Partition: PartObj, Code: ClassNumeric}
			fs := m.linked(&m.num, r, objs, 0)
			fs[len(fs)-1].numerics = nums
			out = append(out, fs...)
			m.second++
		}
	}
	return out, nil
}
