package intellivue

import (
	"fmt"
	"math"
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

// linked sends a poll result of an extended poll as linked results: the
// first ever is "first", later ones "middle", unless state says otherwise.
func (m *monitor) linked(p *extPoll, r PollReply, objs []ObservationPoll, state uint8) []frame {
	op := RemoteOp{Type: ROLRS, Invoke: p.invoke, Command: CmdConfAction}
	return m.reply(r, objs, op, ActPollMDIBDataExt, true, func() (uint8, uint8) {
		st := state
		if st == 0 {
			st = LinkedMiddle
			if !p.started {
				st = LinkedFirst
			}
		}
		p.started = true
		p.linked++
		return st, p.linked
	})
}

// reply frames a poll result, splitting the objects over several linked
// results when they do not fit in MaxReply. next numbers linked results;
// nil numbers the parts of a single poll's result (first, middle, last).
func (m *monitor) reply(r PollReply, objs []ObservationPoll, op RemoteOp, action uint16, ext bool, next func() (uint8, uint8)) []frame {
	parts := splitObjects(r, objs, ext)
	var out []frame
	for i, part := range parts {
		r.Seq = uint16(i)
		r.Contexts = []ContextPoll{{Objects: part}}
		o := op
		if next != nil {
			o.LinkedState, o.LinkedCount = next()
			if len(parts) > 1 && o.LinkedState == LinkedLast && i < len(parts)-1 {
				o.LinkedState = LinkedMiddle
			}
		} else if len(parts) > 1 {
			o.Type, o.LinkedCount = ROLRS, uint8(i+1)
			o.LinkedState = LinkedMiddle
			if i == 0 {
				o.LinkedState = LinkedFirst
			} else if i == len(parts)-1 {
				o.LinkedState = LinkedLast
			}
		}
		o.Body = Action{Object: MDS, Type: action, Body: r.Encode(ext)}.EncodeResult()
		f := data(o)
		for _, obj := range part {
			f.handles = append(f.handles, obj.Handle)
		}
		out = append(out, f)
	}
	return out
}

// replyOverhead is the bytes of a poll result around its objects: session
// and operation headers, action result, reply header and list headers.
const replyOverhead = 4 + 4 + 8 + 10 + 26 + 4 + 2 + 4

// splitObjects packs objects into parts of at most MaxReply bytes of user
// data; an object too large on its own goes alone.
func splitObjects(r PollReply, objs []ObservationPoll, ext bool) [][]ObservationPoll {
	var parts [][]ObservationPoll
	var cur []ObservationPoll
	size := replyOverhead
	for _, o := range objs {
		n := 2 + 4
		for _, a := range o.Attrs {
			n += 4 + len(a.Value)
		}
		if len(cur) > 0 && size+n > MaxReply {
			parts = append(parts, cur)
			cur, size = nil, replyOverhead
		}
		cur = append(cur, o)
		size += n
	}
	return append(parts, cur)
}

// numericObjects builds the numeric objects at source time t and the
// numerics the driver will make of them, in its order.
func (m *monitor) numericObjects(t time.Duration) ([]ObservationPoll, []devices.Numeric) {
	v := m.vitals(t)
	state := func(p uint16) uint16 {
		if m.s.NumericState == nil {
			return 0
		}
		return m.s.NumericState(p, t)
	}
	nu := func(p, unit uint16, val float64, dec int) NuObs {
		return NuObs{Physio: p, State: state(p), Unit: unit, Value: FloatOf(val, dec)}
	}
	type obj struct {
		label  uint16
		name   string
		values []NuObs
	}
	list := []obj{
		{PhysioHR, "HR", []NuObs{nu(PhysioHR, DimBPM, v.HR, 0)}},
		{PhysioSpO2, "SpO₂", []NuObs{nu(PhysioSpO2, DimPercent, v.SpO2, 0)}},
		{PhysioPlethPulse, "Pulse", []NuObs{nu(PhysioPlethPulse, DimBPM, v.PR, 0)}},
		{PhysioRR, "RR", []NuObs{nu(PhysioRR, DimRPM, v.RR, 0)}},
		{PhysioNIBP, "NBP", []NuObs{nu(PhysioNIBPSys, DimMMHg, v.NIBPSys, 0), nu(PhysioNIBPDia, DimMMHg, v.NIBPDia, 0), nu(PhysioNIBPMean, DimMMHg, v.NIBPMean, 0)}},
		{PhysioABP, "ABP", []NuObs{nu(PhysioABPSys, DimMMHg, v.ABPSys, 0), nu(PhysioABPDia, DimMMHg, v.ABPDia, 0), nu(PhysioABPMean, DimMMHg, v.ABPMean, 0)}},
		{PhysioTemp, "Temp", []NuObs{nu(PhysioTemp, DimDegC, v.Temp, 1)}},
		{PhysioEtCO2, "etCO₂", []NuObs{nu(PhysioEtCO2, DimMMHg, v.EtCO2, 0)}},
		{PhysioPVC, "PVC", []NuObs{nu(PhysioPVC, DimBPM, v.PVC, 0)}},
	}
	var objs []ObservationPoll
	var nums []devices.Numeric
	for i, o := range list {
		attrs := []AVA{{ID: AttrIDLabel, Value: EncodeU32(Label(o.label))}, {ID: AttrIDLabelString, Value: EncodeString(o.name)}}
		if len(o.values) == 1 {
			attrs = append(attrs, AVA{ID: AttrNuValObs, Value: EncodeNuObs(o.values[0])})
		} else {
			attrs = append(attrs, AVA{ID: AttrNuCmpdValObs, Value: EncodeNuCmpd(o.values)})
		}
		objs = append(objs, ObservationPoll{Handle: uint16(100 + i), Attrs: attrs})
		for _, n := range o.values {
			nums = append(nums, *numeric(n, o.name, time.Time{}))
		}
	}
	return objs, nums
}

// waveBlock builds the next 256 ms of the waves in the priority list.
func (m *monitor) waveBlock() ([]frame, error) {
	t := time.Duration(m.block) * BlockTime
	blk, err := m.gen.next()
	if err != nil {
		return nil, fmt.Errorf("intellivue simulator wave source: %w", err)
	}
	static := m.staticPending
	m.staticPending = false
	var objs []ObservationPoll
	samples := map[string][]int32{}
	for _, p := range m.prio {
		counts := blk[p]
		sw := simWaveSpecs[p]
		var st uint16
		if m.s.WaveState != nil {
			st = m.s.WaveState(p, t)
		}
		raw := make([]byte, 2*len(counts))
		for i, c := range counts {
			raw[2*i], raw[2*i+1] = byte(c>>8), byte(c)
		}
		var attrs []AVA
		if static {
			attrs = append(attrs,
				AVA{ID: AttrIDLabel, Value: EncodeU32(Label(p))},
				AVA{ID: AttrSaSpecn, Value: EncodeSaSpec(SaSpec{ArraySize: uint16(len(counts)), SampleSize: 16, SigBits: sw.sigBits})},
				AVA{ID: AttrScaleSpecnI16, Value: EncodeScaleSpec(sw.scale)},
				AVA{ID: AttrTimePdSamp, Value: EncodeU32(uint32(sw.period))},
				AVA{ID: AttrUnitCode, Value: []byte{byte(sw.unit >> 8), byte(sw.unit)}},
			)
		}
		attrs = append(attrs, AVA{ID: AttrSaValObs, Value: EncodeSaObs(SaObs{Physio: p, State: st, Data: raw})})
		objs = append(objs, ObservationPoll{Handle: uint16(10 + slices.Index(simWaves, p)), Attrs: attrs})
		samples[WaveID(p)] = counts
	}
	r := PollReply{Number: m.wave.number, RelTime: m.relBase + RelTimeOf(t), AbsTime: AbsTimeOf(m.clock.Add(t)),
		Partition: PartObj, Code: ClassWave}
	m.block++
	fs := m.linked(&m.wave, r, objs, 0)
	// Each wave sits in exactly one part; record it with that part.
	for i := range fs {
		fs[i].samples = map[string][]int32{}
		fs[i].static = static
	}
	for i := range fs {
		for _, h := range fs[i].handles {
			id := WaveID(simWaves[h-10])
			fs[i].samples[id] = samples[id]
		}
	}
	return fs, nil
}

// simWaveSpec is how the simulator scales a wave.
type simWaveSpec struct {
	period  RelTime
	sigBits uint8
	scale   ScaleSpec
	unit    uint16
	perBlk  int
}

var (
	ecgSpec = simWaveSpec{period: RelTicksPerSecond / ECGRate, sigBits: 14, unit: DimMilliV, perBlk: ECGRate * int(BlockTime/time.Millisecond) / 1000,
		scale: ScaleSpec{LowerAbs: MakeFloat(-4096, -2), UpperAbs: MakeFloat(40955, -3), LowerScaled: 0, UpperScaled: 16383}}
	plethSpec = simWaveSpec{period: RelTicksPerSecond / ABPRate, sigBits: 12, unit: DimDimless, perBlk: ABPRate * int(BlockTime/time.Millisecond) / 1000,
		scale: ScaleSpec{LowerAbs: MakeFloat(0, 0), UpperAbs: MakeFloat(1, 0), LowerScaled: 0, UpperScaled: 4095}}
	abpSpec = simWaveSpec{period: RelTicksPerSecond / ABPRate, sigBits: 14, unit: DimMMHg, perBlk: ABPRate * int(BlockTime/time.Millisecond) / 1000,
		scale: ScaleSpec{LowerAbs: MakeFloat(-40, 0), UpperAbs: MakeFloat(520, 0), LowerScaled: 0, UpperScaled: 11200}}
	simWaveSpecs = map[uint16]simWaveSpec{PhysioECGII: ecgSpec, PhysioECGV: ecgSpec, PhysioECGI: ecgSpec, PhysioECGIII: ecgSpec,
		PhysioPleth: plethSpec, PhysioABP: abpSpec}
)

// counts maps a physical value through a wave's scale, clamped to its bits.
func (w simWaveSpec) counts(v float64) int32 {
	scale, base, _ := w.scale.Linear()
	c := math.Round(v/scale) + float64(base)
	return int32(min(float64(int32(1)<<w.sigBits-1), max(0, c)))
}

// waveGen draws the sources block by block.
type waveGen struct {
	ecg, pleth, abp sim.Source
	ef, pf, af      []float64
}

func newWaveGen(s *Simulator) *waveGen {
	ecg, pleth, abp := s.ECG, s.Pleth, s.ABP
	if ecg == nil {
		ecg = sim.NewSyntheticECG(72, 1)
	}
	if pleth == nil {
		pleth = sim.NewSyntheticPleth(72, 1)
	}
	if abp == nil {
		abp = NewSyntheticABP(72, 120, 80, 1)
	}
	g := &waveGen{ecg: sim.Resample(ecg, ECGRate), pleth: sim.Resample(pleth, ABPRate), abp: sim.Resample(abp, ABPRate)}
	g.ef, g.pf, g.af = make([]float64, g.ecg.Channels()), make([]float64, g.pleth.Channels()), make([]float64, g.abp.Channels())
	return g
}

// next returns one block of counts of every wave the simulator has.
func (g *waveGen) next() (map[uint16][]int32, error) {
	out := map[uint16][]int32{}
	for range ecgSpec.perBlk {
		if err := g.ecg.Next(g.ef); err != nil {
			return nil, err
		}
		ii := g.ef[0]
		v := 0.8 * ii
		if len(g.ef) > 1 {
			v = g.ef[1]
		}
		out[PhysioECGII] = append(out[PhysioECGII], ecgSpec.counts(ii))
		out[PhysioECGV] = append(out[PhysioECGV], ecgSpec.counts(v))
		out[PhysioECGI] = append(out[PhysioECGI], ecgSpec.counts(0.55*ii))
		out[PhysioECGIII] = append(out[PhysioECGIII], ecgSpec.counts(0.45*ii))
	}
	for range plethSpec.perBlk {
		if err := g.pleth.Next(g.pf); err != nil {
			return nil, err
		}
		if err := g.abp.Next(g.af); err != nil {
			return nil, err
		}
		out[PhysioPleth] = append(out[PhysioPleth], plethSpec.counts(g.pf[0]))
		out[PhysioABP] = append(out[PhysioABP], abpSpec.counts(g.af[0]))
	}
	return out, nil
}
