package sqlite

import (
	"context"
	"testing"
	"time"
)

// Trends read back the charted values of one patient in a time window,
// oldest first, and never another patient's.
func TestVitalsBetween(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	p := addPatient(t, s, "MRN-T", "Trend Patient")
	other := addPatient(t, s, "MRN-O", "Other Patient")
	t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		c := chartFor("MRN-T", chartID(i), t0.Add(time.Duration(i)*15*time.Minute))
		c.Vitals[0].Value = float64(90 + i)
		if _, err := s.ChartVitals(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ChartVitals(ctx, chartFor("MRN-O", chartID(99), t0.Add(20*time.Minute))); err != nil {
		t.Fatal(err)
	}
	got, err := s.VitalsBetween(ctx, p.ID, t0.Add(15*time.Minute), t0.Add(60*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// Charts 1, 2 and 3 (15, 30, 45 min), two vitals each.
	if len(got) != 6 {
		t.Fatalf("%d vitals, want 6: %+v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Before(got[i-1].Time) {
			t.Fatalf("not oldest first: %v after %v", got[i].Time, got[i-1].Time)
		}
	}
	var spo2 []float64
	for _, v := range got {
		if v.Label == "SpO2" {
			spo2 = append(spo2, v.Value)
		}
	}
	if len(spo2) != 3 || spo2[0] != 91 || spo2[2] != 93 {
		t.Fatalf("SpO2 values %v, want [91 92 93]", spo2)
	}
	if o, err := s.VitalsBetween(ctx, other.ID, t0, t0.Add(2*time.Hour)); err != nil || len(o) != 2 {
		t.Fatalf("other patient: %d vitals, %v; want 2", len(o), err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM audit WHERE action = 'view'`); n < 2 {
		t.Fatalf("%d view audit rows, want one per query", n)
	}
}
