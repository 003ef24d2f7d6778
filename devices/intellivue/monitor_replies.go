package intellivue

import (
	"fmt"
	"math"
	"slices"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

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
