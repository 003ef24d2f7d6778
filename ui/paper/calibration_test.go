package paper

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestCalibrationScales(t *testing.T) {
	for _, tc := range []struct {
		dpi, speed, gain        float64
		wantMM, wantSec, wantMV float64
	}{
		{96, 25, 10, 3.7795, 94.488, 37.795},
		{96, 50, 10, 3.7795, 188.976, 37.795},
		{254, 25, 5, 10, 250, 50},
		{254, 25, 20, 10, 250, 200},
		{163, 25, 10, 6.4173, 160.433, 64.173},
	} {
		c := Calibration{DPI: tc.dpi, SpeedMMs: tc.speed, GainMMmV: tc.gain}
		if got := c.PxPerMM(); !near(got, tc.wantMM, 1e-3) {
			t.Errorf("%+v: px/mm %g, want %g", c, got, tc.wantMM)
		}
		if got := c.PxPerSecond(); !near(got, tc.wantSec, 1e-2) {
			t.Errorf("%+v: px/s %g, want %g", c, got, tc.wantSec)
		}
		if got := c.PxPerMV(); !near(got, tc.wantMV, 1e-2) {
			t.Errorf("%+v: px/mV %g, want %g", c, got, tc.wantMV)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		c  Calibration
		ok bool
	}{
		{Standard(96, false), true},
		{Calibration{DPI: 0, SpeedMMs: 25, GainMMmV: 10}, false},
		{Calibration{DPI: math.NaN(), SpeedMMs: 25, GainMMmV: 10}, false},
		{Calibration{DPI: 5000, SpeedMMs: 25, GainMMmV: 10}, false},
		{Calibration{DPI: 96, SpeedMMs: -25, GainMMmV: 10}, false},
		{Calibration{DPI: 96, SpeedMMs: 25, GainMMmV: math.Inf(1)}, false},
	} {
		err := tc.c.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrCalibration)) {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tc.c, err, tc.ok)
		}
	}
}

func TestText(t *testing.T) {
	if got := Standard(110, true).Text(); got != "25 mm/s  10 mm/mV" {
		t.Errorf("calibrated text %q", got)
	}
	got := Calibration{DPI: DefaultDPI, SpeedMMs: 50, GainMMmV: 20}.Text()
	for _, w := range []string{"50 mm/s", "20 mm/mV", "uncalibrated", "96 dpi"} {
		if !strings.Contains(got, w) {
			t.Errorf("uncalibrated text %q lacks %q", got, w)
		}
	}
}

func TestCorrectDPI(t *testing.T) {
	for _, tc := range []struct {
		dpi, drawn, measured, want float64
		ok                         bool
	}{
		{96, 50, 50, 96, true},
		{96, 50, 40, 120, true},    // bar came out short: more pixels per mm
		{96, 50, 62.5, 76.8, true}, // bar came out long
		{96, 50, 0, 0, false},
		{96, 50, -3, 0, false},
		{96, 50, 0.5, 0, false}, // 9600 dpi: a typo, not a screen
		{96, 50, math.NaN(), 0, false},
	} {
		got, err := CorrectDPI(tc.dpi, tc.drawn, tc.measured)
		if (err == nil) != tc.ok || !near(got, tc.want, 1e-9) {
			t.Errorf("CorrectDPI(%g, %g, %g) = %g, %v; want %g ok=%v", tc.dpi, tc.drawn, tc.measured, got, err, tc.want, tc.ok)
		}
	}
}
