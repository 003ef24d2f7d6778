package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
)

const notMatched = "patient not matched in the EHR: no patient with this MRN"

// queueOfEachKind queues a chart, a strip, a clip and a report for mrn and
// returns their unit ids by kind.
func queueOfEachKind(tb testing.TB, s *Store, mrn string, n int) map[string]int64 {
	tb.Helper()
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	units := map[string]int64{}
	var err error
	if units[KindChart], err = s.ChartVitals(ctx, chartFor(mrn, chartID(n), at)); err != nil {
		tb.Fatal(err)
	}
	st := storage.Strip{ID: chartID(n + 1), PatientMRN: mrn, Start: at, Device: monitor, Author: adminName,
		Leads: []storage.StripLead{{Signal: ecgII, Samples: rampSamples(500, 10, 3)}}}
	if units[KindStrip], err = s.QueueStrip(ctx, st); err != nil {
		tb.Fatal(err)
	}
	wav := []byte("RIFF\x04\x00\x00\x00WAVE")
	if units[KindClip], err = s.QueueClip(ctx, storage.Clip{ID: chartID(n + 2), PatientMRN: mrn, Time: at, WAV: wav, Author: adminName}); err != nil {
		tb.Fatal(err)
	}
	if units[KindReport], err = s.QueueReport(ctx, storage.Report{ID: chartID(n + 3), PatientMRN: mrn, Time: at,
		Text: "sinus rhythm", Author: adminName, Strips: []string{st.ID}}); err != nil {
		tb.Fatal(err)
	}
	return units
}

func parkAll(tb testing.TB, s *Store, reason string, units map[string]int64) {
	tb.Helper()
	for _, id := range units {
		if err := s.Park(context.Background(), id, reason); err != nil {
			tb.Fatal(err)
		}
	}
}

func lastAudit(tb testing.TB, s *Store) AuditEntry {
	tb.Helper()
	log, err := s.AuditLog(context.Background())
	if err != nil || len(log) == 0 {
		tb.Fatalf("audit log: %d rows, %v", len(log), err)
	}
	return log[len(log)-1]
}

