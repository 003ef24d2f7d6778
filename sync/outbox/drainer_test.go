package outbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"telewave/storage"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// fixedBackoff makes retry times predictable: attempt n waits n minutes.
func fixedBackoff(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }

func newDrainer(q Queue, s Sender, clock *fakeClock) *Drainer {
	return &Drainer{Queue: q, Sender: s, Now: clock.Now, Backoff: fixedBackoff}
}

func TestDrainOnce(t *testing.T) {
	transient := errors.New("connection refused")
	tests := []struct {
		name      string
		errs      map[int64][]error
		ids       []int64
		want      Result
		wantState map[int64]storage.UnitState
		wantErr   map[int64]string
	}{
		{
			name:      "sent units are done",
			ids:       []int64{1, 2},
			want:      Result{Sent: 2},
			wantState: map[int64]storage.UnitState{1: storage.Done, 2: storage.Done},
		},
		{
			name:      "transient error retries later",
			ids:       []int64{1},
			errs:      map[int64][]error{1: {transient}},
			want:      Result{Retried: 1},
			wantState: map[int64]storage.UnitState{1: storage.Pending},
			wantErr:   map[int64]string{1: "connection refused"},
		},
		{
			name:      "permanent error parks and does not block the next unit",
			ids:       []int64{1, 2, 3},
			errs:      map[int64][]error{1: {permanent{"400 bad request"}}, 2: {transient}},
			want:      Result{Sent: 1, Retried: 1, Parked: 1},
			wantState: map[int64]storage.UnitState{1: storage.Parked, 2: storage.Pending, 3: storage.Done},
			wantErr:   map[int64]string{1: "400 bad request", 2: "connection refused"},
		},
		{
			name:      "wrapped permanent error parks",
			ids:       []int64{7},
			errs:      map[int64][]error{7: {fmt.Errorf("send unit 7: %w", permanent{"unknown kind"})}},
			want:      Result{Parked: 1},
			wantState: map[int64]storage.UnitState{7: storage.Parked},
			wantErr:   map[int64]string{7: "send unit 7: unknown kind"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newMemQueue(tt.ids...)
			s := &fakeSender{errs: tt.errs}
			d := newDrainer(q, s, &fakeClock{t: t0})
			got, err := d.DrainOnce(context.Background())
			if err != nil {
				t.Fatalf("DrainOnce: %v", err)
			}
			if got != tt.want {
				t.Errorf("result = %+v, want %+v", got, tt.want)
			}
			if !slices.Equal(s.sent(), tt.ids) {
				t.Errorf("sent %v, want each of %v once", s.sent(), tt.ids)
			}
			for id, want := range tt.wantState {
				u := q.unit(id)
				if u.State != want {
					t.Errorf("unit %d state = %s, want %s", id, u.State, want)
				}
				if u.LastError != tt.wantErr[id] {
					t.Errorf("unit %d last error = %q, want %q", id, u.LastError, tt.wantErr[id])
				}
				if want == storage.Pending && !u.NextAttempt.Equal(t0.Add(time.Minute)) {
					t.Errorf("unit %d next attempt = %v, want %v", id, u.NextAttempt, t0.Add(time.Minute))
				}
			}
		})
	}
}

func TestDrainOnceRetryWaitsGrow(t *testing.T) {
	q := newMemQueue(1)
	fail := errors.New("503")
	s := &fakeSender{errs: map[int64][]error{1: {fail, fail, fail}}}
	clock := &fakeClock{t: t0}
	d := newDrainer(q, s, clock)
	for attempt := 1; attempt <= 3; attempt++ {
		now := clock.Now()
		if _, err := d.DrainOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		u := q.unit(1)
		if got, want := u.NextAttempt.Sub(now), fixedBackoff(attempt); got != want {
			t.Fatalf("attempt %d: waits %v, want %v", attempt, got, want)
		}
		// Not due yet: a drain now must leave it alone.
		if r, _ := d.DrainOnce(context.Background()); r != (Result{}) {
			t.Fatalf("attempt %d: drained a unit that is not due: %+v", attempt, r)
		}
		clock.Advance(fixedBackoff(attempt))
	}
	if r, err := d.DrainOnce(context.Background()); err != nil || r.Sent != 1 {
		t.Fatalf("fourth try: %+v, %v; want sent", r, err)
	}
	if got := len(s.sent()); got != 4 {
		t.Errorf("sender called %d times, want 4", got)
	}
}

