package fhir

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
)

const testPatient = "Patient/p-1"

var (
	testSystems = Systems{Observation: "https://telewave.example/fhir/sid/observation", MRN: "urn:telewave:mrn"}
	chartTime   = time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
)

func chart(id string, vitals ...storage.Vital) storage.Chart {
	return storage.Chart{ID: id, PatientMRN: "MRN-0001", Time: chartTime, Vitals: vitals}
}

func vital(code uint32, value float64, unit string) storage.Vital {
	return storage.Vital{Code: code, Value: value, Unit: unit}
}

// want describes one expected member Observation (reference/fhir.md §4).
type want struct {
	codes   []string // system|code, in order
	profile string   // "" for none
	unit    string   // UCUM code of valueQuantity, "" when absent
	value   float64
	status  string
	absent  string // dataAbsentReason code
	comps   []string
}

func TestChartBundleMapping(t *testing.T) {
	const L, M = SystemLOINC + "|", SystemMDC + "|"
	tests := []struct {
		name  string
		chart storage.Chart
		want  []want
	}{
		{
			name:  "spo2 and pulse rate",
			chart: chart("c-1", vital(devices.MDCPulsOximSatO2, 97, "%"), vital(devices.MDCPulsOximPulsRt, 72, "/min")),
			want: []want{
				{codes: []string{L + "2708-6", L + "59408-5", M + "150456"}, profile: "oxygensat", unit: "%", value: 97, status: "final"},
				{codes: []string{L + "8867-4", M + "149530"}, profile: "heartrate", unit: "/min", value: 72, status: "final"},
			},
		},
		{
			name: "heart rate, respiration, temperature",
			chart: chart("c-2", vital(devices.MDCECGHeartRate, 61, "bpm"), vital(151562, 14, "/min"),
				vital(150364, 36.8, "Cel")),
			want: []want{
				{codes: []string{L + "8867-4", M + "147842"}, profile: "heartrate", unit: "/min", value: 61, status: "final"},
				{codes: []string{L + "9279-1", M + "151562"}, profile: "resprate", unit: "/min", value: 14, status: "final"},
				{codes: []string{L + "8310-5", M + "150364"}, profile: "bodytemp", unit: "Cel", value: 36.8, status: "final"},
			},
		},
		{
			name:  "temperature in fahrenheit keeps its unit",
			chart: chart("c-3", vital(150364, 98.6, "[degF]")),
			want:  []want{{codes: []string{L + "8310-5", M + "150364"}, profile: "bodytemp", unit: "[degF]", value: 98.6, status: "final"}},
		},
		{
			name:  "blood pressure as components",
			chart: chart("c-4", vital(150021, 120, "mm[Hg]"), vital(150022, 80, "mmHg"), vital(150023, 93, "mm[Hg]")),
			want: []want{{codes: []string{L + "85354-9", M + "150020"}, profile: "bp", status: "final",
				comps: []string{"8480-6=120 mm[Hg]", "8462-4=80 mm[Hg]", "8478-0=93 mm[Hg]"}}},
		},
		{
			name:  "blood pressure without diastolic sends it absent",
			chart: chart("c-5", vital(150021, 120, "mm[Hg]")),
			want: []want{{codes: []string{L + "85354-9", M + "150020"}, profile: "bp", status: "final",
				comps: []string{"8480-6=120 mm[Hg]", "8462-4=absent:unknown"}}},
		},
		{
			name:  "unknown code passes through with MDC only",
			chart: chart("c-6", storage.Vital{Code: 150488, Label: "PI", Value: 2.5, Unit: "%"}),
			want:  []want{{codes: []string{M + "150488"}, unit: "%", value: 2.5, status: "final"}},
		},
		{
			name:  "unit a profile does not allow falls back to MDC only",
			chart: chart("c-7", vital(150364, 310, "K")),
			want:  []want{{codes: []string{M + "150364"}, unit: "K", value: 310, status: "final"}},
		},
		{
			name: "questionable is preliminary, unavailable has no value",
			chart: chart("c-8",
				storage.Vital{Code: devices.MDCPulsOximSatO2, Value: 88, Unit: "%", Status: devices.QuestionableValue},
				storage.Vital{Code: devices.MDCPulsOximPulsRt, Value: 0, Unit: "/min", Status: devices.Unavailable}),
			want: []want{
				{codes: []string{L + "2708-6", L + "59408-5", M + "150456"}, profile: "oxygensat", unit: "%", value: 88, status: "preliminary"},
				{codes: []string{L + "8867-4", M + "149530"}, profile: "heartrate", status: "final", absent: "unknown"},
			},
		},
		{
			name:  "not a number",
			chart: chart("c-9", vital(devices.MDCPulsOximSatO2, math.NaN(), "%")),
			want:  []want{{codes: []string{L + "2708-6", L + "59408-5", M + "150456"}, profile: "oxygensat", status: "final", absent: "NaN"}},
		},
		{
			name:  "a repeated code is kept, not merged",
			chart: chart("c-10", vital(devices.MDCPulsOximSatO2, 97, "%"), vital(devices.MDCPulsOximSatO2, 96, "%")),
			want: []want{
				{codes: []string{L + "2708-6", L + "59408-5", M + "150456"}, profile: "oxygensat", unit: "%", value: 97, status: "final"},
				{codes: []string{L + "2708-6", L + "59408-5", M + "150456"}, profile: "oxygensat", unit: "%", value: 96, status: "final"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ChartBundle(tt.chart, testPatient, testSystems)
			if err != nil {
				t.Fatalf("ChartBundle: %v", err)
			}
			obs := checkTransaction(t, b, testPatient, testSystems)
			if len(b.Entry) != len(tt.want)+1 {
				t.Fatalf("%d entries, want %d members and a panel", len(b.Entry), len(tt.want))
			}
			for i, w := range tt.want {
				checkMember(t, obs[b.Entry[i].FullURL], w)
			}
			panel := obs[b.Entry[len(b.Entry)-1].FullURL]
			checkMember(t, panel, want{codes: []string{L + "85353-1"}, profile: "vitalspanel", status: "final"})
			var members []string
			for _, r := range panel.HasMember {
				members = append(members, r.Reference)
			}
			var fullURLs []string
			for _, e := range b.Entry[:len(b.Entry)-1] {
				fullURLs = append(fullURLs, e.FullURL)
			}
			if !slices.Equal(members, fullURLs) {
				t.Errorf("panel members %v, want the member fullUrls %v", members, fullURLs)
			}
			if panel.ValueQuantity != nil {
				t.Error("panel has a value")
			}
		})
	}
}

func checkMember(t *testing.T, o Observation, w want) {
	t.Helper()
	var codes []string
	for _, c := range o.Code.Coding {
		codes = append(codes, c.System+"|"+c.Code)
	}
	if !slices.Equal(codes, w.codes) {
		t.Errorf("codes %v, want %v", codes, w.codes)
	}
	var profiles []string
	if o.Meta != nil {
		profiles = o.Meta.Profile
	}
	if w.profile == "" && len(profiles) != 0 || w.profile != "" && !slices.Equal(profiles, []string{profileBase + w.profile}) {
		t.Errorf("profiles %v, want %q", profiles, w.profile)
	}
	if o.Status != w.status {
		t.Errorf("status %q, want %q", o.Status, w.status)
	}
	switch {
	case w.absent != "":
		if o.ValueQuantity != nil || o.DataAbsentReason == nil || o.DataAbsentReason.Coding[0].Code != w.absent {
			t.Errorf("value %+v absent %+v, want absent %q", o.ValueQuantity, o.DataAbsentReason, w.absent)
		}
	case w.unit != "":
		q := o.ValueQuantity
		if q == nil || q.Value != w.value || q.Code != w.unit || q.Unit != w.unit || q.System != SystemUCUM {
			t.Errorf("value %+v, want %v %s (UCUM)", q, w.value, w.unit)
		}
	}
	var comps []string
	for _, c := range o.Component {
		s := c.Code.Coding[0].Code + "="
		if c.ValueQuantity != nil {
			s += strconv.FormatFloat(c.ValueQuantity.Value, 'g', -1, 64) + " " + c.ValueQuantity.Code
		} else {
			s += "absent:" + c.DataAbsentReason.Coding[0].Code
		}
		comps = append(comps, s)
	}
	if !slices.Equal(comps, w.comps) {
		t.Errorf("components %v, want %v", comps, w.comps)
	}
}

func TestChartBundleIsDeterministic(t *testing.T) {
	c := chart("3f5e0a1c-2b7d-4c9e-8f10-aa0b1c2d3e4f", vital(devices.MDCPulsOximSatO2, 97, "%"), vital(devices.MDCPulsOximPulsRt, 72, "/min"))
	a, err := ChartBundle(c, testPatient, testSystems)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ChartBundle(c, testPatient, testSystems)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Entry {
		if a.Entry[i].FullURL != b.Entry[i].FullURL || *a.Entry[i].Request != *b.Entry[i].Request ||
			string(a.Entry[i].Resource) != string(b.Entry[i].Resource) {
			t.Fatalf("entry %d differs between two builds of one chart", i)
		}
	}
	other, err := ChartBundle(chart("another-chart", c.Vitals...), testPatient, testSystems)
	if err != nil {
		t.Fatal(err)
	}
	if other.Entry[0].Request.IfNoneExist == a.Entry[0].Request.IfNoneExist {
		t.Fatal("two charts share an identifier")
	}
}

func TestChartBundleDefaultsAndDevice(t *testing.T) {
	c := chart("c-d", vital(devices.MDCPulsOximSatO2, 97, "%"))
	c.Device = devices.DeviceInfo{Protocol: "contec", Model: "CMS50D", Serial: "SN42"}
	c.Author = "nurse.jones"
	b, err := ChartBundle(c, testPatient, Systems{})
	if err != nil {
		t.Fatal(err)
	}
	obs := checkTransaction(t, b, testPatient, Systems{Observation: DefaultObservationSystem})
	devs, provs := entriesOf(b, "Device"), entriesOf(b, "Provenance")
	if len(b.Entry) != 4 || len(devs) != 1 || len(provs) != 1 {
		t.Fatalf("%d entries, %d Devices, %d Provenances; want member, panel, Device, Provenance", len(b.Entry), len(devs), len(provs))
	}
	if want := "Device?identifier=" + DefaultDeviceSystem + "|SN42"; devs[0].Request.URL != want {
		t.Errorf("device upsert %q, want %q", devs[0].Request.URL, want)
	}
	for _, e := range b.Entry {
		o, ok := obs[e.FullURL]
		if !ok {
			continue
		}
		if o.Device == nil || o.Device.Display != "CMS50D contec SN SN42" || o.Device.Reference != devs[0].FullURL {
			t.Errorf("device %+v, want the Device entry %s", o.Device, devs[0].FullURL)
		}
		if len(o.Performer) != 1 || o.Performer[0].Display != "nurse.jones" {
			t.Errorf("performer %+v", o.Performer)
		}
	}
	p := decode[Provenance](t, provs[0].Resource)
	if len(p.Target) != 2 || len(p.Agent) != 2 || p.Agent[0].Who.Reference != devs[0].FullURL || p.Agent[1].Who.Display != "nurse.jones" {
		t.Errorf("provenance %+v, want both Observations, the device and the author", p)
	}
}

func TestChartBundleErrors(t *testing.T) {
	good := chart("c-e", vital(devices.MDCPulsOximSatO2, 97, "%"))
	tests := []struct {
		name    string
		chart   func(storage.Chart) storage.Chart
		patient string
		is      error
	}{
		{"no vitals", func(c storage.Chart) storage.Chart { c.Vitals = nil; return c }, testPatient, ErrEmptyChart},
		{"no id", func(c storage.Chart) storage.Chart { c.ID = ""; return c }, testPatient, nil},
		{"no time", func(c storage.Chart) storage.Chart { c.Time = time.Time{}; return c }, testPatient, nil},
		{"bad patient reference", func(c storage.Chart) storage.Chart { return c }, "MRN-0001", nil},
		{"empty patient id", func(c storage.Chart) storage.Chart { return c }, "Patient/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ChartBundle(tt.chart(good), tt.patient, testSystems)
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if strings.Contains(err.Error(), "MRN-0001") && tt.patient != "MRN-0001" {
				t.Errorf("error %q carries the MRN", err)
			}
		})
	}
}

func BenchmarkChartBundle(b *testing.B) {
	c := chart("3f5e0a1c-2b7d-4c9e-8f10-aa0b1c2d3e4f",
		vital(devices.MDCPulsOximSatO2, 97, "%"), vital(devices.MDCPulsOximPulsRt, 72, "/min"),
		vital(150021, 120, "mm[Hg]"), vital(150022, 80, "mm[Hg]"), vital(150364, 36.8, "Cel"), vital(151562, 14, "/min"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ChartBundle(c, testPatient, testSystems); err != nil {
			b.Fatal(err)
		}
	}
}
