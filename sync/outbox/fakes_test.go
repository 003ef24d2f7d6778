package outbox

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"telewave/storage"
)

// memQueue is an in-memory Queue with the store's semantics: ClaimDue
// returns pending units whose next attempt is due, oldest id first, and
// marks them in flight; MarkRetry counts an attempt.
type memQueue struct {
	mu       sync.Mutex
	units    map[int64]*storage.OutboxUnit
	claims   int
	claimErr error
	markErr  error
}

var _ Queue = (*memQueue)(nil)

func newMemQueue(ids ...int64) *memQueue {
	q := &memQueue{units: make(map[int64]*storage.OutboxUnit)}
	for _, id := range ids {
		q.add(id)
	}
	return q
}

func (q *memQueue) add(id int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.units[id] = &storage.OutboxUnit{ID: id, Kind: "chart", State: storage.Pending}
}

func (q *memQueue) ClaimDue(_ context.Context, now time.Time, limit int) ([]storage.OutboxUnit, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.claims++
	if q.claimErr != nil {
		return nil, q.claimErr
	}
	var ids []int64
	for id, u := range q.units {
		if u.State == storage.Pending && !u.NextAttempt.After(now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]storage.OutboxUnit, 0, len(ids))
	for _, id := range ids {
		q.units[id].State = storage.InFlight
		out = append(out, *q.units[id])
	}
	return out, nil
}

func (q *memQueue) inFlight(id int64) (*storage.OutboxUnit, error) {
	u, ok := q.units[id]
	if !ok {
		return nil, storage.ErrNotFound
	}
	if u.State != storage.InFlight {
		return nil, errors.New("unit not in flight")
	}
	return u, q.markErr
}

func (q *memQueue) MarkDone(_ context.Context, id int64, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	u, err := q.inFlight(id)
	if err != nil {
		return err
	}
	u.State = storage.Done
	return nil
}

func (q *memQueue) MarkRetry(_ context.Context, id int64, reason string, next time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	u, err := q.inFlight(id)
	if err != nil {
		return err
	}
	u.State, u.LastError, u.NextAttempt = storage.Pending, reason, next
	u.Attempts++
	return nil
}

func (q *memQueue) Park(_ context.Context, id int64, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	u, err := q.inFlight(id)
	if err != nil {
		return err
	}
	u.State, u.LastError = storage.Parked, reason
	return nil
}

func (q *memQueue) unit(id int64) storage.OutboxUnit {
	q.mu.Lock()
	defer q.mu.Unlock()
	return *q.units[id]
}

// fakeSender answers each unit id with the errors queued for it, in order,
// then nil; it can block until its context ends.
type fakeSender struct {
	mu    sync.Mutex
	errs  map[int64][]error
	calls []int64
	block bool
}

var _ Sender = (*fakeSender)(nil)

func (s *fakeSender) Send(ctx context.Context, u storage.OutboxUnit) error {
	s.mu.Lock()
	s.calls = append(s.calls, u.ID)
	block := s.block
	var err error
	if q := s.errs[u.ID]; len(q) > 0 {
		err, s.errs[u.ID] = q[0], q[1:]
	}
	s.mu.Unlock()
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

func (s *fakeSender) sent() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

type permanent struct{ msg string }

func (p permanent) Error() string   { return p.msg }
func (p permanent) Permanent() bool { return true }

type answered struct{ msg string }

func (a answered) Error() string        { return a.msg }
func (a answered) ServerAnswered() bool { return true }

// fakeClock is a settable clock for Drainer.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
