package sqlite

import (
	"context"
	"testing"
	"time"

	"telewave/devices"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	_, rec := startRecording(t, s, ecgII, pleth)
	t0 := time.Now()
	var chunks []devices.Chunk
	for i := range 5 {
		chunks = append(chunks, secondOf(ecgII, uint64(i), t0, 0))
	}
	if err := s.AppendChunks(ctx, rec.ID, chunks); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes <= 0 || len(st.Signals) != 2 {
		t.Fatalf("stats = %+v", st)
	}
	ecg, pl := st.Signals[0], st.Signals[1]
	if ecg.Recording != rec.ID || ecg.Signal != ecgII.ID || ecg.Chunks != 5 || ecg.Samples != 5*360 {
		t.Fatalf("ecg stats = %+v", ecg)
	}
	// Sealed and compressed, the payload must beat 4-byte samples by far.
	if ecg.PayloadBytes <= 0 || ecg.PayloadBytes > ecg.Samples*2 {
		t.Fatalf("ecg payload %d bytes for %d samples", ecg.PayloadBytes, ecg.Samples)
	}
	if pl.Signal != pleth.ID || pl.Chunks != 0 || pl.Samples != 0 || pl.PayloadBytes != 0 {
		t.Fatalf("pleth stats = %+v", pl)
	}
}
