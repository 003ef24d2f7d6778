package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"telewave/ui/paper"
)

func TestCalipersDrag(t *testing.T) {
	test.NewTempApp(t)
	cal := paper.Calibration{DPI: 254, SpeedMMs: 25, GainMMmV: 10} // 250 px/s, 100 px/mV at scale 1
	c := newCalipers(func() paper.Calibration { return cal })
	w := test.NewTempWindow(t, c)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 400))

	for _, tc := range []struct {
		name   string
		from   fyne.Position
		dx, dy float32
		want   []string
	}{
		{"start", fyne.Position{}, 0, 0, []string{"Δt 400 ms", "150 /min", "Δ 0.60 mV"}},
		{"second time caliper to an RR of 800 ms", fyne.NewPos(202, 300), 100, 0, []string{"Δt 800 ms", "75 /min"}},
		{"first time caliper past the second", fyne.NewPos(99, 300), 300, 0, []string{"Δt 400 ms", "150 /min"}},
		{"amplitude caliper up", fyne.NewPos(500, 61), 0, -40, []string{"Δ 1.00 mV"}},
		{"drag away from every caliper moves none", fyne.NewPos(650, 250), 50, 50, []string{"Δt 400 ms", "Δ 1.00 mV"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dx != 0 || tc.dy != 0 {
				test.Drag(w.Canvas(), tc.from, tc.dx, tc.dy)
			}
			got := c.readout()
			for _, s := range tc.want {
				if !strings.Contains(got, s) {
					t.Errorf("readout %q lacks %q", got, s)
				}
			}
		})
	}
	r := test.WidgetRenderer(c).(*caliperRenderer)
	if r.lines[0].Position1.X != 400 || r.text.Text != c.readout() {
		t.Errorf("caliper 0 drawn at %v, readout %q", r.lines[0].Position1, r.text.Text)
	}
	// At 50 mm/s the same calipers measure half the time.
	cal.SpeedMMs = 50
	if got := c.readout(); !strings.Contains(got, "Δt 200 ms") {
		t.Errorf("at 50 mm/s readout %q", got)
	}
}
