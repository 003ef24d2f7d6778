package alarms

import (
	"strings"
	"testing"
	"time"
)

func TestAgeGroupAt(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		birth string
		want  AgeGroup
		ok    bool
	}{
		{"2026-11-21", Neonate, true},
		{"2026-10-25", Neonate, true}, // 27 days
		{"2026-10-24", Infant, true},  // 28 days
		{"2025-11-22", Infant, true},
		{"2025-11-21", Child, true}, // first birthday
		{"2014-11-22", Child, true},
		{"2014-11-21", Adult, true}, // twelfth birthday
		{"1950-01-01", Adult, true},
		{"", Adult, false},
		{"21/11/2014", Adult, false},
		{"2027-01-01", Adult, false}, // in the future
	} {
		g, ok := AgeGroupAt(c.birth, now)
		if g != c.want || ok != c.ok {
			t.Errorf("AgeGroupAt(%q) = %s, %v; want %s, %v", c.birth, g, ok, c.want, c.ok)
		}
	}
}

func TestProfileRoundTrip(t *testing.T) {
	w := newWard(t, Adult)
	if pr := w.e.Profile(); pr.Age != Adult || len(pr.Limits) != 0 {
		t.Fatalf("fresh engine profile %+v, want adult defaults only", pr)
	}
	if err := w.e.SetAgeGroup(Child, "nurse"); err != nil {
		t.Fatal(err)
	}
	own := Limits{ExtremeLow: 45, Low: 60, High: 140, ExtremeHigh: 170}
	if err := w.e.SetLimits(HR, own, "nurse"); err != nil {
		t.Fatal(err)
	}
	b, err := MarshalProfile(w.e.Profile())
	if err != nil {
		t.Fatal(err)
	}
	pr, err := UnmarshalProfile(b)
	if err != nil {
		t.Fatal(err)
	}
	other := newWard(t, Adult)
	if err := other.e.ApplyProfile(pr, "nurse"); err != nil {
		t.Fatal(err)
	}
	if other.e.AgeGroup() != Child || other.e.Limits(HR) != own || other.e.Limits(SpO2) != DefaultLimits(Child)[SpO2] {
		t.Fatalf("applied profile: age %s HR %+v SpO2 %+v", other.e.AgeGroup(), other.e.Limits(HR), other.e.Limits(SpO2))
	}
	j := other.journal()
	if len(j) == 0 || j[len(j)-1].Action != LimitsChanged || j[len(j)-1].User != "nurse" {
		t.Fatalf("applying a profile is not journalled: %+v", j)
	}
}

func TestApplyProfileJudgesAtOnce(t *testing.T) {
	w := newWard(t, Adult)
	for range 20 {
		w.numeric(147842, 110) // MDC_ECG_HEART_RATE, inside adult limits
		w.step(time.Second)
	}
	if n := len(w.e.State().Alarms); n != 0 {
		t.Fatalf("%d alarms at HR 110 with adult limits", n)
	}
	pr := Profile{Age: Adult, Limits: map[string]Limits{"hr": {ExtremeLow: 40, Low: 50, High: 100, ExtremeHigh: 140}}}
	if err := w.e.ApplyProfile(pr, "nurse"); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		w.numeric(147842, 110)
		w.step(time.Second)
	}
	st := w.e.State()
	if len(st.Alarms) != 1 || !strings.Contains(strings.ToLower(st.Alarms[0].Text), "hr") {
		t.Fatalf("after lowering the HR high limit to 100: %+v", st.Alarms)
	}
}

func TestUnmarshalProfileRejects(t *testing.T) {
	for _, in := range []string{
		`{`,
		`{"age":7}`,
		`{"age":0,"limits":{"bogus":{"low":1}}}`,
		`{"age":0,"limits":{"hr":{"low":120,"high":50}}}`,
		`{"age":0,"limits":{"hr":{"low":-5}}}`,
	} {
		if _, err := UnmarshalProfile([]byte(in)); err == nil {
			t.Errorf("UnmarshalProfile(%s) accepted", in)
		}
	}
}
