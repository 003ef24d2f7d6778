package ui

import (
	"testing"

	"telewave/devices"
)

func TestLanesForSignals(t *testing.T) {
	ecg := devices.Signal{ID: "ecg-1", Label: "ECG I", Kind: devices.KindECG, Unit: "uV", SampleRate: 250, Scale: 0.02, Min: -8388608, Max: 8388607}
	pleth := devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, Unit: "1", SampleRate: 60, Scale: 0.01, Min: 0, Max: 100}
	pcg := devices.Signal{ID: "pcg", Label: "PCG", Kind: devices.KindAudio, Unit: "1", SampleRate: 4000, Scale: 1.0 / 32768, Min: -32768, Max: 32767}
	odd := devices.Signal{ID: "co2", Kind: devices.KindOther, Unit: "mmHg", SampleRate: 25, Scale: 1, Min: 5, Max: 5}
	norate := devices.Signal{ID: "x", Kind: devices.KindECG, Unit: "mV"}
	got := lanesForSignals([]SignalLane{{"oxi", pleth}, {"steth", pcg}, {"cap", odd}, {"ecg", ecg}, {"ecg", norate}})
	want := []struct {
		slot, signal, label string
		perUnit             float32
		paper               bool
	}{
		{"ecg", "ecg-1", "ECG I", 1e-3, true},
		{"oxi", "pleth", "Pleth", 1, false},
		{"steth", "pcg", "PCG", 1, false},
		{"cap", "co2", "co2", 1, false},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lanes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.slot != w.slot || g.signal != w.signal || g.trace.Label != w.label || g.perUnit != w.perUnit || g.trace.Paper != w.paper {
			t.Errorf("lane %d = %s/%s %q ×%g paper %v, want %+v", i, g.slot, g.signal, g.trace.Label, g.perUnit, g.trace.Paper, w)
		}
		if g.trace.Min >= g.trace.Max || g.trace.Rate <= 0 {
			t.Errorf("lane %d range %g..%g rate %g", i, g.trace.Min, g.trace.Max, g.trace.Rate)
		}
	}
	if got[1].trace.Max != 1 || got[1].trace.Min != 0 {
		t.Errorf("pleth range %g..%g, want its signal's 0..1", got[1].trace.Min, got[1].trace.Max)
	}
}
