package intellivue

import (
	"fmt"
	"math"
	"time"

	"telewave/devices"
)

// EventMonitorError is raised when the monitor answers an operation with an
// error (ROER).
const EventMonitorError = "monitor-error"

// badFrameEvery rate-limits bad-frame events.
const badFrameEvery = time.Second

// session turns the monitor's PDUs into messages; Run's goroutine owns it.
type session struct {
	emit  devices.Emit
	loc   *time.Location
	now   func() time.Time
	waves map[waveKey]*wave
	// The device clock: an absolute time and the relative time it was
	// read at, from the first reply that carried both.
	anchorAbs time.Time
	anchorRel RelTime
	anchored  bool
	// Bad frames reported so far, and when.
	badSeen, skipSeen int
	badAt             time.Time
	warned            map[string]bool
}

type waveKey struct {
	handle, physio uint16
}

// wave is one wave's announcement and running state.
type wave struct {
	sig       devices.Signal
	spec      SaSpec
	hasSpec   bool
	period    RelTime // ticks per sample
	announced bool
	seq       uint64
	clock     devices.HostClock
	nextRel   RelTime
	hasNext   bool
}

func newSession(emit devices.Emit, loc *time.Location, now func() time.Time) *session {
	return &session{emit: emit, loc: loc, now: now, waves: map[waveKey]*wave{}, warned: map[string]bool{}}
}

// badFrames reports frames the decoder dropped since the last report, at
// most once a second.
func (s *session) badFrames(a arrival) {
	if a.bad == s.badSeen || (!s.badAt.IsZero() && a.at.Sub(s.badAt) < badFrameEvery) {
		return
	}
	s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame, Time: a.at, Priority: devices.Low,
		Text: fmt.Sprintf("%d bad frames (%d bytes skipped) since the last report", a.bad-s.badSeen, a.skipped-s.skipSeen)})
	s.badSeen, s.skipSeen, s.badAt = a.bad, a.skipped, a.at
}

// handle processes one PDU; it returns an error when the association ended.
func (s *session) handle(c *conn, a arrival) error {
	typ, err := SessionType(a.ud)
	if err != nil {
		return nil
	}
	switch typ {
	case SPDUAbort:
		return fmt.Errorf("abort received: %w", ErrAborted)
	case SPDUReleaseReq:
		_ = c.send(EncodeReleaseResponse())
		return fmt.Errorf("release requested by the monitor: %w", ErrAborted)
	case SPDUData:
	default:
		return nil
	}
	op, err := ParseData(a.ud)
	if err != nil {
		s.warnOnce("data", a.at, fmt.Sprintf("unreadable data pdu: %v", err))
		return nil
	}
	switch {
	case op.Type == ROIV && op.Command == CmdConfEventReport:
		if ev, err := ParseEventReport(op.Body); err == nil {
			return confirmEvent(c, op, ev)
		}
	case op.Type == ROER:
		s.emit(&devices.Event{Kind: devices.Technical, Code: EventMonitorError, Time: a.at, Priority: devices.Low,
			Text: fmt.Sprintf("monitor answered invoke %d with error %d", op.Invoke, op.Error)})
	case (op.Type == RORS || op.Type == ROLRS) && op.Command == CmdConfAction:
		act, err := ParseActionResult(op.Body)
		if err != nil || (act.Type != ActPollMDIBData && act.Type != ActPollMDIBDataExt) {
			return nil
		}
		reply, err := ParsePollReply(act.Body, act.Type == ActPollMDIBDataExt)
		if err != nil {
			s.warnOnce("poll", a.at, fmt.Sprintf("unreadable poll reply: %v", err))
			return nil
		}
		s.reply(reply, a.at)
	}
	return nil
}

func (s *session) warnOnce(key string, at time.Time, text string) {
	if s.warned[key] {
		return
	}
	s.warned[key] = true
	s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventBadFrame, Text: text, Time: at, Priority: devices.Low})
}

// deviceTime maps a relative time onto the monitor's clock.
func (s *session) deviceTime(r PollReply, rel RelTime) time.Time {
	if abs, ok := r.AbsTime.Time(s.loc); ok {
		predicted := s.anchorAbs.Add(time.Duration(int32(r.RelTime-s.anchorRel)) * time.Second / RelTicksPerSecond)
		if !s.anchored || math.Abs(float64(abs.Sub(predicted))) > float64(time.Second) {
			// First reading, or the monitor's clock was set.
			s.anchorAbs, s.anchorRel, s.anchored = abs, r.RelTime, true
		}
	}
	if !s.anchored {
		return time.Time{}
	}
	return s.anchorAbs.Add(time.Duration(int32(rel-s.anchorRel)) * time.Second / RelTicksPerSecond)
}

// objAttrs gathers what the driver reads from one object's attributes.
type objAttrs struct {
	labelStr string
	nu       []NuObs
	sa       []SaObs
	spec     *SaSpec
	scale    *ScaleSpec
	period   uint32
	unit     *uint16
}

