package sqlite

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
)

func chartFor(mrn, id string, at time.Time) storage.Chart {
	return storage.Chart{
		ID: id, PatientMRN: mrn, Time: at, Author: adminName, Device: monitor,
		Vitals: []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97, Unit: "%"},
			{Code: devices.MDCECGHeartRate, Label: "HR", Value: 72, Unit: "/min", Status: devices.QuestionableValue},
		},
	}
}

func chartID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func TestChartVitals(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

	bad := []struct {
		name    string
		chart   storage.Chart
		wantErr error
	}{
		{"empty id", chartFor("MRN-1", "", at), nil},
		{"not a uuid", chartFor("MRN-1", "chart-1", at), nil},
		{"unknown patient", chartFor("MRN-404", chartID(1), at), storage.ErrNotFound},
		{"no vitals", storage.Chart{ID: chartID(1), PatientMRN: "MRN-1", Time: at}, nil},
		{"no time", chartFor("MRN-1", chartID(1), time.Time{}), nil},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := s.ChartVitals(ctx, b.chart)
			if err == nil || b.wantErr != nil && !errors.Is(err, b.wantErr) {
				t.Fatalf("err = %v, want %v", err, b.wantErr)
			}
		})
	}
	if n := count(t, s, `SELECT COUNT(*) FROM charts`); n != 0 {
		t.Fatalf("%d charts after refused calls", n)
	}

	t.Run("a failing transaction leaves nothing", func(t *testing.T) {
		exec(t, s, `CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
		if _, err := s.ChartVitals(ctx, chartFor("MRN-1", chartID(1), at)); err == nil {
			t.Fatal("ChartVitals succeeded despite the failing outbox insert")
		}
		exec(t, s, `DROP TRIGGER fail_outbox`)
		for _, table := range []string{"charts", "numerics", "outbox"} {
			if n := count(t, s, `SELECT COUNT(*) FROM `+table); n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
	})

	c := chartFor("MRN-1", chartID(1), at)
	unit, err := s.ChartVitals(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM numerics WHERE chart_id = (SELECT id FROM charts WHERE uuid = ?)`, c.ID); n != 2 {
		t.Fatalf("%d numerics rows, want 2", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox WHERE id = ? AND state = 'pending' AND kind = 'chart'`, unit); n != 1 {
		t.Fatal("no pending outbox unit")
	}
	if _, err := s.ChartVitals(ctx, c); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("same chart twice: err = %v, want ErrExists", err)
	}
	log, err := s.AuditLog(ctx)
	if err != nil || log[len(log)-1].Action != "chart" {
		t.Fatalf("last audit row = %+v, %v", log[len(log)-1], err)
	}
}

func TestOutboxStateMachine(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	clock := &fakeClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	s.now = clock.Now
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	var units []int64
	for i := range 3 {
		u, err := s.ChartVitals(ctx, chartFor("MRN-1", chartID(i), clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
		clock.Advance(time.Second)
	}
	now := clock.Now()

	claimed, err := s.ClaimDue(ctx, now, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 2 || claimed[0].ID != units[0] || claimed[1].ID != units[1] {
		t.Fatalf("first claim = %+v", claimed)
	}
	for i, u := range claimed {
		if u.State != storage.InFlight || u.Attempts != 1 || u.Kind != KindChart || u.Chart == nil {
			t.Fatalf("claimed unit %+v", u)
		}
		want := chartFor("MRN-1", chartID(i), u.Chart.Time)
		if !reflect.DeepEqual(*u.Chart, want) || !u.Chart.Time.Equal(time.Date(2025, 3, 1, 8, 0, i, 0, time.UTC)) {
			t.Fatalf("chart\n got %+v\nwant %+v", *u.Chart, want)
		}
	}
	if again, err := s.ClaimDue(ctx, now, 10); err != nil || len(again) != 1 || again[0].ID != units[2] {
		t.Fatalf("second claim = %+v, %v", again, err)
	}

	retryAt := now.Add(time.Minute)
	steps := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"retry in flight", func() error { return s.MarkRetry(ctx, units[0], "HTTP 503", retryAt) }, nil},
		{"retry twice", func() error { return s.MarkRetry(ctx, units[0], "HTTP 503", retryAt) }, ErrWrongState},
		{"done while pending", func() error { return s.MarkDone(ctx, units[0], now) }, ErrWrongState},
		{"park in flight", func() error { return s.Park(ctx, units[1], "HTTP 422") }, nil},
		{"park parked", func() error { return s.Park(ctx, units[1], "again") }, ErrWrongState},
		{"done in flight", func() error { return s.MarkDone(ctx, units[2], now) }, nil},
		{"retry done", func() error { return s.MarkRetry(ctx, units[2], "x", now) }, ErrWrongState},
		{"unknown unit", func() error { return s.MarkDone(ctx, 999, now) }, storage.ErrNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(); !errors.Is(err, st.wantErr) {
				t.Fatalf("err = %v, want %v", err, st.wantErr)
			}
		})
	}

	if due, err := s.ClaimDue(ctx, now, 10); err != nil || len(due) != 0 {
		t.Fatalf("claim before retry time = %+v, %v", due, err)
	}
	due, err := s.ClaimDue(ctx, retryAt, 10)
	if err != nil || len(due) != 1 || due[0].ID != units[0] || due[0].Attempts != 2 || due[0].LastError != "HTTP 503" {
		t.Fatalf("claim at retry time = %+v, %v", due, err)
	}
	clock.Advance(time.Minute)
	if err := s.MarkRetry(ctx, units[0], "timeout", retryAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	st, err := s.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.OutboxStats{Pending: 1, Parked: 1, Done: 1, LastSuccess: now, LastError: "timeout"}
	if st.Pending != want.Pending || st.Parked != want.Parked || st.Done != want.Done ||
		!st.LastSuccess.Equal(want.LastSuccess) || st.LastError != want.LastError {
		t.Fatalf("stats = %+v, want %+v", st, want)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRequeueInFlight(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	for i := range 3 {
		if _, err := s.ChartVitals(ctx, chartFor("MRN-1", chartID(i), time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	far := time.Now().Add(time.Hour)
	if got, err := s.ClaimDue(ctx, far, 2); err != nil || len(got) != 2 {
		t.Fatalf("claim = %d units, %v", len(got), err)
	}
	s.Close() // a crash mid-send: two units stay in flight

	s2 := reopen(t, dir)
	if n, err := s2.RequeueInFlight(ctx); err != nil || n != 2 {
		t.Fatalf("requeued %d, %v; want 2", n, err)
	}
	got, err := s2.ClaimDue(ctx, far, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("claim after requeue = %d units, %v", len(got), err)
	}
	if got[0].Attempts != 2 || got[2].Attempts != 1 {
		t.Fatalf("attempts %d, %d; want 2, 1", got[0].Attempts, got[2].Attempts)
	}
	if n, err := s2.RequeueInFlight(ctx); err != nil || n != 3 {
		t.Fatalf("second requeue %d, %v", n, err)
	}
}

func TestClaimParksUnreadableChart(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	for i := range 2 {
		if _, err := s.ChartVitals(ctx, chartFor("MRN-1", chartID(i), time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	// Chart 0 gets chart 1's sealed value: it must not open, nor block chart 1.
	exec(t, s, `UPDATE charts SET sealed = (SELECT sealed FROM charts WHERE uuid = ?) WHERE uuid = ?`, chartID(1), chartID(0))
	got, err := s.ClaimDue(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || len(got) != 1 || got[0].Chart.ID != chartID(1) {
		t.Fatalf("claim = %+v, %v", got, err)
	}
	st, err := s.OutboxStats(ctx)
	if err != nil || st.Parked != 1 || st.LastError != "local data unreadable: "+seal.ErrTampered.Error() {
		t.Fatalf("stats = %+v, %v", st, err)
	}
}
