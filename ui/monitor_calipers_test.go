package ui

import (
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"telewave/ui/paper"
)

// Freezing the live waveforms lays calipers over them, reading at the
// monitor's own calibration; a speed change re-reads them; unfreezing
// takes them away.
func TestFrozenMonitorHasCalipers(t *testing.T) {
	_, ws, _ := demoWorkstation(t, false)
	m := newMonitorScreen(ws, 30, paper.Screen{DPI: 254, Source: "test", Calibrated: true})
	w := test.NewTempWindow(t, m.content())
	w.Resize(fyne.NewSize(1200, 800))

	if m.calipers.Visible() {
		t.Fatal("calipers shown over live waveforms")
	}
	test.Tap(m.paper.freeze)
	if !m.disp.view.Frozen() || !m.calipers.Visible() {
		t.Fatalf("after Freeze: frozen %v, calipers shown %v", m.disp.view.Frozen(), m.calipers.Visible())
	}
	// 254 dpi = 10 px/mm: at 25 mm/s the calipers' 100 px start gap is 400 ms.
	s := canvasScale(m.calipers)
	want := 100 * float64(s) / 10 / 25 * 1000
	if got := m.calipers.readout(); !strings.Contains(got, "Δt "+strconv.Itoa(int(want+0.5))+" ms") {
		t.Fatalf("readout at 25 mm/s: %q, want Δt %.0f ms", got, want)
	}
	m.cal.SpeedMMs = 50
	m.paper.refresh()
	if got := m.calipers.readout(); !strings.Contains(got, "Δt "+strconv.Itoa(int(want/2+0.5))+" ms") {
		t.Fatalf("readout at 50 mm/s: %q, want Δt %.0f ms", got, want/2)
	}
	test.Tap(m.paper.freeze)
	if m.disp.view.Frozen() || m.calipers.Visible() {
		t.Fatalf("after Unfreeze: frozen %v, calipers shown %v", m.disp.view.Frozen(), m.calipers.Visible())
	}
}
