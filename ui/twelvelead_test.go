package ui

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"telewave/formats/ecg12"
	"telewave/ui/paper"
)

// squareRecord is 10 s of 12 leads at 500 Hz: 0 µV, with 1 mV from 1 s to
// 2 s on every lead.
func squareRecord() *ecg12.Record {
	rec := &ecg12.Record{SampleRate: 500}
	for _, l := range []string{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"} {
		s := make([]int32, 5000)
		for i := 500; i < 1000; i++ {
			s[i] = 1000
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: l, Samples: s, Scale: 1})
	}
	return rec
}

func inkRows(img image.Image, x, y0, y1 int) []int {
	var rows []int
	for y := y0; y < y1; y++ {
		if r, g, b, _ := img.At(x, y).RGBA(); r == 0 && g == 0 && b == 0 {
			rows = append(rows, y)
		}
	}
	return rows
}

func TestTwelveLeadViewDrawsAtScale(t *testing.T) {
	test.NewTempApp(t)
	cal := paper.Calibration{DPI: 127, SpeedMMs: 25, GainMMmV: 10, Calibrated: true} // 5 px/mm
	v := newTwelveLeadView(squareRecord(), cal)
	img := v.strip.draw(1400, 900) // 3×4+1: 4 rows of 225 px
	if len(v.strip.lanes) != 13 {
		t.Fatalf("%d lanes", len(v.strip.lanes))
	}
	ii := v.strip.lanes[1]
	base := int(ii.Baseline + 0.5)
	// Pulse: 1 mV is 10 mm = 50 px above the baseline.
	if rows := inkRows(img, 20, int(ii.Rect.Y), int(ii.Rect.Y+ii.Rect.H)); len(rows) != 1 || rows[0] != base-50 {
		t.Errorf("pulse top at rows %v, want [%d]", rows, base-50)
	}
	// 1.5 s into lead II: 1 mV; 25 mm/s = 125 px/s.
	if rows := inkRows(img, int(ii.TraceX)+187, int(ii.Rect.Y), int(ii.Rect.Y+ii.Rect.H)); len(rows) != 1 || rows[0] != base-50 {
		t.Errorf("lead II at 1.5 s rows %v, want [%d]", rows, base-50)
	}
	// Switching the gain to 20 mm/mV doubles the step.
	v.gain.SetSelected("20 mm/mV")
	img = v.strip.draw(1400, 900)
	if rows := inkRows(img, int(ii.TraceX)+187, int(ii.Rect.Y), int(ii.Rect.Y+ii.Rect.H)); len(rows) != 1 || rows[0] != base-100 {
		t.Errorf("at 20 mm/mV rows %v, want [%d]", rows, base-100)
	}
	if v.status.Text != "25 mm/s  20 mm/mV" {
		t.Errorf("status %q", v.status.Text)
	}
	v.layout.SetSelected(paper.Layout12x1)
	v.strip.draw(1400, 900)
	if len(v.strip.lanes) != 12 || v.strip.lanes[11].Lead != "V6" {
		t.Errorf("12x1 lanes %d", len(v.strip.lanes))
	}
}

func TestTwelveLeadLabelsMissingLeads(t *testing.T) {
	test.NewTempApp(t)
	rec := squareRecord()
	rec.Leads = rec.Leads[:6] // limb leads only
	v := newTwelveLeadView(rec, paper.Standard(96, true))
	w := test.NewTempWindow(t, v.content())
	w.Resize(fyne.NewSize(1300, 700))
	var texts []string
	r := test.WidgetRenderer(v.strip).(*stripRenderer)
	for _, l := range r.labels {
		if !l.Hidden {
			texts = append(texts, l.Text)
		}
	}
	want := map[string]bool{"I": true, "aVF": true, "V1 not recorded": true, "V6 not recorded": true}
	found := 0
	for _, s := range texts {
		if want[s] {
			found++
		}
	}
	if found != len(want) {
		t.Errorf("labels %v lack some of %v", texts, want)
	}
}
