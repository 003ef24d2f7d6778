package sqlite

import (
	"context"
	"fmt"

	"telewave/storage/wavecodec"
)

// VerifyReport is what Verify checked.
type VerifyReport struct {
	AuditRows    int
	SealedValues int   // rows whose sealed column opened
	Chunks       int64 // live chunks opened and decoded
	Blocks       int64 // compacted blocks opened and decoded
	Samples      int64
}

// Verify checks the whole store, not just its audit chain: SQLite's own
// integrity check, the audit chain, and that every sealed value opens under
// its table/row/column binding and every waveform chunk and block decodes
// to the sample count its row states. The first failure is returned naming
// the table and row. It is what `telewave store verify` runs, and what a
// store must pass after a crash.
func (s *Store) Verify(ctx context.Context) (VerifyReport, error) {
	var r VerifyReport
	ss, err := s.session()
	if err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	var check string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return r, fmt.Errorf("verify: integrity check: %w", err)
	}
	if check != "ok" {
		return r, fmt.Errorf("verify: SQLite integrity check: %s", check)
	}
	if r.AuditRows, err = s.VerifyAudit(ctx); err != nil {
		return r, err
	}
	// Tables whose sealed column is bound to the integer row id.
	for _, t := range []struct{ table, column string }{
		{"patients", "sealed"}, {"recordings", "device"}, {"numerics", "sealed"}, {"encounters", "sealed"},
		{"events", "sealed"}, {"annotations", "sealed"}, {"alarms", "sealed"}, {"imported_files", "sealed"},
	} {
		n, err := s.openAll(ctx, "SELECT id, "+t.column+" FROM "+t.table, t.table, t.column)
		if err != nil {
			return r, fmt.Errorf("verify: %w", err)
		}
		r.SealedValues += n
	}
	n, err := s.openAll(ctx, `SELECT uuid, sealed FROM charts`, "charts", "sealed")
	if err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	r.SealedValues += n
	for _, column := range []string{"says", "content"} {
		n, err := s.openAll(ctx, "SELECT file_id, "+column+" FROM unmatched_files", "unmatched_files", column)
		if err != nil {
			return r, fmt.Errorf("verify: %w", err)
		}
		r.SealedValues += n
	}
	n, err = s.openAll(ctx, `SELECT recording_id || '/' || signal_key, sealed FROM signals`, "signals", "sealed")
	if err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	r.SealedValues += n

	rows, err := s.db.QueryContext(ctx, `SELECT signal_id, seq, n_samples, payload FROM chunks`)
	if err != nil {
		return r, fmt.Errorf("verify chunks: %w", err)
	}
	defer rows.Close()
	var buf []int32
	for rows.Next() {
		var (
			sig, seq, n int64
			payload     []byte
		)
		if err := rows.Scan(&sig, &seq, &n, &payload); err != nil {
			return r, fmt.Errorf("verify chunks: %w", err)
		}
		row := chunkRow(sig, uint64(seq))
		enc, err := ss.sealer.Open(payload, "chunks", row, "payload")
		if err != nil {
			return r, fmt.Errorf("verify: chunk %s: %w", row, err)
		}
		if buf, err = wavecodec.Decode(enc, buf[:0]); err != nil {
			return r, fmt.Errorf("verify: chunk %s: %w", row, err)
		}
		if int64(len(buf)) != n {
			return r, fmt.Errorf("verify: chunk %s holds %d samples, its row says %d", row, len(buf), n)
		}
		r.Chunks++
		r.Samples += n
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("verify chunks: %w", err)
	}
	blocks, samples, err := s.verifyBlocks(ctx, ss)
	if err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	r.Blocks, r.Samples = blocks, r.Samples+samples
	return r, nil
}

// openAll opens the sealed column of every row a (key, sealed) query
// returns and counts them.
func (s *Store) openAll(ctx context.Context, query, table, column string) (int, error) {
	ss, err := s.session()
	if err != nil {
		return 0, err
	}
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", table, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id     any
			sealed []byte
		)
		if err := rows.Scan(&id, &sealed); err != nil {
			return n, fmt.Errorf("%s: %w", table, err)
		}
		b, err := ss.sealer.Open(sealed, table, fmt.Sprint(id), column)
		if err != nil {
			return n, fmt.Errorf("%s row %v: %w", table, id, err)
		}
		clear(b)
		n++
	}
	return n, rows.Err()
}
