package fhir

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/test/fhirserver"
)

// TestChartBundleValidatesAgainstR4Schema checks every resource ChartBundle
// emits, and the Bundle itself, against the official R4 JSON schema
// (test/fhirserver.ValidateBundle): a second opinion, independent of the
// Medplum engine, on the mapping.
func TestChartBundleValidatesAgainstR4Schema(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, cet)
	monitor := devices.DeviceInfo{Protocol: "intellivue", Model: "MX450", Serial: "DE123"}
	tests := []struct {
		name   string
		chart  storage.Chart
		checks int // Observations expected (members + panel)
	}{
		{"every vital from a device", storage.Chart{Device: monitor, Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97, Unit: "%"},
			{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 72, Unit: "bpm"},
			{Code: devices.MDCECGHeartRate, Label: "HR", Value: 71, Unit: "/min"},
			{Code: 151562, Label: "RR", Value: 14, Unit: "/min"},
			{Code: 150364, Label: "Temp", Value: 36.8, Unit: "Cel"},
			{Code: 150021, Value: 120, Unit: "mmHg"},
			{Code: 150022, Value: 80, Unit: "mmHg"},
			{Code: 150023, Value: 93, Unit: "mmHg"},
		}}, 7},
		{"twelve vitals from a monitor, split", twelveVitalChart(), 13},
		{"blood pressure without diastolic", storage.Chart{Vitals: []storage.Vital{
			{Code: 150021, Value: 135, Unit: "mm[Hg]"},
		}}, 2},
		{"blood pressure questionable", storage.Chart{Device: monitor, Vitals: []storage.Vital{
			{Code: 150021, Value: 120, Unit: "mmHg", Status: devices.QuestionableValue},
			{Code: 150022, Value: 80, Unit: "mmHg"},
		}}, 2},
		{"unavailable and questionable values", storage.Chart{Device: monitor, Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Unit: "%", Status: devices.Unavailable},
			{Code: devices.MDCPulsOximPulsRt, Value: 180, Unit: "/min", Status: devices.QuestionableValue},
			{Code: 150022, Unit: "mmHg", Status: devices.Unavailable},
		}}, 4},
		{"not-a-number and infinite values", storage.Chart{Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Value: math.NaN(), Unit: "%"},
			{Code: 151562, Value: math.Inf(1), Unit: "/min"},
			{Code: 150364, Value: math.Inf(-1), Unit: "Cel"},
		}}, 4},
		{"temperature in Fahrenheit and unknown unit", storage.Chart{Vitals: []storage.Vital{
			{Code: 150364, Value: 98.6, Unit: "[degF]"},
			{Code: devices.MDCPulsOximSatO2, Value: 0.97, Unit: "ratio"},
		}}, 3},
		{"code without a profile", storage.Chart{Device: monitor, Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximPerfRel, Label: "PI", Value: 2.5, Unit: "%"},
			{Code: 123456, Value: 1, Unit: ""},
		}}, 3},
		{"repeated codes", storage.Chart{Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Value: 97, Unit: "%"},
			{Code: devices.MDCPulsOximSatO2, Value: 96, Unit: "%"},
			{Code: 150021, Value: 120, Unit: "mmHg"},
			{Code: 150021, Value: 121, Unit: "mmHg"},
		}}, 5},
		{"manual chart by a clinician, UTC", storage.Chart{Author: "nurse.jane", Vitals: []storage.Vital{
			{Code: 150364, Value: 37.2, Unit: "°C"},
			{Code: 151562, Value: 16, Unit: "rpm"},
		}}, 3},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.chart
			c.ID = ObservationIdentifier("schema-test", tt.name) // any stable UUID
			c.PatientMRN = "MRN-1"
			c.Time = at.Add(time.Duration(i) * time.Minute)
			if c.Author != "" {
				c.Time = c.Time.UTC()
			}
			_, bundles := chartTransactions(t, c, "Patient/p1", Systems{})
			obs := 0
			for k, b := range bundles {
				if len(b.Entry) > MaxTransactionEntries {
					t.Errorf("transaction %d has %d entries, over %d", k, len(b.Entry), MaxTransactionEntries)
				}
				obs += len(entriesOf(b, "Observation"))
				raw, err := json.Marshal(b)
				if err != nil {
					t.Fatal(err)
				}
				if err := fhirserver.ValidateBundle(t, raw); err != nil {
					t.Errorf("transaction %d fails the R4 schema:\n%v\n%s", k, err, raw)
				}
				for j, e := range b.Entry {
					if err := fhirserver.ValidateR4(t, e.Resource); err != nil {
						t.Errorf("transaction %d entry %d fails the R4 schema: %v", k, j, err)
					}
				}
			}
			if obs != tt.checks {
				t.Fatalf("%d Observations, want %d", obs, tt.checks)
			}
		})
	}
}

// TestSchemaCatchesMappingMistakes makes sure the check above could fail:
// resources with the mistakes a mapping might make are refused.
func TestSchemaCatchesMappingMistakes(t *testing.T) {
	good := Observation{ResourceType: "Observation", Status: "final",
		Code:    CodeableConcept{Coding: []Coding{{System: SystemLOINC, Code: "8867-4"}}},
		Subject: &Reference{Reference: "Patient/p1"}, EffectiveDateTime: "2026-03-01T09:30:00+01:00",
		ValueQuantity: &Quantity{Value: 72, Unit: "/min", System: SystemUCUM, Code: "/min"}}
	if err := fhirserver.ValidateValue(t, good); err != nil {
		t.Fatalf("good observation refused: %v", err)
	}
	tests := []struct {
		name  string
		spoil func(o *Observation)
	}{
		{"status not an R4 code", func(o *Observation) { o.Status = "done" }},
		{"effective time without seconds", func(o *Observation) { o.EffectiveDateTime = "2026-03-01 09:30" }},
		{"code with a leading space", func(o *Observation) { o.Code.Coding[0].Code = " 8867-4" }},
		{"system that is not a URI", func(o *Observation) { o.ValueQuantity.System = "ucum units" }},
		{"profile that is not a canonical", func(o *Observation) { o.Meta = &Meta{Profile: []string{"vital signs"}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			o.Code = CodeableConcept{Coding: append([]Coding(nil), good.Code.Coding...)}
			q := *good.ValueQuantity
			o.ValueQuantity = &q
			tt.spoil(&o)
			if err := fhirserver.ValidateValue(t, o); err == nil {
				t.Errorf("schema accepted %+v", o)
			}
		})
	}
}
