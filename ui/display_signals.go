package ui

import (
	"image/color"

	"telewave/devices"
	"telewave/ui/waveview"
)

// SignalLane names a signal to show: the device slot it comes from and its
// description, as a remote share announces them.
type SignalLane struct {
	Slot   string
	Signal devices.Signal
}

// lanesForSignals lays out traces from signal descriptions alone (a remote
// viewer has no driver to ask): ECG leads on paper first, then pleth,
// pressure, respiration, audio and anything else, each in its usual colour
// and range. Signals with no rate cannot be drawn and are left out.
func lanesForSignals(sigs []SignalLane) []lane {
	order := []devices.SignalKind{devices.KindECG, devices.KindPleth, devices.KindPressure,
		devices.KindRespiration, devices.KindAudio, devices.KindOther}
	var out []lane
	for _, kind := range order {
		for _, s := range sigs {
			if s.Signal.Kind != kind && !(kind == devices.KindOther && !known(s.Signal.Kind)) {
				continue
			}
			if s.Signal.SampleRate <= 0 {
				continue
			}
			out = append(out, laneForSignal(s))
		}
	}
	return out
}

func known(k devices.SignalKind) bool { return k >= devices.KindECG && k <= devices.KindAudio }

func laneForSignal(s SignalLane) lane {
	sig := s.Signal
	l := lane{slot: s.Slot, signal: sig.ID, perUnit: 1}
	t := waveview.Trace{Label: sig.Label, Rate: sig.SampleRate}
	if t.Label == "" {
		t.Label = sig.ID
	}
	lo, hi := float32(sig.Physical(sig.Min)), float32(sig.Physical(sig.Max))
	switch sig.Kind {
	case devices.KindECG:
		switch sig.Unit {
		case "uV":
			l.perUnit = 1e-3
		case "V":
			l.perUnit = 1e3
		}
		t.Color, t.Min, t.Max, t.Paper = ecgGreen, -1.5, 2.5, true
	case devices.KindPleth:
		t.Color, t.Min, t.Max = plethCyan, lo, hi
	case devices.KindPressure:
		t.Color, t.Min, t.Max = abpRed, 40, 160
	case devices.KindAudio:
		t.Color, t.Min, t.Max = pcgAmber, -0.5, 0.5
	default:
		t.Color, t.Min, t.Max = color.RGBA{220, 220, 220, 255}, lo, hi
	}
	if t.Min >= t.Max { // a signal without a valid range still draws
		t.Min, t.Max = -1, 1
	}
	l.trace = t
	return l
}
