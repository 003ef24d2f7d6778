package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"telewave/storage"
)

func TestManualVitals(t *testing.T) {
	tests := []struct {
		name  string
		typed map[string]string
		want  map[uint32]float64 // nil: refused
		err   string
	}{
		{"full set", map[string]string{"sys": "128", "dia": "84", "temp": "37,2", "rr": "16", "weight": "71.5"},
			map[uint32]float64{mdcNIBPSys: 128, mdcNIBPDia: 84, mdcTempBody: 37.2, mdcRespRate: 16, mdcMassBody: 71.5}, ""},
		{"nothing typed", map[string]string{"sys": " "}, nil, "nothing to chart"},
		{"not a number", map[string]string{"rr": "sixteen"}, nil, `Respiratory rate: "sixteen" is not a number`},
		{"fever in Fahrenheit", map[string]string{"temp": "101"}, nil, "Temperature: 101 °C is outside 25–45 °C"},
		{"half a blood pressure", map[string]string{"sys": "120"}, nil, "give both"},
		{"swapped blood pressure", map[string]string{"sys": "80", "dia": "120"}, nil, "diastolic must be below"},
		{"every problem at once", map[string]string{"weight": "0", "rr": "x"}, nil, "Weight: 0 kg is outside"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := manualVitals(tc.typed)
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("%+v, %v", got, err)
			}
			for _, v := range got {
				if w, ok := tc.want[v.Code]; !ok || v.Value != w || v.Unit == "" {
					t.Errorf("vital %+v, want value %v", v, w)
				}
			}
		})
	}
}

func TestChartingFormQueuesTheChart(t *testing.T) {
	test.NewTempApp(t)
	s, user, p := syncStore(t)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	var kicked int64
	f := newChartingForm(s, p, user.Name, func() time.Time { return at }, func(id int64) { kicked = id })
	w := test.NewWindow(f.root)
	defer w.Close()

	test.Type(f.entries["sys"], "300")
	test.Type(f.entries["dia"], "82")
	test.Type(f.entries["temp"], "38.4")
	test.Type(f.entries["rr"], "22")
	test.Type(f.entries["weight"], "64")
	test.Tap(f.submit)
	if !strings.Contains(f.status.Text, "Sign the chart first") || kicked != 0 {
		t.Fatal("charted without a signature")
	}
	f.entries["sys"].SetText("301")
	f.sign.SetChecked(true)
	test.Tap(f.submit)
	if !strings.Contains(f.status.Text, "BP systolic: 301 mmHg is outside") {
		t.Fatalf("status %q", f.status.Text)
	}
	f.entries["sys"].SetText("142")
	test.Tap(f.submit)
	waitFor(t, "the chart", func() bool { return strings.HasPrefix(f.status.Text, "Charted") })

	units, err := s.ClaimDue(context.Background(), time.Now().Add(time.Hour), 10)
	if err != nil || len(units) != 1 || units[0].ID != kicked || units[0].Chart == nil {
		t.Fatalf("outbox: %+v, %v (kicked %d)", units, err, kicked)
	}
	c := units[0].Chart
	if c.PatientMRN != p.MRN || c.Author != user.Name || !c.Time.Equal(at) {
		t.Errorf("chart %+v", c)
	}
	want := map[uint32]storage.Vital{
		mdcNIBPSys: {Value: 142, Unit: "mm[Hg]"}, mdcNIBPDia: {Value: 82, Unit: "mm[Hg]"}, mdcTempBody: {Value: 38.4, Unit: "Cel"},
		mdcRespRate: {Value: 22, Unit: "/min"}, mdcMassBody: {Value: 64, Unit: "kg"},
	}
	if len(c.Vitals) != len(want) {
		t.Fatalf("vitals %+v", c.Vitals)
	}
	for _, v := range c.Vitals {
		if w := want[v.Code]; v.Value != w.Value || v.Unit != w.Unit {
			t.Errorf("vital %d = %v %s, want %v %s", v.Code, v.Value, v.Unit, w.Value, w.Unit)
		}
	}
	if f.entries["sys"].Text != "" || f.sign.Checked {
		t.Error("the form kept the charted values or the signature")
	}
}
