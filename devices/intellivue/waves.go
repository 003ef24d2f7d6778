package intellivue

import (
	"strings"

	"telewave/devices"
)

// waveInfo is what the driver knows of a wave physio id: the Signal it
// becomes, and its usual unit when the monitor sends none.
type waveInfo struct {
	id    string
	label string
	kind  devices.SignalKind
	mdc   uint32
	unit  string
}

var waves = map[uint16]waveInfo{
	PhysioECGI:   {"ecg-i", "ECG I", devices.KindECG, devices.MDCECGLeadI, "mV"},
	PhysioECGII:  {"ecg-ii", "ECG II", devices.KindECG, devices.MDCECGLeadII, "mV"},
	PhysioECGIII: {"ecg-iii", "ECG III", devices.KindECG, devices.MDCECGLeadIII, "mV"},
	PhysioECGV:   {"ecg-v", "ECG V", devices.KindECG, mdcOf(PhysioECGV), "mV"},
	PhysioECGAVR: {"ecg-avr", "ECG aVR", devices.KindECG, mdcOf(PhysioECGAVR), "mV"},
	PhysioECGAVL: {"ecg-avl", "ECG aVL", devices.KindECG, mdcOf(PhysioECGAVL), "mV"},
	PhysioECGAVF: {"ecg-avf", "ECG aVF", devices.KindECG, mdcOf(PhysioECGAVF), "mV"},
	PhysioPleth:  {"pleth", "Pleth", devices.KindPleth, devices.MDCPulsOximPleth, "1"},
	PhysioABP:    {"abp", "ABP", devices.KindPressure, mdcOf(PhysioABP), "mm[Hg]"},
	PhysioART:    {"art", "ART", devices.KindPressure, mdcOf(PhysioART), "mm[Hg]"},
	PhysioResp:   {"resp", "Resp", devices.KindRespiration, mdcOf(PhysioResp), "1"},
}

// WaveID returns the Signal.ID the driver gives a wave physio id: "ecg-ii",
// "pleth", "abp", ..., or "wave-4bb0" for a wave it has no mapping for.
func WaveID(physio uint16) string {
	if w, ok := waves[physio]; ok {
		return w.id
	}
	return "wave-" + strings.ToLower(hex4(physio))
}

// DefaultWaves is the priority list the driver asks for: ECG II, ECG V,
// Pleth and ABP.
var DefaultWaves = []uint16{PhysioECGII, PhysioECGV, PhysioPleth, PhysioABP}
