package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"

	"telewave/app"
	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
	"telewave/sync/fhir"
	"telewave/sync/outbox"
)

// syncStore is a real sealed store in a temp dir, unlocked as its
// administrator, with one patient.
func syncStore(t *testing.T) (*sqlite.Store, storage.User, storage.Patient) {
	t.Helper()
	ctx := context.Background()
	s, _, err := sqlite.Create(ctx, filepath.Join(t.TempDir(), "store"), "ada", []byte("correct horse battery"), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u, err := s.CurrentUser()
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.AddPatient(ctx, storage.Patient{MRN: "MRN-TYPO", Name: "Ada Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	return s, u, p
}

// unmatchedAndParked queues two charts and gives them the outcomes the
// sender would: one waits for a patient match, one is parked.
func unmatchedAndParked(t *testing.T, s *sqlite.Store, mrn string) (waiting, parked int64) {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for range 2 {
		id, err := s.ChartVitals(ctx, storage.Chart{ID: uuid.NewString(), PatientMRN: mrn, Time: time.Now(),
			Vitals: []storage.Vital{{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 96, Unit: "%", Status: devices.Valid}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := s.ClaimDue(ctx, time.Now().Add(time.Hour), 10); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, ids[0], (&fhir.NotMatchedError{}).Error(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Park(ctx, ids[1], "fhir server answered 422 Unprocessable Entity: Observation.code"); err != nil {
		t.Fatal(err)
	}
	return ids[0], ids[1]
}

type cachedOnly struct{ ps []sqlite.EHRPatient }

func (c cachedOnly) ByMRN(context.Context, string) ([]sqlite.EHRPatient, error)  { return nil, nil }
func (c cachedOnly) ByName(context.Context, string) ([]sqlite.EHRPatient, error) { return c.ps, nil }

func TestSyncPanelShowsAndActs(t *testing.T) {
	test.NewTempApp(t)
	s, admin, _ := syncStore(t)
	waiting, parked := unmatchedAndParked(t, s, "MRN-TYPO")
	kicks := 0
	sa := &app.SyncAdmin{Store: s, Search: cachedOnly{[]sqlite.EHRPatient{{Ref: "Patient/5", MRN: "MRN-1", Name: "Ada Lovelace"}}},
		Kick: func() { kicks++ }}
	status := func() app.SyncStatus {
		st, _ := s.OutboxStats(context.Background())
		return app.SyncStatus{Configured: true, Status: outbox.Status{LastError: "dial tcp: connection refused"}, Queue: st}
	}
	p := newSyncPanel(sa, status, admin)
	w := test.NewWindow(p.root)
	defer w.Close()
	p.start(context.Background())
	defer p.stop()

	waitFor(t, "the two units", func() bool { return len(p.units) == 2 })
	for _, want := range []string{"EHR offline", "1 pending", "1 parked", "1 waiting for a patient match", "connection refused"} {
		if !strings.Contains(p.state.Text, want) {
			t.Errorf("state %q lacks %q", p.state.Text, want)
		}
	}
	if p.units[0].ID != waiting || !strings.Contains(unitLine(p.units[0]), "waiting for a patient match") ||
		p.units[1].ID != parked || !strings.Contains(unitLine(p.units[1]), "422") {
		t.Fatalf("units %+v", p.units)
	}
	if p.progress.Visible() {
		t.Error("progress shown with nothing draining")
	}
	if !strings.Contains(p.cache.Text, "never") {
		t.Errorf("cache line %q", p.cache.Text)
	}

	// Refresh the EHR list, then match the waiting unit to the patient found.
	p.list.Select(0)
	test.Type(p.search, "Ada")
	test.Tap(p.refresh)
	waitFor(t, "a candidate", func() bool { return len(p.candidates) == 1 })
	p.candList.Select(0)
	if p.match.Disabled() {
		t.Fatal("match disabled with a unit and a patient chosen")
	}
	test.Tap(p.match)
	waitFor(t, "the match", func() bool { return strings.Contains(p.result.Text, "done") })
	units, err := s.ClaimDue(context.Background(), time.Now(), 10)
	if err != nil || len(units) != 1 || units[0].ID != waiting || units[0].Chart.PatientMRN != "MRN-1" {
		t.Fatalf("after the match: %+v, %v", units, err)
	}

	// Discard the parked unit with a reason.
	waitFor(t, "the list without the matched unit", func() bool { return len(p.units) == 1 && p.units[0].ID == parked })
	p.list.Select(0)
	test.Type(p.reason, "charted on paper")
	test.Tap(p.discard)
	waitFor(t, "the discard", func() bool {
		return strings.Contains(p.result.Text, "Discard") && strings.Contains(p.result.Text, "done")
	})
	log, err := s.AuditLog(context.Background())
	if err != nil || log[len(log)-1].Action != "sync discard" || !strings.Contains(log[len(log)-1].Detail, "charted on paper") {
		t.Fatalf("audit %+v, %v", log[len(log)-1], err)
	}
	if kicks != 1 {
		t.Errorf("%d kicks, want 1 (the match)", kicks)
	}
}

func TestSyncPanelClinicianCannotDiscard(t *testing.T) {
	test.NewTempApp(t)
	s, _, _ := syncStore(t)
	unmatchedAndParked(t, s, "MRN-TYPO")
	nurse := storage.User{Name: "grace", Role: storage.RoleClinician}
	p := newSyncPanel(&app.SyncAdmin{Store: s}, func() app.SyncStatus { return app.SyncStatus{} }, nurse)
	w := test.NewWindow(p.root)
	defer w.Close()
	p.start(context.Background())
	defer p.stop()
	waitFor(t, "the units", func() bool { return len(p.units) == 2 })
	p.list.Select(1)
	if !p.discard.Disabled() || p.retry.Disabled() {
		t.Fatalf("clinician: discard enabled %v, retry enabled %v", !p.discard.Disabled(), !p.retry.Disabled())
	}
	if !strings.Contains(p.state.Text, "not configured") {
		t.Errorf("state %q", p.state.Text)
	}
}

func TestSyncStateProgress(t *testing.T) {
	test.NewTempApp(t)
	p := newSyncPanel(&app.SyncAdmin{}, nil, storage.User{})
	p.apply(app.SyncView{SyncStatus: app.SyncStatus{Configured: true, Status: outbox.Status{Online: true}},
		Progress: app.Progress{Active: true, Sent: 30, Total: 120}})
	if !p.progress.Visible() || p.progress.Value != 30 || p.progress.Max != 120 || p.progressText.Text != "30 of 120 sent" {
		t.Fatalf("progress %v/%v %q", p.progress.Value, p.progress.Max, p.progressText.Text)
	}
	if !strings.Contains(p.state.Text, "EHR online") {
		t.Errorf("state %q", p.state.Text)
	}
}
