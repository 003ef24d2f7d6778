package app

import (
	"fmt"
	"math"
	"slices"
	"time"

	"telewave/alarms"
	"telewave/devices"
	"telewave/dsp/qrs"
)

// ecgLeads is how many leads of a device feed the QRS detector: the
// second recovers beats the first loses to noise.
const ecgLeads = 2

// rrHistory is how many RR intervals the heart rate is the median of.
const rrHistory = 8

// ecgStream is the QRS analysis of one device's ECG.
type ecgStream struct {
	ids     []string
	sigs    []devices.Signal
	toMV    []float64 // Signal.Physical times this gives mV
	rate    float64
	det     *qrs.Detector
	latency int64 // frames from an R peak to its report, at most

	buf     [][]float64 // samples per lead not yet pushed (the leads' chunks arrive one after the other)
	bufAt   time.Time   // host time of the first sample in buf[0]
	flagged []bool      // the lead's latest chunk carried devices.LeadOff
	pushed  int64       // frames pushed
	at      time.Time   // host time of frame pushed (the next one)
	amp     []leadAmplitude

	lastBeat   int64     // frame of the last counted R peak; -1 before any
	rr         []float64 // the last RR intervals between counted beats, s
	judgeable  bool      // some lead can show whether there are beats
	goodFrom   int64     // frame since when it has been
	nextReport int64     // frame of the next heart-rate numeric
	asystole   bool      // asystole reported, no beat since
	flat       bool      // technical conditions reported
	noisy      bool
}

// newECGStream chooses up to two ECG leads of d (lead II first, then in
// the order declared, at one sample rate and in a voltage unit) and
// starts a detector on them. why says why none could be chosen.
func newECGStream(d *deviceAnalysis) (*ecgStream, string) {
	var ids []string
	for _, id := range d.order {
		if s := d.signals[id]; s.Kind == devices.KindECG && s.MDC == devices.MDCECGLeadII {
			ids = append(ids, id)
		}
	}
	for _, id := range d.order {
		if s := d.signals[id]; s.Kind == devices.KindECG && s.MDC != devices.MDCECGLeadII {
			ids = append(ids, id)
		}
	}
	e := &ecgStream{lastBeat: -1}
	why := ""
	for _, id := range ids {
		s := d.signals[id]
		f, ok := millivolts(s.Unit)
		switch {
		case !ok:
			why = fmt.Sprintf("ECG %s in %q is not analysed", s.Label, s.Unit)
			continue
		case !(s.SampleRate >= 50):
			why = fmt.Sprintf("ECG %s at %g Hz is not analysed", s.Label, s.SampleRate)
			continue
		case len(e.ids) > 0 && s.SampleRate != e.rate:
			continue
		}
		e.ids, e.sigs, e.toMV, e.rate = append(e.ids, id), append(e.sigs, s), append(e.toMV, f), s.SampleRate
		if len(e.ids) == ecgLeads {
			break
		}
	}
	if len(e.ids) == 0 {
		return nil, why
	}
	e.det = qrs.NewLeads(e.rate, len(e.ids))
	e.latency = int64(math.Ceil(e.det.Latency() * e.rate))
	e.buf = make([][]float64, len(e.ids))
	e.flagged = make([]bool, len(e.ids))
	e.amp = make([]leadAmplitude, len(e.ids))
	for i := range e.amp {
		e.amp[i].init(e.rate)
	}
	return e, ""
}

// millivolts returns the factor from unit to mV.
func millivolts(unit string) (float64, bool) {
	switch unit {
	case "mV":
		return 1, true
	case "uV", "µV", "μV":
		return 1e-3, true
	case "V":
		return 1e3, true
	case "nV":
		return 1e-6, true
	}
	return 0, false
}

func (e *ecgStream) uses(id string) bool {
	for _, x := range e.ids {
		if x == id {
			return true
		}
	}
	return false
}

func (e *ecgStream) lead(id string) int {
	for i, x := range e.ids {
		if x == id {
			return i
		}
	}
	return -1
}