func readAttrs(list []AVA) objAttrs {
	var o objAttrs
	for _, a := range list {
		switch a.ID {
		case AttrIDLabelString:
			if v, err := ParseString(a.Value); err == nil {
				o.labelStr = v
			}
		case AttrNuValObs:
			if v, err := ParseNuObs(a.Value); err == nil {
				o.nu = append(o.nu, v)
			}
		case AttrNuCmpdValObs:
			if v, err := ParseNuCmpd(a.Value); err == nil {
				o.nu = append(o.nu, v...)
			}
		case AttrSaValObs:
			if v, err := ParseSaObs(a.Value); err == nil {
				o.sa = append(o.sa, v)
			}
		case AttrSaCmpdValObs:
			if v, err := ParseSaCmpd(a.Value); err == nil {
				o.sa = append(o.sa, v...)
			}
		case AttrSaSpecn:
			if v, err := ParseSaSpec(a.Value); err == nil {
				o.spec = &v
			}
		case AttrScaleSpecnI16:
			if v, err := ParseScaleSpec(a.Value); err == nil {
				o.scale = &v
			}
		case AttrTimePdSamp:
			if v, err := ParseU32(a.Value); err == nil {
				o.period = v
			}
		case AttrUnitCode:
			if len(a.Value) == 2 {
				u := uint16(a.Value[0])<<8 | uint16(a.Value[1])
				o.unit = &u
			}
		}
	}
	return o
}

// reply emits the numerics and wave chunks of one poll reply.
func (s *session) reply(r PollReply, at time.Time) {
	for _, obj := range r.Objects() {
		o := readAttrs(obj.Attrs)
		for _, n := range o.nu {
			s.emit(numeric(n, o.labelStr, at))
		}
		for _, sa := range o.sa {
			s.wave(r, obj.Handle, sa, o, at)
		}
	}
}

// Status maps a measurement state to a numeric status: invalid and
// unavailable win over questionable.
func Status(state uint16) devices.NumericStatus {
	switch {
	case state&(StateInvalid|StateUnavailable) != 0:
		return devices.Unavailable
	case state&StateQuestionable != 0:
		return devices.QuestionableValue
	}
	return devices.Valid
}

// numeric converts one observation. A value that is not a number reads 0
// and unavailable.
func numeric(n NuObs, labelStr string, at time.Time) *devices.Numeric {
	out := &devices.Numeric{Value: n.Value.Value(), Unit: UCUM(n.Unit), Time: at, Status: Status(n.State),
		RawCode: RawCode(n.Physio)}
	if math.IsNaN(out.Value) {
		out.Value, out.Status = 0, devices.Unavailable
	}
	if info, ok := numerics[n.Physio]; ok {
		out.Code, out.Label = info.mdc, info.label
	} else if labelStr != "" {
		out.Label = labelStr
	} else {
		out.Label = out.RawCode
	}
	return out
}

// wave turns one sample array into a chunk, announcing its signal first.
func (s *session) wave(r PollReply, handle uint16, sa SaObs, o objAttrs, at time.Time) {
	key := waveKey{handle, sa.Physio}
	w := s.waves[key]
	if w == nil {
		w = &wave{}
		s.waves[key] = w
	}
	if !w.announced {
		if o.spec != nil {
			w.spec, w.hasSpec = *o.spec, true
		}
		if o.period > 0 {
			w.period = RelTime(o.period)
		}
		if !w.hasSpec || w.period == 0 {
			s.warnOnce(fmt.Sprintf("spec %d", handle), at,
				fmt.Sprintf("wave %s without sample specification or period yet", RawCode(sa.Physio)))
			return
		}
		w.sig = signalOf(sa.Physio, w.spec, w.period, o)
		w.clock = devices.HostClock{Period: w.period.Duration()}
		w.announced = true
		sig := w.sig
		s.emit(&sig)
	}
	samples := w.spec.Samples(sa.Data)
	if len(samples) == 0 {
		return
	}
	var flags devices.ChunkFlags
	if w.hasNext {
		if drift := int64(int32(r.RelTime - w.nextRel)); drift > int64(w.period)/2 || drift < -int64(w.period)/2 {
			flags |= devices.GapBefore
			missed := int(math.Round(float64(drift) / float64(w.period)))
			if missed > 0 {
				w.clock.Skip(missed)
			}
			s.emit(&devices.Event{Kind: devices.Technical, Code: devices.EventDataGap, Time: at, Priority: devices.Low,
				Text: fmt.Sprintf("%s: %d samples missing", w.sig.ID, missed)})
		}
	}
	w.nextRel, w.hasNext = r.RelTime+RelTime(len(samples))*w.period, true
	switch {
	case sa.State&(StateInvalid|StateUnavailable) != 0:
		flags |= devices.LeadOff
	case sa.State&StateQuestionable != 0:
		flags |= devices.Questionable
	}
	first := at.Add(-time.Duration(len(samples)-1) * w.period.Duration())
	host := w.clock.Sample(first)
	w.clock.Skip(len(samples) - 1)
	s.emit(&devices.Chunk{Signal: w.sig.ID, Seq: w.seq, DeviceTime: s.deviceTime(r, r.RelTime), HostTime: host,
		Samples: samples, Flags: flags})
	w.seq++
}

// signalOf describes a wave from its physio id and specification.
func signalOf(physio uint16, spec SaSpec, period RelTime, o objAttrs) devices.Signal {
	info, known := waves[physio]
	sig := devices.Signal{ID: WaveID(physio), Label: info.label, Kind: info.kind, MDC: info.mdc, Unit: info.unit,
		SampleRate: float64(RelTicksPerSecond) / float64(period), Scale: 1, Min: 0, Max: 1<<spec.SigBits - 1,
		RawCode: RawCode(physio)}
	if !known {
		sig.Label, sig.Unit = o.labelStr, "1"
		if sig.Label == "" {
			sig.Label = sig.RawCode
		}
	}
	if o.unit != nil {
		sig.Unit = UCUM(*o.unit)
	}
	if o.scale != nil {
		if scale, base, ok := o.scale.Linear(); ok {
			sig.Scale, sig.Baseline = scale, base
		}
	}
	return sig
}
