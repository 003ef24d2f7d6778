package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/sqlite"
	"telewave/sync/fhir"
	"telewave/sync/outbox"
)

// fakeSearch is an EHR that knows patients by MRN and name.
type fakeSearch struct {
	patients []sqlite.EHRPatient
	fail     error
	calls    int
}

func (f *fakeSearch) ByMRN(_ context.Context, mrn string) ([]sqlite.EHRPatient, error) {
	f.calls++
	var out []sqlite.EHRPatient
	for _, p := range f.patients {
		if p.MRN == mrn {
			out = append(out, p)
		}
	}
	return out, f.fail
}

func (f *fakeSearch) ByName(_ context.Context, name string) ([]sqlite.EHRPatient, error) {
	f.calls++
	var out []sqlite.EHRPatient
	for _, p := range f.patients {
		if strings.Contains(p.Name, name) {
			out = append(out, p)
		}
	}
	return out, f.fail
}

func chartUnit(tb testing.TB, s *sqlite.Store, mrn string) int64 {
	tb.Helper()
	id, err := s.ChartVitals(context.Background(), storage.Chart{ID: uuid.NewString(), PatientMRN: mrn, Time: time.Now(),
		Vitals: []storage.Vital{{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97, Unit: "%", Status: devices.Valid}}})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// settle claims every due unit and gives each the outcome reason says:
// "" done, "park:…" parked, anything else retried later.
func settle(tb testing.TB, s *sqlite.Store, outcome map[int64]string) {
	tb.Helper()
	ctx := context.Background()
	units, err := s.ClaimDue(ctx, time.Now().Add(time.Hour), 100)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range units {
		r := outcome[u.ID]
		switch {
		case r == "":
			err = s.MarkDone(ctx, u.ID, time.Now())
		case strings.HasPrefix(r, "park:"):
			err = s.Park(ctx, u.ID, strings.TrimPrefix(r, "park:"))
		default:
			err = s.MarkRetry(ctx, u.ID, r, time.Now().Add(time.Hour))
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestSyncAdminLoadAndMatch(t *testing.T) {
	ctx := context.Background()
	s, ada := openStore(t)
	unmatched := &fhir.NotMatchedError{}
	waiting := chartUnit(t, s, ada.MRN)
	parked := chartUnit(t, s, ada.MRN)
	delivered := chartUnit(t, s, ada.MRN)
	settle(t, s, map[int64]string{waiting: unmatched.Error(), parked: "park:fhir server answered 422 Unprocessable Entity: bad unit", delivered: ""})

	kicks := 0
	ehr := &fakeSearch{patients: []sqlite.EHRPatient{{Ref: "Patient/9", MRN: "EHR-77", Name: "Ada King Lovelace", Birth: "1815-12-10"}}}
	a := &SyncAdmin{Store: s, Search: ehr, Kick: func() { kicks++ }}
	st := SyncStatus{Configured: true, Status: outbox.Status{Online: true}, Queue: storage.OutboxStats{Pending: 1, Parked: 1, Done: 1}}
	v, err := a.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Waiting) != 1 || v.Waiting[0].ID != waiting || v.Waiting[0].Patient.Name != ada.Name {
		t.Errorf("waiting = %+v", v.Waiting)
	}
	if len(v.Parked) != 1 || v.Parked[0].ID != parked || !strings.Contains(v.Parked[0].Reason, "422") {
		t.Errorf("parked = %+v", v.Parked)
	}
	if v.Progress.Active {
		t.Errorf("progress %+v: only work waiting for a match is pending", v.Progress)
	}
	if !v.CacheRefreshed.IsZero() {
		t.Error("cache refreshed before any refresh")
	}

	// Offline before a refresh: nothing to match to.
	if c, _, err := a.Candidates(ctx, "ada"); err != nil || len(c) != 0 {
		t.Fatalf("candidates before a refresh: %v, %v", c, err)
	}
	n, err := a.RefreshPatients(ctx, "Ada")
	if err != nil || n != 1 {
		t.Fatalf("refresh: %d, %v", n, err)
	}
	a.Search = nil // the link drops: matching works from the cache
	c, refreshed, err := a.Candidates(ctx, "KING")
	if err != nil || len(c) != 1 || c[0].MRN != "EHR-77" || refreshed.IsZero() {
		t.Fatalf("candidates: %+v at %v, %v", c, refreshed, err)
	}
	if err := a.Match(ctx, waiting, c[0]); err != nil {
		t.Fatal(err)
	}
	if kicks != 1 {
		t.Errorf("%d kicks after a match, want 1", kicks)
	}
	local, err := s.PatientByMRN(ctx, "EHR-77")
	if err != nil || local.Name != "Ada King Lovelace" {
		t.Fatalf("matched patient registered as %+v, %v", local, err)
	}
	units, err := s.ClaimDue(ctx, time.Now(), 10)
	if err != nil || len(units) != 1 || units[0].ID != waiting || units[0].Chart.PatientMRN != "EHR-77" {
		t.Fatalf("after the match claimed %+v, %v", units, err)
	}

	if err := a.Retry(ctx, parked); err != nil || kicks != 2 {
		t.Fatalf("retry: %v, %d kicks", err, kicks)
	}
	if err := a.Discard(ctx, delivered, "sent on paper"); !errors.Is(err, sqlite.ErrWrongState) {
		t.Errorf("discarding a delivered unit: %v", err)
	}
}

func TestRefreshPatientsFailureCachesNothing(t *testing.T) {
	ctx := context.Background()
	s, ada := openStore(t)
	ehr := &fakeSearch{patients: []sqlite.EHRPatient{{Ref: "Patient/1", MRN: ada.MRN}}, fail: errors.New("fhir server answered 503")}
	a := &SyncAdmin{Store: s, Search: ehr}
	if _, err := a.RefreshPatients(ctx, ""); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v", err)
	}
	if ps, at, err := s.EHRPatients(ctx); err != nil || len(ps) != 0 || !at.IsZero() {
		t.Fatalf("a failed refresh cached %v at %v (%v)", ps, at, err)
	}
	if _, err := (&SyncAdmin{Store: s}).RefreshPatients(ctx, ""); err == nil {
		t.Fatal("refresh without an EHR succeeded")
	}
}

func TestDrainProgress(t *testing.T) {
	steps := []struct {
		sent, pending int
		want          Progress
	}{
		{5, 0, Progress{}},
		{5, 10, Progress{Active: true, Sent: 0, Total: 10}},
		{8, 7, Progress{Active: true, Sent: 3, Total: 10}},
		{9, 9, Progress{Active: true, Sent: 4, Total: 13}}, // work arrived mid-drain
		{13, 5, Progress{Active: true, Sent: 8, Total: 13}},
		{18, 0, Progress{}},
		{0, 2, Progress{Active: true, Sent: 0, Total: 2}}, // a new drainer
	}
	var d DrainProgress
	for i, s := range steps {
		if got := d.Update(s.sent, s.pending); got != s.want {
			t.Errorf("step %d (%d sent, %d pending) = %+v, want %+v", i, s.sent, s.pending, got, s.want)
		}
	}
}

func TestWaitsForMatch(t *testing.T) {
	for reason, want := range map[string]bool{
		(&fhir.NotMatchedError{}).Error():                  true,
		(&fhir.NotMatchedError{Count: 2}).Error():          true,
		"chart x: no patient with this MRN on the EHR":     true,
		"fhir server answered 422 Unprocessable Entity":    false,
		"dial tcp 10.0.0.1:443: connect: no route to host": false,
	} {
		if got := WaitsForMatch(reason); got != want {
			t.Errorf("WaitsForMatch(%q) = %v", reason, got)
		}
	}
}

// fakeEHR answers metadata and Patient searches like a FHIR server.
func fakeEHR(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		switch {
		case r.URL.Path == "/metadata":
			fmt.Fprint(w, `{"resourceType": "CapabilityStatement", "status": "active"}`)
		case strings.HasSuffix(r.URL.Path, "/Patient") && r.URL.Query().Get("identifier") == "urn:oid:1.2.3|MRN-0001":
			fmt.Fprint(w, `{"resourceType": "Bundle", "type": "searchset", "entry": [
				{"search": {"mode": "match"}, "resource": {"resourceType": "Patient", "id": "p1",
				 "identifier": [{"system": "urn:other", "value": "X"}, {"system": "urn:oid:1.2.3", "value": "MRN-0001"}],
				 "name": [{"family": "Lovelace", "given": ["Ada"]}], "birthDate": "1815-12-10", "gender": "female"}},
				{"search": {"mode": "include"}, "resource": {"resourceType": "Organization", "id": "o1"}}]}`)
		case strings.HasSuffix(r.URL.Path, "/Patient") && r.URL.Query().Get("name") != "":
			fmt.Fprint(w, `{"resourceType": "Bundle", "type": "searchset", "entry": [
				{"resource": {"resourceType": "Patient", "id": "p2", "identifier": [{"system": "urn:oid:1.2.3", "value": "MRN-2"}],
				 "name": [{"text": "Grace Hopper"}]}},
				{"resource": {"resourceType": "Patient", "id": "p3", "name": [{"text": "No MRN"}]}}]}`)
		case strings.HasSuffix(r.URL.Path, "/Patient"):
			fmt.Fprint(w, `{"resourceType": "Bundle", "type": "searchset"}`)
		default:
			http.Error(w, `{"resourceType": "OperationOutcome"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEHRPatientSearch(t *testing.T) {
	ctx := context.Background()
	srv := fakeEHR(t)
	c, err := fhir.NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	search := &EHRPatientSearch{Client: c, MRNSystem: "urn:oid:1.2.3"}
	s, _ := openStore(t)
	a := &SyncAdmin{Store: s, Search: search}
	if n, err := a.RefreshPatients(ctx, "a"); err != nil || n != 2 {
		t.Fatalf("refresh: %d, %v", n, err)
	}
	got, _, err := a.Candidates(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []sqlite.EHRPatient{
		{Ref: "Patient/p1", MRN: "MRN-0001", Name: "Ada Lovelace", Birth: "1815-12-10", Sex: "female"},
		{Ref: "Patient/p2", MRN: "MRN-2", Name: "Grace Hopper"},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("cached %+v, want %+v", got, want)
	}
}

func TestCheckEHRConnection(t *testing.T) {
	srv := fakeEHR(t)
	tests := []struct {
		name string
		s    EHRSettings
		want string
	}{
		{"reachable", EHRSettings{BaseURL: srv.URL}, ""},
		{"not FHIR", EHRSettings{BaseURL: srv.URL + "/nothing/here"}, "404"},
		{"nobody listening", EHRSettings{BaseURL: "http://127.0.0.1:1/fhir"}, "refused"},
		{"plain http off this machine", EHRSettings{BaseURL: "http://ehr.example.org/fhir"}, "TLS"},
		{"no URL", EHRSettings{}, "no FHIR base URL"},
		{"missing key file", EHRSettings{BaseURL: srv.URL, SMARTClientID: "c", SMARTKeyFile: "/nonexistent/key.pem"}, "smart key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckEHRConnection(context.Background(), tc.s)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func FuzzPatientsFrom(f *testing.F) {
	f.Add([]byte(`{"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"resourceType": "Patient", "id": "p",
		"identifier": [{"system": "urn:s", "value": "M1"}], "name": [{"given": ["A", "B"], "family": "C"}]}}]}`))
	f.Add([]byte(`{"entry": [{"resource": 7}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var bundle fhir.Bundle
		if json.Unmarshal(b, &bundle) != nil {
			return
		}
		ps, err := patientsFrom(bundle, "urn:s")
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.MRN == "" || !strings.HasPrefix(p.Ref, "Patient/") || len(p.Ref) == len("Patient/") {
				t.Fatalf("kept %+v", p)
			}
		}
	})
}
