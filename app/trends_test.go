package app

import (
	"context"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// The live trend keeps fresh, valid values only, answers a window oldest
// first, and a full ring drops the oldest point, never the newest.
func TestTrendsSampleAndRing(t *testing.T) {
	m := NewMonitor()
	tr := newTrends()
	t0 := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	m.Observe(Envelope{Device: "ox", Msg: &devices.Numeric{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 96, Time: t0}})
	m.Observe(Envelope{Device: "ecg", Msg: &devices.Numeric{Code: devices.MDCECGHeartRate, Label: "HR", Value: 80, Time: t0.Add(-time.Minute)}})
	m.Observe(Envelope{Device: "ox", Msg: &devices.Numeric{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 0, Time: t0, Status: devices.Unavailable}})
	tr.sample(m, t0.Add(time.Second))
	got := tr.Between(t0, t0.Add(time.Hour))
	if len(got) != 1 || got[0].Param != "SpO2" || got[0].Value != 96 {
		t.Fatalf("sampled %+v, want only the fresh valid SpO2", got)
	}

	small := &Trends{points: make([]TrendPoint, 3)}
	for i := 0; i < 5; i++ {
		small.add(TrendPoint{Time: t0.Add(time.Duration(i) * time.Second), Param: "HR", Value: float64(i)})
	}
	all := small.Between(t0, t0.Add(time.Hour))
	if len(all) != 3 || all[0].Value != 2 || all[2].Value != 4 {
		t.Fatalf("ring holds %+v, want values 2, 3, 4", all)
	}
	if w := small.Between(t0.Add(3*time.Second), t0.Add(4*time.Second)); len(w) != 1 || w[0].Value != 3 {
		t.Fatalf("window [3 s, 4 s) gives %+v", w)
	}
}

// Older history comes from the charted vitals in the store, up to the
// live session's first point.
func TestTrendHistoryJoinsChartedAndLive(t *testing.T) {
	store, p := openStore(t)
	t0 := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		c := storage.Chart{ID: "00000000-0000-4000-8000-00000000000" + string(rune('0'+i)), PatientMRN: p.MRN,
			Time: t0.Add(time.Duration(i) * 15 * time.Minute), Author: "admin",
			Vitals: []storage.Vital{{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: float64(90 + i), Unit: "%"}}}
		if _, err := store.ChartVitals(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p, Now: func() time.Time { return t0.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	w.Trends.add(TrendPoint{Time: t0.Add(40 * time.Minute), Param: "SpO2", Value: 99})
	got, err := w.TrendHistory(ctx, t0, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Charts at 0, 15 and 30 min come from the store; the one at 45 min is
	// after the live session began, where the live points rule.
	want := []float64{90, 91, 92, 99}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want values %v", got, want)
	}
	for i, v := range want {
		if got[i].Value != v || got[i].Param != "SpO2" {
			t.Fatalf("point %d: %+v, want SpO2 %g", i, got[i], v)
		}
	}
}
