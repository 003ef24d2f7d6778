package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"telewave/devices/contec"
	"telewave/sync/fhir"
	"telewave/test/fhirserver"
)

// The Foundation path end to end, unattended: a Contec simulator on a pty,
// the driver through go.bug.st/serial, the hub, charting into the sealed
// store's outbox in one transaction, the drainer, and vital-signs
// Observations on the EHR — each exactly once.
func TestDeviceByteToEHRResource(t *testing.T) {
	base := fhirserver.Start(t)
	patient := `{"resourceType":"Patient","identifier":[{"system":"urn:telewave:mrn","value":"MRN-0001"}]}`
	resp, err := http.Post(base+"/Patient", "application/fhir+json", strings.NewReader(patient))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create patient: %v %v", resp, err)
	}
	resp.Body.Close()

	store, p := openStore(t) // MRN-0001
	sim := startContec(t, "")
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p, EHR: base, ChartEvery: 700 * time.Millisecond,
		Devices: []DeviceSpec{{Slot: "oximeter", Driver: contec.NewDriver(nil), Path: sim.Path}}})
	if err != nil {
		t.Fatal(err)
	}
	w.Start(context.Background())
	defer w.Close()

	client, err := fhir.NewClient(base)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	spo2 := url.Values{"code": {"http://loinc.org|2708-6"}}
	eventually(t, 30*time.Second, "SpO2 Observations on the EHR", func() bool {
		b, err := client.Search(context.Background(), "Observation", spo2)
		return err == nil && len(b.Entry) >= 2
	})
	eventually(t, 10*time.Second, "the sync state to show a success", func() bool {
		st := w.Sync()
		return st.Online && !st.LastSuccess.IsZero()
	})
	w.Close()

	b, err := client.Search(context.Background(), "Observation", spo2)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range b.Entry {
		var obs fhir.Observation
		if err := json.Unmarshal(e.Resource, &obs); err != nil {
			t.Fatal(err)
		}
		if obs.ValueQuantity == nil || obs.ValueQuantity.Value < 80 || obs.ValueQuantity.Value > 100 || obs.ValueQuantity.Code != "%" {
			t.Errorf("SpO2 Observation value %+v", obs.ValueQuantity)
		}
		for _, id := range obs.Identifier {
			seen[id.System+"|"+id.Value]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("identifier %s stored %d times", id, n)
		}
	}
}
