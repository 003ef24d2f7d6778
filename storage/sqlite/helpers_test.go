package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
)

const (
	adminName = "ada"
	adminPass = "correct horse battery staple"
)

// fakeClock is a settable clock for outbox timing.
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

// newStore creates an unlocked store in a fresh directory; it is closed when
// the test ends.
func newStore(tb testing.TB) (*Store, string, string) {
	tb.Helper()
	dir := tb.TempDir() + "/store"
	s, code, err := Create(context.Background(), dir, adminName, []byte(adminPass), seal.FastParams)
	if err != nil {
		tb.Fatalf("create: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, dir, code
}

// reopen opens dir again and unlocks it as the administrator.
func reopen(tb testing.TB, dir string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := s.Unlock(context.Background(), adminName, []byte(adminPass)); err != nil {
		tb.Fatalf("unlock: %v", err)
	}
	return s
}

func addPatient(tb testing.TB, s *Store, mrn, name string) storage.Patient {
	tb.Helper()
	p, err := s.AddPatient(context.Background(), storage.Patient{MRN: mrn, Name: name, Birth: "1815-12-10", Sex: "female"})
	if err != nil {
		tb.Fatalf("add patient %s: %v", mrn, err)
	}
	return p
}

func count(tb testing.TB, s *Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := s.db.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func exec(tb testing.TB, s *Store, query string, args ...any) {
	tb.Helper()
	if _, err := s.db.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

func sqlNamed(name string, v any) any { return sql.Named(name, v) }