func TestListOutbox(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	p := addPatient(t, s, "MRN-1", "Ada Lovelace")
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var units []int64
	for i := 1; i <= 4; i++ {
		u, err := s.ChartVitals(ctx, chartFor("MRN-1", chartID(i), at))
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	// unit 0 waits for a match, 1 is parked, 2 is delivered, 3 is pending.
	claimOne(t, s, units[0]) // claims all four
	for _, step := range []func() error{
		func() error { return s.MarkRetry(ctx, units[0], notMatched, at.Add(time.Hour)) },
		func() error { return s.Park(ctx, units[1], "fhir server answered 422 Unprocessable Entity") },
		func() error { return s.MarkDone(ctx, units[2], at) },
		func() error { return s.MarkRetry(ctx, units[3], "", at) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		q    OutboxQuery
		want []int64
	}{
		{"default: all but done", OutboxQuery{}, []int64{units[0], units[1], units[3]}},
		{"parked", OutboxQuery{States: []storage.UnitState{storage.Parked}}, []int64{units[1]}},
		{"done on request", OutboxQuery{States: []storage.UnitState{storage.Done}}, []int64{units[2]}},
		{"waiting for a match", OutboxQuery{ReasonContains: []string{"NO PATIENT with this MRN", "absent text"}}, []int64{units[0]}},
		{"limit", OutboxQuery{Limit: 2}, []int64{units[0], units[1]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListOutbox(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, e := range got {
				if e.ID != tc.want[i] || e.Kind != KindChart || e.PatientID != p.ID || e.ItemID == "" || e.Created.IsZero() {
					t.Errorf("entry %d = %+v, want unit %d of patient %d", i, e, tc.want[i], p.ID)
				}
			}
		})
	}
	got, err := s.ListOutbox(ctx, OutboxQuery{ReasonContains: []string{"no patient"}})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v, %v", got, err)
	}
	if e := got[0]; e.Reason != notMatched || e.Attempts != 1 || e.State != storage.Pending || e.ItemID != chartID(1) || e.ReasonAt.IsZero() {
		t.Errorf("waiting entry = %+v", e)
	}
}

func TestRetargetUnitEveryKind(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	from := addPatient(t, s, "MRN-TYPO", "Ada Lovelace")
	to := addPatient(t, s, "MRN-1", "Ada Lovelace")
	units := queueOfEachKind(t, s, from.MRN, 10)
	parkAll(t, s, notMatched, units)
	for kind, id := range units {
		t.Run(kind, func(t *testing.T) {
			if err := s.RetargetUnit(ctx, id, to.ID); err != nil {
				t.Fatal(err)
			}
			a := lastAudit(t, s)
			if a.Action != "sync match" || strings.Contains(a.Detail, "MRN") || strings.Contains(a.Detail, "Ada") ||
				!strings.Contains(a.Detail, "to patient") {
				t.Errorf("audit = %+v", a)
			}
			u := claimOne(t, reopen(t, dir), id) // the new MRN is sealed, not only cached
			var mrn string
			switch kind {
			case KindChart:
				mrn = u.Chart.PatientMRN
			case KindStrip:
				mrn = u.Strip.PatientMRN
				if len(u.Strip.Leads) != 1 || len(u.Strip.Leads[0].Samples) != 500 {
					t.Errorf("strip samples lost: %+v", u.Strip.Leads)
				}
			case KindClip:
				mrn = u.Clip.PatientMRN
				if string(u.Clip.WAV[:4]) != "RIFF" {
					t.Errorf("clip audio lost")
				}
			case KindReport:
				mrn = u.Report.PatientMRN
			}
			if mrn != to.MRN {
				t.Errorf("unit carries MRN %q, want %q", mrn, to.MRN)
			}
		})
	}
	for _, table := range []string{"charts", "strips", "clips", "reports"} {
		if n := count(t, s, `SELECT COUNT(*) FROM `+table+` WHERE patient_id = ?`, from.ID); n != 0 {
			t.Errorf("%s: %d rows still on the old patient", table, n)
		}
	}
	if n := count(t, s, `SELECT COUNT(*) FROM numerics WHERE patient_id = ?`, from.ID); n != 0 {
		t.Errorf("%d numerics still on the old patient", n)
	}
}

func TestOutboxActionsRefuse(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	p := addPatient(t, s, "MRN-1", "Ada Lovelace")
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	inFlight, err := s.ChartVitals(ctx, chartFor("MRN-1", chartID(1), at))
	if err != nil {
		t.Fatal(err)
	}
	claimOne(t, s, inFlight)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"retry unknown", func() error { return s.RetryUnit(ctx, 999) }, storage.ErrNotFound},
		{"retry in flight", func() error { return s.RetryUnit(ctx, inFlight) }, ErrWrongState},
		{"match in flight", func() error { return s.RetargetUnit(ctx, inFlight, p.ID) }, ErrWrongState},
		{"match unknown unit", func() error { return s.RetargetUnit(ctx, 999, p.ID) }, storage.ErrNotFound},
		{"discard in flight", func() error { return s.DiscardUnit(ctx, inFlight, "test") }, ErrWrongState},
		{"discard without reason", func() error { return s.DiscardUnit(ctx, inFlight, "  ") }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if err := s.MarkRetry(ctx, inFlight, "x", at); err != nil {
		t.Fatal(err)
	}
	if err := s.RetargetUnit(ctx, inFlight, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("match to unknown patient: %v", err)
	}
}

func TestRetryUnit(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	units := queueOfEachKind(t, s, "MRN-1", 1)
	parkAll(t, s, "fhir server answered 400 Bad Request", units)
	if got, err := s.ClaimDue(ctx, s.now().Add(time.Hour), 10); err != nil || len(got) != 0 {
		t.Fatalf("parked units claimed: %d, %v", len(got), err)
	}
	if err := s.RetryUnit(ctx, units[KindClip]); err != nil {
		t.Fatal(err)
	}
	if a := lastAudit(t, s); a.Action != "sync retry" {
		t.Errorf("audit = %+v", a)
	}
	got, err := s.ClaimDue(ctx, s.now(), 10)
	if err != nil || len(got) != 1 || got[0].ID != units[KindClip] {
		t.Fatalf("claimed %+v, %v; want the retried clip only", got, err)
	}
	st, err := s.OutboxStats(ctx)
	if err != nil || st.Parked != 3 || st.Pending != 1 {
		t.Fatalf("stats %+v, %v", st, err)
	}
}

func TestDiscardUnit(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	units := queueOfEachKind(t, s, "MRN-1", 1)
	parkAll(t, s, "fhir server answered 422 Unprocessable Entity", units)
	if _, err := s.AddUser(ctx, "grace", storage.RoleClinician, []byte("nurse pass"), seal.FastParams); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unlock(ctx, "grace", []byte("nurse pass")); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardUnit(ctx, units[KindChart], "duplicate of paper chart"); !errors.Is(err, ErrNotAdministrator) {
		t.Fatalf("clinician discards: %v", err)
	}
	if _, err := s.Unlock(ctx, adminName, []byte(adminPass)); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardUnit(ctx, units[KindChart], "duplicate of paper chart"); err != nil {
		t.Fatal(err)
	}
	if a := lastAudit(t, s); a.Action != "sync discard" || !strings.Contains(a.Detail, "duplicate of paper chart") || !strings.Contains(a.Detail, chartID(1)) {
		t.Errorf("audit = %+v", a)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox WHERE id = ?`, units[KindChart]); n != 0 {
		t.Errorf("discarded unit still in the outbox")
	}
	if n := count(t, s, `SELECT COUNT(*) FROM charts WHERE uuid = ?`, chartID(1)); n != 1 {
		t.Errorf("the local chart went with the unit")
	}
	if err := s.DiscardUnit(ctx, units[KindChart], "again"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second discard: %v", err)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestEHRPatientCache(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	got, refreshed, err := s.EHRPatients(ctx)
	if err != nil || len(got) != 0 || !refreshed.IsZero() {
		t.Fatalf("empty cache: %v, %v, %v", got, refreshed, err)
	}
	t1 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := s.CacheEHRPatients(ctx, []EHRPatient{
		{Ref: "Patient/2", MRN: "MRN-2", Name: "Grace Hopper"},
		{Ref: "Patient/1", MRN: " MRN-1 ", Name: "Ada Lovelace", Birth: "1815-12-10", Sex: "female"},
		{Ref: "", MRN: "MRN-3"}, // no EHR id: nothing to match to
	}, t1); err != nil {
		t.Fatal(err)
	}
	t2 := t1.Add(time.Hour)
	if err := s.CacheEHRPatients(ctx, []EHRPatient{{Ref: "Patient/7", MRN: "MRN-2", Name: "Grace B. Hopper"}}, t2); err != nil {
		t.Fatal(err)
	}
	got, refreshed, err = reopen(t, dir).EHRPatients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []EHRPatient{
		{Ref: "Patient/1", MRN: "MRN-1", Name: "Ada Lovelace", Birth: "1815-12-10", Sex: "female"},
		{Ref: "Patient/7", MRN: "MRN-2", Name: "Grace B. Hopper"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || !refreshed.Equal(t2) {
		t.Fatalf("cache = %+v at %v, want %+v at %v", got, refreshed, want, t2)
	}
	if err := s.CacheEHRPatients(ctx, nil, t2.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, refreshed, _ = s.EHRPatients(ctx); !refreshed.Equal(t2.Add(time.Hour)) {
		t.Errorf("an empty search did not record its time: %v", refreshed)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM ehr_patients WHERE instr(sealed, 'Lovelace') > 0`); n != 0 {
		t.Fatal("a name is stored in clear")
	}
	exec(t, s, `UPDATE ehr_patients SET mrn_index = x'00' WHERE id = (SELECT MIN(id) FROM ehr_patients)`)
	if _, _, err := s.EHRPatients(ctx); !errors.Is(err, seal.ErrTampered) {
		t.Fatalf("swapped index: %v", err)
	}
}
