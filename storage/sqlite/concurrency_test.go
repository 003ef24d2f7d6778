package sqlite

import (
	"context"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

// TestConcurrentWriters runs the recorder and the charting path at once, as
// the app does: SQLite's busy timeout must make them wait, not fail.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	_, rec := startRecording(t, s, ecgII)
	const rounds = 20
	t0 := time.Now()
	errs := make(chan error, 3*rounds)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := range rounds {
			errs <- s.AppendChunks(ctx, rec.ID, []devices.Chunk{secondOf(ecgII, uint64(i), t0, 0)})
		}
	}()
	go func() {
		defer wg.Done()
		for i := range rounds {
			_, err := s.ChartVitals(ctx, chartFor("MRN-REC", chartID(i), t0))
			errs <- err
		}
	}()
	go func() {
		defer wg.Done()
		for range rounds {
			_, err := s.Chunks(ctx, rec.ID, ecgII.ID)
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT COUNT(*) FROM chunks`); n != rounds {
		t.Fatalf("%d chunks, want %d", n, rounds)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n < rounds {
		t.Fatalf("audit after concurrent charts: %d rows, %v", n, err)
	}
}
