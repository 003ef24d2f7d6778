package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"telewave/alarms"
)

// fakeLimits keeps limits like the engine does, checking them the same way.
type fakeLimits struct {
	age    alarms.AgeGroup
	limits map[alarms.Parameter]alarms.Limits
	sets   int
}

func newFakeLimits() *fakeLimits {
	f := &fakeLimits{limits: map[alarms.Parameter]alarms.Limits{}}
	f.SetAgeGroup(alarms.Adult, "")
	return f
}

func (f *fakeLimits) Limits(p alarms.Parameter) alarms.Limits { return f.limits[p] }
func (f *fakeLimits) AgeGroup() alarms.AgeGroup               { return f.age }
func (f *fakeLimits) SetLimits(p alarms.Parameter, l alarms.Limits, user string) error {
	if user == "" {
		return errors.New("no user")
	}
	if err := l.Check(); err != nil {
		return err
	}
	f.sets++
	f.limits[p] = l
	return nil
}
func (f *fakeLimits) SetAgeGroup(g alarms.AgeGroup, user string) error {
	f.age = g
	d := alarms.DefaultLimits(g)
	for _, p := range alarms.Parameters() {
		f.limits[p] = d[p]
	}
	return nil
}

func TestLimitsFormShowsEditsAndRefuses(t *testing.T) {
	test.NewTempApp(t)
	src := newFakeLimits()
	f := newLimitsForm(src, "nurse")
	hr := f.entries[alarms.HR]
	if hr[1].Text != "50" || hr[2].Text != "120" {
		t.Fatalf("HR row shows %q..%q, want the adult defaults 50..120", hr[1].Text, hr[2].Text)
	}
	if f.entries[alarms.SpO2][2].Text != "" {
		t.Fatalf("an off limit shows %q, want empty", f.entries[alarms.SpO2][2].Text)
	}

	// A wrong row changes nothing and names the parameter.
	test.Type(hr[2], "x") // "120x"
	f.apply()
	if src.sets != 0 || !strings.Contains(f.status.Text, "HR") {
		t.Fatalf("bad entry: %d sets, status %q", src.sets, f.status.Text)
	}
	hr[2].SetText("40") // below low
	f.apply()
	if src.sets != 0 || !strings.Contains(f.status.Text, "order") {
		t.Fatalf("out of order: %d sets, status %q", src.sets, f.status.Text)
	}

	// A good edit changes only that parameter.
	hr[2].SetText("110")
	f.apply()
	if src.sets != 1 || src.Limits(alarms.HR).High != 110 {
		t.Fatalf("after setting HR high 110: %d sets, %+v, status %q", src.sets, src.Limits(alarms.HR), f.status.Text)
	}

	// Age-group defaults reload the rows.
	f.age.SetSelected("neonate")
	f.loadDefaults()
	if src.AgeGroup() != alarms.Neonate || hr[2].Text != "200" {
		t.Fatalf("neonate defaults: age %s, HR high shows %q", src.AgeGroup(), hr[2].Text)
	}
}
