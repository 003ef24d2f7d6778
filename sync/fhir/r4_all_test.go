package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/test/fhirserver"
)

// schemaEHR is a fake EHR that checks every transaction a Sender posts
// against the official R4 JSON schema and the engine's entry limit.
type schemaEHR struct {
	*fakeEHR
	tb       testing.TB
	problems []string
	kinds    map[string]int // resource type -> entries sent
}

func (e *schemaEHR) Transaction(ctx context.Context, b Bundle) (BundleResponse, error) {
	n := len(e.fakeEHR.bundles)
	raw, err := json.Marshal(b)
	if err != nil {
		e.tb.Fatal(err)
	}
	if err := fhirserver.ValidateBundle(e.tb, raw); err != nil {
		e.problems = append(e.problems, fmt.Sprintf("transaction %d fails the R4 schema: %v", n, err))
	}
	if len(b.Entry) > MaxTransactionEntries {
		e.problems = append(e.problems, fmt.Sprintf("transaction %d has %d entries, over %d", n, len(b.Entry), MaxTransactionEntries))
	}
	for _, entry := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		_ = json.Unmarshal(entry.Resource, &head)
		e.kinds[head.ResourceType]++
	}
	return e.fakeEHR.Transaction(ctx, b)
}

// TestEveryBundleIsR4 sends realistic units of every kind through a Sender
// and validates every transaction it posts (Device and DeviceMetric
// upserts, strip segments with their Provenance, clip Media or
// DocumentReference, DiagnosticReport, chart parts and panel) against the
// official R4 schema.
func TestEveryBundleIsR4(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	wav := readClip(t)
	noMDC := ecgStrip(10, 500, false)
	noMDC.Author, noMDC.Device = "", devices.DeviceInfo{Protocol: "ad8232"}
	threeLead := ecgStrip(65, 250, true)
	threeLead.Leads = threeLead.Leads[:3]
	for i := range threeLead.Leads {
		threeLead.Leads[i].Signal.Unit = "uV"
		threeLead.Leads[i].Signal.Baseline = 512
	}
	gaps := ecgStrip(12, 257.3, true) // an odd rate; gaps and values beyond the range
	gaps.Leads = gaps.Leads[:2]
	for j := 100; j < 200; j++ {
		gaps.Leads[0].Samples[j] = storage.GapSample
	}
	gaps.Leads[1].Samples[5], gaps.Leads[1].Samples[6] = -5000, 5000
	mixed := ecgStrip(10, 500, true)
	mixed.Leads = append(mixed.Leads[:2], plethStrip().Leads...)
	resp := plethStrip()
	resp.Leads[0].Signal = devices.Signal{ID: "resp", Label: "Resp", Kind: devices.KindRespiration, SampleRate: 25, Unit: "1"}
	resp.Leads[0].Samples = resp.Leads[0].Samples[:250]

	manual := chart("3b7a8a8e-0a51-4f11-8d43-7e6a3d0c1f01", vital(150364, 98.6, "[degF]"), vital(151562, 16, "rpm"),
		vital(150021, 135, "mmHg"), vital(150022, 85, "mmHg"))
	manual.Author = "nurse.jane"
	absent := chart("3b7a8a8e-0a51-4f11-8d43-7e6a3d0c1f02",
		storage.Vital{Code: devices.MDCPulsOximSatO2, Unit: "%", Status: devices.Unavailable},
		storage.Vital{Code: devices.MDCPulsOximPulsRt, Value: 190, Unit: "/min", Status: devices.QuestionableValue},
		storage.Vital{Code: 150022, Unit: "mmHg", Status: devices.Unavailable})
	absent.Device = devices.DeviceInfo{Serial: "ONLY-SERIAL"}
	twelve := twelveVitalChart()

	clip := func(site string, dev devices.DeviceInfo, author string) *storage.Clip {
		return &storage.Clip{ID: "clip-" + site + author, PatientMRN: "MRN-0001", Time: at, Site: site, WAV: wav, Device: dev, Author: author}
	}
	report := &storage.Report{ID: "rep-1", PatientMRN: "MRN-0001", Time: at, Text: "Sinus rhythm, 72/min.", Author: "dr.who", Strips: []string{"s1"}}
	plain := &storage.Report{ID: "rep-2", PatientMRN: "MRN-0001", Time: at, Text: "Murmur heard at the aortic area."}
	found := Bundle{ResourceType: "Bundle", Type: "searchset", Entry: []BundleEntry{{
		Search:   &EntrySearch{Mode: "match"},
		Resource: json.RawMessage(`{"resourceType":"Observation","id":"seg-1","status":"final","code":{},"effectivePeriod":{"start":"2026-03-01T09:30:00Z"}}`),
	}}}
	strip := func(s storage.Strip) storage.OutboxUnit { return storage.OutboxUnit{ID: 1, Kind: "strip", Strip: &s} }

	tests := []struct {
		name    string
		unit    storage.OutboxUnit
		noMedia bool
		want    []string // resource types that must have been sent
	}{
		{"chart, twelve vitals from a monitor in parts", chartUnit(&twelve), false, []string{"Observation", "Device", "Provenance"}},
		{"chart by hand, Fahrenheit, blood pressure", chartUnit(&manual), false, []string{"Observation", "Provenance"}},
		{"chart, absent and questionable values, serial only", chartUnit(&absent), false, []string{"Observation", "Device", "Provenance"}},
		{"strip, 12-lead 10 s at 500 Hz", strip(ecgStrip(10, 500, true)), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"strip, 12-lead without MDC codes, no author", strip(noMDC), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"strip, 3-lead 65 s in µV with a baseline", strip(threeLead), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"strip, gaps and out-of-range at 257.3 Hz", strip(gaps), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"strip, pleth", strip(plethStrip()), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"strip, two leads and pleth", strip(mixed), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"strip, a signal without a code", strip(resp), false, []string{"Observation", "Device", "DeviceMetric", "Provenance"}},
		{"clip as Media", storage.OutboxUnit{ID: 2, Kind: "clip", Clip: clip(storage.SiteMitral, cart, "dr.who")}, false, []string{"Device", "Media"}},
		{"clip as Media, no site, no author", storage.OutboxUnit{ID: 2, Kind: "clip", Clip: clip("", devices.DeviceInfo{}, "")}, false, []string{"Device", "Media"}},
		{"clip as DocumentReference", storage.OutboxUnit{ID: 2, Kind: "clip", Clip: clip(storage.SiteLungs, cart, "dr.who")}, true, []string{"Device", "DocumentReference"}},
		{"report on a strip", storage.OutboxUnit{ID: 3, Kind: "report", Report: report}, false, []string{"DiagnosticReport"}},
		{"report without strips", storage.OutboxUnit{ID: 3, Kind: "report", Report: plain}, false, []string{"DiagnosticReport"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEHR{patient: testPatient, noMedia: tt.noMedia, search: found}
			e := &schemaEHR{fakeEHR: f, tb: t, kinds: map[string]int{}}
			s := &Sender{client: e, files: e, systems: Systems{}.withDefaults(), uploaded: map[string]string{}, devicesSent: map[[32]byte]bool{}}
			if err := s.Send(context.Background(), tt.unit); err != nil {
				t.Fatalf("Send: %v", err)
			}
			for _, p := range e.problems {
				t.Error(p)
			}
			for _, rt := range tt.want {
				if e.kinds[rt] == 0 {
					t.Errorf("no %s sent (sent %v)", rt, e.kinds)
				}
			}
			t.Logf("%d transactions: %v", len(f.bundles), e.kinds)
		})
	}
}

// TestSchemaEHRCatchesInvalidBundles makes sure the check above could fail.
func TestSchemaEHRCatchesInvalidBundles(t *testing.T) {
	e := &schemaEHR{fakeEHR: &fakeEHR{}, tb: t, kinds: map[string]int{}}
	bad := Bundle{ResourceType: "Bundle", Type: "transaction", Entry: []BundleEntry{{
		FullURL:  "urn:uuid:8a4c0e3e-6f0f-4c59-9d0e-6f2b1f9d0a01",
		Resource: json.RawMessage(`{"resourceType":"Provenance","target":[],"recorded":"yesterday","agent":[]}`),
		Request:  &EntryRequest{Method: "POST", URL: "Provenance"},
	}}}
	for range MaxTransactionEntries {
		bad.Entry = append(bad.Entry, bad.Entry[0])
	}
	if _, err := e.Transaction(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	if len(e.problems) != 2 {
		t.Errorf("problems %q, want a schema failure and an entry count", e.problems)
	}
}
