// Package paper is the geometry of calibrated ECG paper on a screen: how
// many pixels a millimetre, a second and a millivolt take at the screen's
// physical DPI, where the 1 mm and 5 mm grid lines fall, where the 1 mV
// calibration pulse goes, how the 12-lead and monitor layouts divide a
// window into lanes, and what the calipers measure.
//
// It is pure Go (no Fyne): the live waveform view, the 12-lead view and the
// settings form all take their numbers from here, so that 25 mm/s and
// 10 mm/mV mean the same thing everywhere.
package paper

import (
	"errors"
	"fmt"
	"math"
)

// DefaultDPI is the DPI assumed when the OS does not say: the screen is then
// uncalibrated and the display says so.
const DefaultDPI = 96.0

// Paper speeds (mm/s) and gains (mm/mV) the displays offer, as carts do.
var (
	Speeds = []float64{25, 50}
	Gains  = []float64{5, 10, 20}
)

// ErrCalibration is wrapped by Validate's errors.
var ErrCalibration = errors.New("invalid calibration")

// Calibration maps paper units to device pixels.
type Calibration struct {
	// DPI is the screen's physical device pixels per inch (from the OS or
	// corrected with the on-screen ruler).
	DPI float64
	// SpeedMMs is the paper speed in mm/s (25 or 50).
	SpeedMMs float64
	// GainMMmV is the gain in mm/mV (5, 10 or 20).
	GainMMmV float64
	// Calibrated is false when DPI is a guess (DefaultDPI); the display
	// then prints "uncalibrated" beside speed and gain.
	Calibrated bool
}

// Standard is 25 mm/s and 10 mm/mV at dpi.
func Standard(dpi float64, calibrated bool) Calibration {
	return Calibration{DPI: dpi, SpeedMMs: 25, GainMMmV: 10, Calibrated: calibrated}
}

// Validate reports a DPI, speed or gain that cannot be drawn: not finite,
// not positive, or a DPI outside 30–1200 (no real screen).
func (c Calibration) Validate() error {
	switch {
	case !finite(c.DPI) || c.DPI < 30 || c.DPI > 1200:
		return fmt.Errorf("%w: DPI %g outside 30–1200", ErrCalibration, c.DPI)
	case !finite(c.SpeedMMs) || c.SpeedMMs <= 0:
		return fmt.Errorf("%w: speed %g mm/s", ErrCalibration, c.SpeedMMs)
	case !finite(c.GainMMmV) || c.GainMMmV <= 0:
		return fmt.Errorf("%w: gain %g mm/mV", ErrCalibration, c.GainMMmV)
	}
	return nil
}

// PxPerMM is device pixels per millimetre.
func (c Calibration) PxPerMM() float64 { return c.DPI / 25.4 }

// PxPerSecond is how many pixels one second of signal takes across.
func (c Calibration) PxPerSecond() float64 { return c.SpeedMMs * c.PxPerMM() }

// PxPerMV is how many pixels one millivolt takes up.
func (c Calibration) PxPerMV() float64 { return c.GainMMmV * c.PxPerMM() }

// Text is the calibration as the screen prints it, e.g.
// "25 mm/s  10 mm/mV" or "25 mm/s  10 mm/mV  (uncalibrated screen, 96 dpi)".
func (c Calibration) Text() string {
	s := fmt.Sprintf("%g mm/s  %g mm/mV", c.SpeedMMs, c.GainMMmV)
	if !c.Calibrated {
		s += fmt.Sprintf("  (uncalibrated screen, %g dpi)", math.Round(c.DPI))
	}
	return s
}

// CorrectDPI returns the DPI that makes a bar drawn drawnMM long at dpi
// measure measuredMM on the screen: the ruler check in settings.
func CorrectDPI(dpi, drawnMM, measuredMM float64) (float64, error) {
	if !finite(measuredMM) || measuredMM <= 0 || !finite(drawnMM) || drawnMM <= 0 {
		return 0, fmt.Errorf("%w: measured %g mm of a %g mm bar", ErrCalibration, measuredMM, drawnMM)
	}
	out := dpi * drawnMM / measuredMM
	if err := (Calibration{DPI: out, SpeedMMs: 25, GainMMmV: 10}).Validate(); err != nil {
		return 0, fmt.Errorf("correct %g dpi by %g/%g mm: %w", dpi, drawnMM, measuredMM, err)
	}
	return out, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