// timeOf returns the host time of frame f (at most e.pushed).
func (e *ecgStream) timeOf(f int64) time.Time {
	return e.at.Add(-time.Duration(float64(e.pushed-f) / e.rate * float64(time.Second)))
}

func (e *ecgStream) seconds(frames int64) float64 { return float64(frames) / e.rate }

// ecgChunk feeds one chunk of a chosen lead, then whatever frames all
// leads now have to the detector.
func (a *Analysis) ecgChunk(d *deviceAnalysis, c *devices.Chunk) {
	e := d.ecg
	if c.Flags&devices.GapBefore != 0 && e.pushed+int64(len(e.buf[0])) > 0 {
		d.ecg = nil // samples are missing: the detector starts afresh
		if d.ecg, _ = newECGStream(d); d.ecg == nil {
			return
		}
		a.ecgGap(d.slot, e, c.HostTime)
		e = d.ecg
	}
	li := e.lead(c.Signal)
	e.flagged[li] = c.Flags&devices.LeadOff != 0
	s, f := e.sigs[li], e.toMV[li]
	if li == 0 {
		e.bufAt = c.HostTime.Add(-time.Duration(e.seconds(int64(len(e.buf[0]))) * float64(time.Second)))
	}
	for _, v := range c.Samples {
		x := s.Physical(v) * f
		if e.flagged[li] {
			x = 0 // an electrode that is off carries no beats; flat, the detector leaves it out
		}
		e.buf[li] = append(e.buf[li], x)
	}
	// A lead that stopped while the other goes on is flat, not a reason
	// to stop analysing.
	if len(e.buf) == 2 {
		limit := int(2 * e.rate)
		for i := range e.buf {
			if o := e.buf[1-i]; len(o)-len(e.buf[i]) > limit {
				e.buf[i] = append(e.buf[i], make([]float64, len(o)-len(e.buf[i]))...)
			}
		}
	}
	m := len(e.buf[0])
	for _, b := range e.buf[1:] {
		m = min(m, len(b))
	}
	if m == 0 {
		return
	}
	frames := make([][]float64, len(e.buf))
	for i := range e.buf {
		frames[i] = e.buf[i][:m]
	}
	beats := e.det.Push(frames...)
	for i, f := range frames {
		e.amp[i].push(e.pushed, f)
	}
	for i := range e.buf {
		e.buf[i] = append(e.buf[i][:0], e.buf[i][m:]...)
	}
	e.pushed += int64(m)
	e.at = e.bufAt.Add(time.Duration(e.seconds(int64(m)) * float64(time.Second)))
	e.bufAt = e.at
	for _, b := range beats {
		a.beat(d, e, b)
	}
	a.judgeECG(d, e)
	if e.pushed >= e.nextReport {
		e.nextReport = e.pushed + int64(e.rate)
		a.reportHR(d, e)
	}
}

// ecgGap ends the technical conditions of a stream that was replaced.
func (a *Analysis) ecgGap(slot string, old *ecgStream, at time.Time) {
	if old.flat {
		a.engine.Condition(ecgFlatSpec(slot), false, at)
	}
	if old.noisy {
		a.engine.Condition(ecgNoiseSpec(slot), false, at)
	}
}

// beat counts a detected beat unless its QRS is smaller than minQRSmV
// in every lead that is on: such a "beat" is noise the detector's
// adaptive threshold came down to, and must neither end asystole nor
// enter the heart rate.
func (a *Analysis) beat(d *deviceAnalysis, e *ecgStream, b qrs.Beat) {
	size := 0.0
	for i := range e.amp {
		if !e.flagged[i] && !d.leadOff {
			size = max(size, e.amp[i].qrs(b.Sample, e.pushed))
		}
	}
	if size < minQRSmV {
		return
	}
	if e.lastBeat >= 0 {
		e.rr = append(e.rr, e.seconds(b.Sample-e.lastBeat))
		if len(e.rr) > rrHistory {
			e.rr = e.rr[1:]
		}
	}
	e.lastBeat = b.Sample
	e.asystole = false
	at := e.timeOf(b.Sample)
	a.engine.Beat(at)
	a.publish(&devices.Event{Kind: devices.Physiological, Code: EventBeat, Priority: devices.Info, Time: at,
		Text: fmt.Sprintf("QRS %s %.2f mV", d.slot, size)})
}

