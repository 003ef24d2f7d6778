package app

import (
	"context"
	"testing"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// openStore creates a real sealed store in a temp dir, unlocked, with one
// patient.
func openStore(tb testing.TB) (*sqlite.Store, storage.Patient) {
	tb.Helper()
	ctx := context.Background()
	s, _, err := sqlite.Create(ctx, tb.TempDir(), "admin", []byte("correct horse battery"), seal.FastParams)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := s.Unlock(ctx, "admin", []byte("correct horse battery")); err != nil {
		tb.Fatal(err)
	}
	p, err := s.AddPatient(ctx, storage.Patient{MRN: "MRN-0001", Name: "Ada Lovelace", Birth: "1815-12-10", Sex: "female"})
	if err != nil {
		tb.Fatal(err)
	}
	return s, p
}

// eventually polls cond until it holds or the deadline passes.
func eventually(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("timed out after %v waiting for %s", d, what)
}
