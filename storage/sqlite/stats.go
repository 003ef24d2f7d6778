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
	Chunks       int64
	Samples      int64
	PayloadBytes int64 // sealed, compressed sample bytes
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
	rows, err := s.db.QueryContext(ctx, `SELECT s.recording_id, s.signal_key, COUNT(c.seq),
		COALESCE(SUM(c.n_samples), 0), COALESCE(SUM(length(c.payload)), 0)
		FROM signals s LEFT JOIN chunks c ON c.signal_id = s.id
		GROUP BY s.id ORDER BY s.recording_id, s.id`)
	if err != nil {
		return st, fmt.Errorf("store stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ss SignalStats
		if err := rows.Scan(&ss.Recording, &ss.Signal, &ss.Chunks, &ss.Samples, &ss.PayloadBytes); err != nil {
			return st, fmt.Errorf("store stats: %w", err)
		}
		st.Signals = append(st.Signals, ss)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("store stats: %w", err)
	}
	return st, nil
}
