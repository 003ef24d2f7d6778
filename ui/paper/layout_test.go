package paper

import (
	"math"
	"strings"
	"testing"
)

func TestLayout3x4AsACartPrints(t *testing.T) {
	c := Calibration{DPI: 96, SpeedMMs: 25, GainMMmV: 10, Calibrated: true}
	w := c.PulsePx() + 10*c.PxPerSecond() + 50 // room for 10 s
	lanes, err := Layout12(Layout3x4, w, 900, c, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"I": 0, "II": 0, "III": 0, "aVR": 2.5, "aVL": 2.5, "aVF": 2.5,
		"V1": 5, "V2": 5, "V3": 5, "V4": 7.5, "V5": 7.5, "V6": 7.5}
	if len(lanes) != 12 {
		t.Fatalf("%d lanes", len(lanes))
	}
	for _, l := range lanes {
		off, ok := want[l.Lead]
		if !ok || l.Offset != off {
			t.Errorf("%s at %g s, want %g", l.Lead, l.Offset, off)
		}
		if !near(l.Duration, 2.5, 1e-9) {
			t.Errorf("%s shows %g s, want 2.5", l.Lead, l.Duration)
		}
		if traceW := l.Rect.X + l.Rect.W - l.TraceX; !near(traceW, 2.5*c.PxPerSecond(), 1e-6) {
			t.Errorf("%s trace is %g px wide, want 2.5 s at 25 mm/s", l.Lead, traceW)
		}
		if l.Pulse != (off == 0) {
			t.Errorf("%s pulse=%v", l.Lead, l.Pulse)
		}
		if !near(l.Rect.H, 300, 1e-9) || l.Baseline <= l.Rect.Y || l.Baseline >= l.Rect.Y+l.Rect.H {
			t.Errorf("%s rect %+v baseline %g", l.Lead, l.Rect, l.Baseline)
		}
	}
	// Columns abut: aVR starts where I's trace ends.
	if !near(lanes[3].TraceX, lanes[0].TraceX+2.5*c.PxPerSecond(), 1e-6) {
		t.Errorf("aVR starts at %g, I's trace at %g", lanes[3].TraceX, lanes[0].TraceX)
	}
}

func TestLayoutShapes(t *testing.T) {
	c := Standard(96, true)
	for _, tc := range []struct {
		layout, rhythm string
		n, rows        int
		lastLead       string
		lastSecs       float64
	}{
		{Layout12x1, "", 12, 12, "V6", 10},
		{Layout6x2, "", 12, 6, "V6", 5},
		{Layout3x4, "", 12, 3, "V6", 2.5},
		{Layout3x4Plus, "", 13, 4, "II", 10},
		{Layout3x4Plus, "V1", 13, 4, "V1", 10},
	} {
		lanes, err := Layout12(tc.layout, 2000, 1200, c, tc.rhythm)
		if err != nil {
			t.Fatalf("%s: %v", tc.layout, err)
		}
		if len(lanes) != tc.n {
			t.Fatalf("%s: %d lanes, want %d", tc.layout, len(lanes), tc.n)
		}
		last := lanes[len(lanes)-1]
		if last.Lead != tc.lastLead || !near(last.Duration, tc.lastSecs, 1e-9) {
			t.Errorf("%s: last lane %s %g s, want %s %g s", tc.layout, last.Lead, last.Duration, tc.lastLead, tc.lastSecs)
		}
		rows := map[float64]bool{}
		for _, l := range lanes {
			rows[l.Rect.Y] = true
			if l.Rect.X < 0 || l.Rect.X+l.Rect.W > 2000+1e-9 || l.Rect.Y+l.Rect.H > 1200+1e-9 {
				t.Errorf("%s: %s outside the area: %+v", tc.layout, l.Lead, l.Rect)
			}
		}
		if len(rows) != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.layout, len(rows), tc.rows)
		}
	}
}

func TestLayoutNarrowShowsLessTime(t *testing.T) {
	c := Standard(96, true)
	w := c.PulsePx() + 5*c.PxPerSecond() // half of 10 s fits
	lanes, err := Layout12(Layout3x4, w, 600, c, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lanes {
		if !near(l.Duration, 1.25, 1e-9) || math.Mod(l.Offset, 2.5) != 0 {
			t.Errorf("%s: %g s from %g s, want 1.25 s from a multiple of 2.5", l.Lead, l.Duration, l.Offset)
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	c := Standard(96, true)
	for _, tc := range []struct {
		layout string
		w, h   float64
		c      Calibration
		want   string
	}{
		{"4x3", 800, 600, c, "not one of"},
		{Layout3x4, 0, 600, c, "size"},
		{Layout3x4, 800, math.NaN(), c, "size"},
		{Layout3x4, 20, 600, c, "too narrow"},
		{Layout3x4, 800, 600, Calibration{}, "DPI"},
	} {
		_, err := Layout12(tc.layout, tc.w, tc.h, tc.c, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Layout12(%q, %g, %g) = %v, want %q", tc.layout, tc.w, tc.h, err, tc.want)
		}
	}
}

func TestMonitorLayout(t *testing.T) {
	in := []MonitorLane{{ECG, "II", Rect{}}, {ECG, "V5", Rect{}}, {Pleth, "Pleth", Rect{}}, {Pressure, "ABP", Rect{}}, {Resp, "Resp", Rect{}}}
	waves, tiles := MonitorLayout(1200, 900, in, 4)
	if len(waves) != 5 || len(tiles) != 4 {
		t.Fatalf("%d lanes, %d tiles", len(waves), len(tiles))
	}
	y := 0.0
	for i, l := range waves {
		if l.Label != in[i].Label || !near(l.Rect.Y, y, 1e-9) || l.Rect.W != tiles[0].X {
			t.Errorf("lane %d = %+v", i, l)
		}
		y += l.Rect.H
	}
	if !near(y, 900, 1e-9) {
		t.Errorf("lanes fill %g of 900 px", y)
	}
	if !(waves[0].Rect.H > waves[2].Rect.H && waves[3].Rect.H > waves[4].Rect.H) {
		t.Errorf("ECG lanes should be tallest, then pressure: %+v", waves)
	}
	if tw := tiles[0].W; tw < 120 || tw > 280 || !near(tiles[3].Y+tiles[3].H, 900, 1e-9) {
		t.Errorf("tiles %+v", tiles)
	}
	if w, tl := MonitorLayout(1200, 900, in, 0); len(tl) != 0 || w[0].Rect.W != 1200 {
		t.Errorf("no tiles: lanes %+v tiles %v", w[0], tl)
	}
	if w, _ := MonitorLayout(0, 900, in, 2); w != nil {
		t.Error("zero width gave lanes")
	}
}
