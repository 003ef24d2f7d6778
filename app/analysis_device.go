package app

import (
	"time"

	"telewave/devices"
)

// ownValueFresh is how recently a device must have sent its own heart or
// pulse rate for the analysis's value to stay informational (code 0)
// rather than take its place on screen and in the alarm engine.
const ownValueFresh = 10 * time.Second

// deviceAnalysis is what the analysis knows of one device slot.
type deviceAnalysis struct {
	slot    string
	signals map[string]devices.Signal
	order   []string // declaration order
	ecg     *ecgStream
	pleth   map[string]*plethStream
	// leadOff: the device reported lead-off and not yet lead-on.
	leadOff bool
	// ownHR and ownPR: when the device last sent its own value.
	ownHR, ownPR time.Time
}

func newDeviceAnalysis(slot string) *deviceAnalysis {
	return &deviceAnalysis{slot: slot, signals: map[string]devices.Signal{}, pleth: map[string]*plethStream{}}
}

// declare takes a signal description; a changed description of a signal
// being analysed starts its analysis afresh.
func (d *deviceAnalysis) declare(s devices.Signal) {
	old, known := d.signals[s.ID]
	d.signals[s.ID] = s
	if !known {
		d.order = append(d.order, s.ID)
	}
	if known && old == s {
		return
	}
	if d.ecg != nil && (s.Kind == devices.KindECG || d.ecg.uses(s.ID)) {
		d.ecg = nil // chosen again at the next chunk, with the new signal known
	}
	delete(d.pleth, s.ID)
}

// sent notes the device's own heart and pulse rates.
func (d *deviceAnalysis) sent(n devices.Numeric) {
	switch n.Code {
	case devices.MDCECGHeartRate:
		d.ownHR = n.Time
	case devices.MDCPulsOximPulsRt:
		d.ownPR = n.Time
	}
}

// restart forgets the streams' state: after a disconnection or lost
// messages the signals do not continue where they stopped.
func (d *deviceAnalysis) restart() {
	d.ecg = nil
	clear(d.pleth)
	d.leadOff = false
}

// chunk routes a chunk to the ECG or pleth analysis of its signal.
func (a *Analysis) chunk(d *deviceAnalysis, c *devices.Chunk) {
	s, ok := d.signals[c.Signal]
	if !ok {
		return // an undeclared signal cannot be scaled
	}
	switch s.Kind {
	case devices.KindECG:
		if d.ecg == nil {
			var why string
			d.ecg, why = newECGStream(d)
			if why != "" && !a.badUnits[d.slot+"/ecg"] {
				a.badUnits[d.slot+"/ecg"] = true
				a.publish(&devices.Event{Kind: devices.Technical, Code: "analysis-unit", Priority: devices.Low,
					Time: c.HostTime, Text: d.slot + ": " + why})
			}
		}
		if d.ecg != nil && d.ecg.uses(c.Signal) {
			a.ecgChunk(d, c)
		}
	case devices.KindPleth:
		p := d.pleth[c.Signal]
		if p == nil {
			var err error
			if p, err = newPlethStream(s); err != nil {
				return // too slow a pleth to measure a rate on
			}
			d.pleth[c.Signal] = p
		}
		a.plethChunk(d, p, c)
	}
}

// rateNumeric is a heart or pulse rate the analysis derived. When the
// device sends its own, ours goes out with code 0 (shown among all values,
// judged by nothing) so that one value per code reaches the screen's big
// numbers and the alarm engine.
func (a *Analysis) rateNumeric(d *deviceAnalysis, code uint32, label string, own time.Time, v float64, st devices.NumericStatus, at time.Time) {
	n := devices.Numeric{Code: code, Label: label, Value: v, Unit: "/min", Time: at, Status: st, RawCode: "telewave:" + d.slot}
	if !own.IsZero() && at.Sub(own) <= ownValueFresh {
		n.Code = 0
	}
	if n.Code != 0 {
		a.remember(AnalysisSlot+"/"+d.slot, n)
		a.engine.Numeric(n)
	}
	a.publish(&n)
}
