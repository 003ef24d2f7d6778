package fhir

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"telewave/storage"
	"telewave/test/fhirserver"
)

// TestIntegrationChartTwelveVitals sends a twelve-vital monitor chart (three
// transactions on Medplum's engine, which refuses more than eight
// conditional entries in one) to the test EHR. The reply to its first part,
// and then to its panel, is lost after the server committed; the chart is
// then sent twice more. The server must hold every identifier once, the
// panel must point at the stored members, and there is one Device.
func TestIntegrationChartTwelveVitals(t *testing.T) {
	base := fhirserver.Start(t)
	lose := &loseReply{}
	c, err := NewClient(base, WithRetries(0, time.Millisecond, time.Millisecond), WithHTTPClient(&http.Client{Transport: lose}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	patient := createPatient(t, base, DefaultMRNSystem, "MRN-0001")
	s := NewSender(c, Systems{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch := twelveVitalChart()
	unit := storage.OutboxUnit{ID: 1, Kind: "chart", Chart: &ch}

	for _, armed := range []string{`"2708-6"`, `"85353-1"`} { // SpO2 opens part 1; the panel code
		lose.arm(armed)
		if err := s.Send(ctx, unit); err == nil {
			t.Fatalf("Send succeeded although the reply to the transaction with %s was lost", armed)
		}
	}
	if lose.lost != 2 {
		t.Fatalf("%d replies lost, want 2", lose.lost)
	}
	for round := range 3 { // the resend, then two replays
		start := time.Now()
		if err := s.Send(ctx, unit); err != nil {
			t.Fatalf("send %d: %v", round, err)
		}
		t.Logf("send %d of the twelve-vital chart: %v", round, time.Since(start))
	}

	up, err := MapChart(ch, patient, Systems{})
	if err != nil {
		t.Fatal(err)
	}
	sys := Systems{}.withDefaults()
	var members []string
	for i, id := range up.identifier {
		found := searchByIdentifier(t, c, sys.Observation, id)
		if len(found) != 1 {
			t.Fatalf("member %d: %d Observations with its identifier, want 1", i, len(found))
		}
		members = append(members, "Observation/"+found[0].ID)
		if found[0].Subject == nil || found[0].Subject.Reference != patient || found[0].Device == nil || found[0].Device.Reference == "" {
			t.Errorf("member %d: subject %+v device %+v", i, found[0].Subject, found[0].Device)
		}
	}
	if len(members) != 12 {
		t.Fatalf("%d members, want 12", len(members))
	}
	panels := searchByIdentifier(t, c, sys.Observation, ObservationIdentifier(ch.ID, "panel"))
	if len(panels) != 1 {
		t.Fatalf("%d panels, want 1", len(panels))
	}
	var refs []string
	for _, r := range panels[0].HasMember {
		refs = append(refs, r.Reference)
	}
	if !slices.Equal(refs, members) {
		t.Errorf("panel hasMember %v, want the stored members %v", refs, members)
	}
	all := searchAll(t, c, "Observation", url.Values{"subject": {patient}})
	if len(all) != 13 {
		t.Errorf("%d Observations for the patient, want 12 members and a panel", len(all))
	}
	devs := searchAll(t, c, "Device", url.Values{"identifier": {sys.Device + "|" + ch.Device.Serial}})
	if len(devs) != 1 || panels[0].Device == nil || panels[0].Device.Reference != "Device/"+devs[0]["id"].(string) {
		t.Errorf("%d Devices; the panel points at %+v", len(devs), panels[0].Device)
	}
	if n := len(searchAll(t, c, "Provenance", url.Values{})); n != up.Transactions() {
		t.Errorf("%d Provenances, want one per transaction (%d)", n, up.Transactions())
	}
}

// BenchmarkSendChartTwelveVitals measures a twelve-vital chart end to end
// against the local engine: patient lookup and three transactions.
func BenchmarkSendChartTwelveVitals(b *testing.B) {
	base := fhirserver.Start(b)
	c, err := NewClient(base)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	createPatient(b, base, DefaultMRNSystem, "MRN-0001")
	s := NewSender(c, Systems{})
	ctx := context.Background()
	ch := twelveVitalChart()
	n := 0
	for b.Loop() {
		n++
		ch.ID = ObservationIdentifier("bench", strconv.Itoa(n))
		if err := s.Send(ctx, storage.OutboxUnit{ID: 1, Kind: "chart", Chart: &ch}); err != nil {
			b.Fatal(err)
		}
	}
}
