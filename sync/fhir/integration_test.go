package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
	"telewave/test/fhirserver"
)

// createPatient POSTs a Patient straight to the test EHR, as the EHR's own
// registration would; the workstation never creates Patients.
func createPatient(tb testing.TB, base, system, mrn string) string {
	tb.Helper()
	body, _ := json.Marshal(Patient{ResourceType: "Patient", Identifier: []Identifier{{System: system, Value: mrn}}})
	resp, err := http.Post(base+"/Patient", contentTypeFHIR, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var p Patient
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != http.StatusCreated || p.ID == "" {
		tb.Fatalf("create patient: status %d, %+v, %v", resp.StatusCode, p, err)
	}
	return "Patient/" + p.ID
}

// searchOne returns the Observations whose identifier is sys|value.
func searchByIdentifier(tb testing.TB, c *Client, system, value string) []Observation {
	tb.Helper()
	b, err := c.Search(context.Background(), "Observation", url.Values{"identifier": {system + "|" + value}})
	if err != nil {
		tb.Fatal(err)
	}
	var out []Observation
	for _, e := range b.Entry {
		var o Observation
		if err := json.Unmarshal(e.Resource, &o); err != nil {
			tb.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func TestIntegrationChartUpload(t *testing.T) {
	base := fhirserver.Start(t)
	c, err := NewClient(base, WithRetries(2, 10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.Metadata(ctx); err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	patient := createPatient(t, base, DefaultMRNSystem, "MRN-0001")
	sys := Systems{}.withDefaults()
	s := NewSender(c, Systems{})

	var units []storage.OutboxUnit
	for i := range 2 {
		ch := &storage.Chart{
			ID:         uuid.NewString(),
			PatientMRN: "MRN-0001",
			Time:       time.Date(2026, 3, 1, 9, 30+i*15, 0, 0, time.FixedZone("CET", 3600)),
			Vitals: []storage.Vital{
				{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97, Unit: "%"},
				{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 72, Unit: "/min"},
			},
			Device: devices.DeviceInfo{Protocol: "contec", Model: "CMS50D"},
		}
		units = append(units, storage.OutboxUnit{ID: int64(i + 1), Kind: "chart", State: storage.InFlight, Chart: ch})
	}

	// First upload, then the same units again, as after a lost response.
	for round := range 2 {
		for _, u := range units {
			if err := s.Send(ctx, u); err != nil {
				t.Fatalf("round %d, unit %d: %v", round, u.ID, err)
			}
		}
	}

	for _, u := range units {
		members := map[string]string{} // key -> Observation id
		for _, key := range []string{"150456", "149530"} {
			found := searchByIdentifier(t, c, sys.Observation, ObservationIdentifier(u.Chart.ID, key))
			if len(found) != 1 {
				t.Fatalf("chart %s code %s: %d Observations after a resend, want exactly 1", u.Chart.ID, key, len(found))
			}
			o := found[0]
			if o.Subject == nil || o.Subject.Reference != patient {
				t.Errorf("code %s: subject %+v, want %s", key, o.Subject, patient)
			}
			if o.ValueQuantity == nil || o.ValueQuantity.System != SystemUCUM {
				t.Errorf("code %s: value %+v", key, o.ValueQuantity)
			}
			members[key] = "Observation/" + o.ID
		}
		panels := searchByIdentifier(t, c, sys.Observation, ObservationIdentifier(u.Chart.ID, "panel"))
		if len(panels) != 1 {
			t.Fatalf("chart %s: %d panels, want 1", u.Chart.ID, len(panels))
		}
		var refs []string
		for _, r := range panels[0].HasMember {
			refs = append(refs, r.Reference)
		}
		want := []string{members["150456"], members["149530"]}
		if !slices.Equal(refs, want) {
			t.Errorf("panel hasMember %v, want %v (server ids, not urn:uuid)", refs, want)
		}
	}
	all, err := c.Search(ctx, "Observation", url.Values{"subject": {patient}, "_count": {"100"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Entry) != 6 {
		t.Errorf("%d Observations for the patient, want 6 (2 charts × 2 vitals + 2 panels)", len(all.Entry))
	}

	t.Run("every mapping shape is accepted", func(t *testing.T) {
		ch := &storage.Chart{ID: uuid.NewString(), PatientMRN: "MRN-0001", Time: time.Now(), Author: "nurse", Vitals: []storage.Vital{
			{Code: devices.MDCECGHeartRate, Value: 61, Unit: "bpm"},
			{Code: 151562, Value: 14, Unit: "/min", Status: devices.QuestionableValue},
			{Code: 150364, Value: 36.8, Unit: "Cel"},
			{Code: 150021, Value: 120, Unit: "mmHg"},
			{Code: 150022, Value: 80, Unit: "mmHg"},
			{Code: devices.MDCPulsOximPerfRel, Label: "PI", Value: 2.5, Unit: "%"},
			{Code: devices.MDCPulsOximSatO2, Unit: "%", Status: devices.Unavailable},
		}}
		if err := s.Send(ctx, storage.OutboxUnit{ID: 3, Kind: "chart", Chart: ch}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		bp := searchByIdentifier(t, c, sys.Observation, ObservationIdentifier(ch.ID, "bp"))
		if len(bp) != 1 || len(bp[0].Component) != 2 {
			t.Fatalf("blood pressure: %+v", bp)
		}
	})

	t.Run("unmatched patient waits", func(t *testing.T) {
		ch := &storage.Chart{ID: uuid.NewString(), PatientMRN: "MRN-9999", Time: time.Now(),
			Vitals: []storage.Vital{{Code: devices.MDCPulsOximSatO2, Value: 95, Unit: "%"}}}
		err := s.Send(ctx, storage.OutboxUnit{ID: 4, Kind: "chart", Chart: ch})
		if !errors.Is(err, ErrPatientNotMatched) || isPermanent(err) {
			t.Fatalf("err = %v, want ErrPatientNotMatched, not permanent", err)
		}
		if got := searchByIdentifier(t, c, sys.Observation, ObservationIdentifier(ch.ID, "panel")); len(got) != 0 {
			t.Fatalf("%d panels stored for an unmatched patient", len(got))
		}
	})

	t.Run("invalid resource is a permanent 400", func(t *testing.T) {
		b := Bundle{ResourceType: "Bundle", Type: "transaction", Entry: []BundleEntry{{
			FullURL:  "urn:uuid:" + uuid.NewString(),
			Resource: json.RawMessage(`{"resourceType":"Observation","status":"final","heartRate":72}`),
			Request:  &EntryRequest{Method: "POST", URL: "Observation"},
		}}}
		_, err := c.Transaction(ctx, b)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusBadRequest || !se.Permanent() || se.Outcome == "" {
			t.Fatalf("err = %v, want a permanent 400 with the server's reasons", err)
		}
	})
}

// BenchmarkSendChart measures one chart unit end to end against the local
// engine: patient lookup, a 3-entry transaction, validation on the server.
func BenchmarkSendChart(b *testing.B) {
	base := fhirserver.Start(b)
	c, err := NewClient(base)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	createPatient(b, base, DefaultMRNSystem, "MRN-0001")
	s := NewSender(c, Systems{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ch := &storage.Chart{ID: uuid.NewString(), PatientMRN: "MRN-0001", Time: time.Now(), Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Value: 97, Unit: "%"},
			{Code: devices.MDCPulsOximPulsRt, Value: 72, Unit: "/min"},
		}}
		if err := s.Send(ctx, storage.OutboxUnit{ID: 1, Kind: "chart", Chart: ch}); err != nil {
			b.Fatal(err)
		}
	}
}
