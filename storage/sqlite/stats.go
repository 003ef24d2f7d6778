package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Stats is what `telewave store stats` prints: the store's size on disk and,
// per signal, how much it holds.
type Stats struct {
	Bytes   int64 // database file plus its write-ahead log
	Signals []SignalStats
}

// SignalStats counts one signal of one recording.
type SignalStats struct {
	Recording    int64
	Signal       string
	Chunks       int64 // live chunks
	Blocks       int64 // compacted blocks
	Samples      int64
	PayloadBytes int64 // sealed, compressed sample bytes (chunks and blocks)
}

// Stats measures the store.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	if _, err := s.session(); err != nil {
		return st, fmt.Errorf("store stats: %w", err)
	}
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(filepath.Join(s.dir, FileName+suffix))
		if err == nil {
			st.Bytes += fi.Size()
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.recording_id, s.signal_key,
		(SELECT COUNT(*) FROM chunks c WHERE c.signal_id = s.id),
		(SELECT COUNT(*) FROM blocks b WHERE b.signal_id = s.id),
		(SELECT COALESCE(SUM(n_samples), 0) FROM chunks c WHERE c.signal_id = s.id) +
		(SELECT COALESCE(SUM(n_samples), 0) FROM blocks b WHERE b.signal_id = s.id),
		(SELECT COALESCE(SUM(length(payload)), 0) FROM chunks c WHERE c.signal_id = s.id) +
		(SELECT COALESCE(SUM(length(payload)), 0) FROM blocks b WHERE b.signal_id = s.id)
		FROM signals s ORDER BY s.recording_id, s.id`)
	if err != nil {
		return st, fmt.Errorf("store stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ss SignalStats
		if err := rows.Scan(&ss.Recording, &ss.Signal, &ss.Chunks, &ss.Blocks, &ss.Samples, &ss.PayloadBytes); err != nil {
			return st, fmt.Errorf("store stats: %w", err)
		}
		st.Signals = append(st.Signals, ss)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("store stats: %w", err)
	}
	return st, nil
}