// judgeECG decides from the leads' quality whether the absence of beats
// means anything, raises the ECG's technical conditions and asystole.
//
// A lead the device flags as off is left out. A flat lead still counts:
// asystole is a flat line, and an amplifier's quiet baseline can be
// flatter than the detector's 0.02 mV — so a flat ECG raises asystole
// (high) and "ECG flat" (medium), never only the technical alarm. Noisy or
// clipped leads cannot show an absence of beats.
func (a *Analysis) judgeECG(d *deviceAnalysis, e *ecgStream) {
	learned := e.seconds(e.pushed) >= 2
	open, usable, flat := 0, 0, 0
	for i := range e.ids {
		if e.flagged[i] || d.leadOff {
			continue
		}
		open++
		switch e.det.Quality(i) {
		case qrs.Good:
			usable++
		case qrs.LeadOff:
			usable++
			flat++
		case qrs.Noisy:
			// The detector judges noise against the beats it last
			// saw; in asystole it learns the baseline noise as its
			// "beats". Noise too small to hide a QRS still shows that
			// there is none.
			if e.amp[i].quiet() {
				usable++
			}
		}
	}
	now := e.at
	judgeable := learned && usable > 0
	if judgeable && !e.judgeable {
		e.goodFrom = e.pushed
	}
	e.judgeable = judgeable
	if f := learned && open > 0 && flat == open; f != e.flat {
		e.flat = f
		a.engine.Condition(ecgFlatSpec(d.slot), f, now)
	}
	if n := learned && open > 0 && usable == 0; n != e.noisy {
		e.noisy = n
		a.engine.Condition(ecgNoiseSpec(d.slot), n, now)
	}
	if !judgeable || e.asystole {
		return
	}
	from := max(e.lastBeat, e.goodFrom)
	silent := e.seconds(e.pushed - e.latency - from)
	if silent >= a.policy.AsystoleDelay.Seconds() {
		e.asystole = true
		a.engine.Asystole(e.timeOf(from))
	}
}

// reportHR publishes the heart rate once a second of signal: 60 over the
// median of the last RR intervals, falling as 60/silence once no beat has
// come for 1.5 of them, unavailable while no lead can show beats.
func (a *Analysis) reportHR(d *deviceAnalysis, e *ecgStream) {
	if len(e.rr) < 2 {
		return
	}
	rr := slices.Clone(e.rr)
	slices.Sort(rr)
	med := rr[len(rr)/2]
	if len(rr)%2 == 0 {
		med = (rr[len(rr)/2-1] + med) / 2
	}
	hr := 60 / med
	st := devices.Valid
	if !e.judgeable {
		st = devices.Unavailable
	} else if since := e.seconds(e.pushed - e.latency - e.lastBeat); since > 1.5*med {
		hr = min(hr, 60/since)
	}
	a.rateNumeric(d, devices.MDCECGHeartRate, "HR (telewave)", d.ownHR, math.Round(hr), st, e.at)
}

func ecgFlatSpec(slot string) alarms.Spec {
	return alarms.Spec{ID: "ecg-flat:" + slot, Kind: devices.Technical, Priority: devices.Medium, Delay: 2 * time.Second,
		Text: "ECG flat — check electrodes (" + slot + ")", Source: slot}
}

func ecgNoiseSpec(slot string) alarms.Spec {
	return alarms.Spec{ID: "ecg-noise:" + slot, Kind: devices.Technical, Priority: devices.Medium, Delay: 5 * time.Second,
		Text: "ECG noisy — cannot analyse (" + slot + ")", Source: slot}
}
