package waveview

import (
	"strings"

	"telewave/ui/paper"
)

// settings are what the clinician changes while the view runs; the render
// goroutine copies them under the widget's mutex each frame.
type settings struct {
	cal     paper.Calibration
	hasCal  bool
	mode    Mode
	filters string
}

func (w *WaveView) update(f func(*settings)) {
	w.mu.Lock()
	f(&w.settings)
	w.mu.Unlock()
	w.gen.Add(1)
	w.Refresh()
}

// SetCalibration changes the paper speed, gain or DPI. It only takes
// effect on a view made with Options.Calibration: one without stays
// uncalibrated. The sweeps restart at the new speed from the samples the
// rings still hold.
func (w *WaveView) SetCalibration(c paper.Calibration) {
	if c.Validate() != nil {
		return
	}
	w.update(func(s *settings) {
		if s.hasCal {
			s.cal = c
		}
	})
}

// Calibration returns the calibration in use and whether there is one.
func (w *WaveView) Calibration() (paper.Calibration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.settings.cal, w.settings.hasCal
}

// SetMode switches between sweep and scroll.
func (w *WaveView) SetMode(m Mode) { w.update(func(s *settings) { s.mode = m }) }

// SetFilters changes the filter description StatusText prints.
func (w *WaveView) SetFilters(text string) { w.update(func(s *settings) { s.filters = text }) }

// Freeze stops folding new samples into the picture while the rings keep
// filling; Freeze(false) jumps to now, refilling the sweep from the rings.
func (w *WaveView) Freeze(on bool) {
	w.frozen.Store(on)
	w.gen.Add(1)
	w.Refresh()
}

// Frozen reports whether the picture is frozen.
func (w *WaveView) Frozen() bool { return w.frozen.Load() }

// StatusText is the line the screen prints beside the traces: speed and
// gain (or that the scale is not calibrated), filters, mode and FROZEN.
func (w *WaveView) StatusText() string {
	w.mu.Lock()
	s := w.settings
	w.mu.Unlock()
	var parts []string
	if s.hasCal {
		parts = append(parts, s.cal.Text())
	} else {
		parts = append(parts, "not to scale")
	}
	if s.filters != "" {
		parts = append(parts, s.filters)
	}
	if s.mode == ModeScroll {
		parts = append(parts, "scrolling")
	}
	if w.frozen.Load() {
		parts = append(parts, "FROZEN")
	}
	return strings.Join(parts, " · ")
}