func TestDrainOnceBatches(t *testing.T) {
	ids := make([]int64, 70)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	q := newMemQueue(ids...)
	s := &fakeSender{}
	d := newDrainer(q, s, &fakeClock{t: t0})
	d.Batch = 32
	r, err := d.DrainOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 70 {
		t.Errorf("sent %d, want 70", r.Sent)
	}
	if q.claims != 3 {
		t.Errorf("claims = %d, want 3 (32+32+6)", q.claims)
	}
}

func TestDrainOnceStopsOnUnitDueAgainAtOnce(t *testing.T) {
	q := newMemQueue(1)
	fail := errors.New("busy")
	s := &fakeSender{errs: map[int64][]error{1: {fail, fail, fail, fail}}}
	d := newDrainer(q, s, &fakeClock{t: t0})
	d.Batch = 1
	d.Backoff = func(int) time.Duration { return 0 }
	r, err := d.DrainOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// One pass over the unit, then a second claim returns it again and
	// the drain stops instead of spinning.
	if r.Retried > 2 || len(s.sent()) > 2 {
		t.Errorf("drain looped: %+v, sends %v", r, s.sent())
	}
}

func TestDrainOnceQueueErrors(t *testing.T) {
	t.Run("claim", func(t *testing.T) {
		q := newMemQueue(1)
		q.claimErr = errors.New("database is locked")
		_, err := newDrainer(q, &fakeSender{}, &fakeClock{t: t0}).DrainOnce(context.Background())
		if err == nil || !strings.Contains(err.Error(), "database is locked") {
			t.Fatalf("err = %v, want the claim error", err)
		}
	})
	t.Run("mark", func(t *testing.T) {
		q := newMemQueue(1, 2)
		q.markErr = errors.New("disk full")
		s := &fakeSender{}
		_, err := newDrainer(q, s, &fakeClock{t: t0}).DrainOnce(context.Background())
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("err = %v, want the mark error", err)
		}
		if got := s.sent(); !slices.Equal(got, []int64{1}) {
			t.Errorf("sent %v after a store failure, want only [1]", got)
		}
	})
	t.Run("no queue", func(t *testing.T) {
		if _, err := (&Drainer{}).DrainOnce(context.Background()); err == nil {
			t.Fatal("want an error without Queue and Sender")
		}
	})
}

func TestDrainOnceCancelReleasesUnits(t *testing.T) {
	q := newMemQueue(1, 2, 3)
	s := &fakeSender{block: true}
	d := newDrainer(q, s, &fakeClock{t: t0})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := d.DrainOnce(ctx)
		done <- err
	}()
	waitFor(t, func() bool { return len(s.sent()) == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("DrainOnce did not return after cancel")
	}
	for _, id := range []int64{1, 2, 3} {
		u := q.unit(id)
		if u.State != storage.Pending || u.NextAttempt.After(t0) {
			t.Errorf("unit %d: state %s due %v, want pending and due now", id, u.State, u.NextAttempt)
		}
	}
}

func TestStatus(t *testing.T) {
	q := newMemQueue(1, 2)
	s := &fakeSender{errs: map[int64][]error{2: {errors.New("dial tcp: connection refused")}}}
	clock := &fakeClock{t: t0}
	d := newDrainer(q, s, clock)
	if st := d.Status(); st.Online || !st.Checked.IsZero() {
		t.Fatalf("initial status %+v, want offline and unchecked", st)
	}
	if _, err := d.DrainOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := d.Status()
	if st.Online {
		t.Error("online after a connection error, want offline")
	}
	if !st.LastSuccess.Equal(t0) || st.Sent != 1 || st.Retried != 1 {
		t.Errorf("status %+v, want one sent at %v and one retried", st, t0)
	}
	if st.LastError != "dial tcp: connection refused" {
		t.Errorf("last error %q", st.LastError)
	}

	q.add(3)
	s.errs = map[int64][]error{3: {answered{"503 Service Unavailable"}}}
	if _, err := d.DrainOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !d.Status().Online {
		t.Error("offline after the server answered 503, want online")
	}
}
