package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// DefaultBlockSeconds is how much signal one compacted block holds. Five
// minutes of one lead is tens of kilobytes, so SQLite's half-empty last
// overflow page costs little (60 s blocks: 4.64 bits/sample in the
// database for a 3.67 codec; 300 s: 3.87), and a jump to any minute of a
// review decodes at most one block per signal (about 6 ms).
const DefaultBlockSeconds = 300

// CompactStats says what one Compact did.
type CompactStats struct {
	Blocks int
	Chunks int
}

// Compact moves live chunks whose host time is before `before` into sealed
// blocks of about blockSeconds each (0: DefaultBlockSeconds), one
// transaction per block, so a crash leaves every chunk either in its block
// or still live. A recording still running keeps its last, partial block's
// worth of chunks live until there is a whole block; a stopped recording is
// compacted to the end.
func (s *Store) Compact(ctx context.Context, before time.Time, blockSeconds float64) (CompactStats, error) {
	var st CompactStats
	ss, err := s.session()
	if err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	if blockSeconds <= 0 {
		blockSeconds = DefaultBlockSeconds
	}
	type sigRow struct {
		id, rec int64
		key     string
		sealed  []byte
		stopped bool
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.recording_id, s.signal_key, s.sealed, r.stopped_ns IS NOT NULL
		FROM signals s JOIN recordings r ON r.id = s.recording_id
		WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.signal_id = s.id AND c.host_time_ns < ?)`, before.UnixNano())
	if err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	var sigs []sigRow
	for rows.Next() {
		var r sigRow
		if err := rows.Scan(&r.id, &r.rec, &r.key, &r.sealed, &r.stopped); err != nil {
			rows.Close()
			return st, fmt.Errorf("compact: %w", err)
		}
		sigs = append(sigs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	for _, sr := range sigs {
		var sig devices.Signal
		if err := openJSON(ss.sealer, sr.sealed, "signals", signalRow(sr.rec, sr.key), "sealed", &sig); err != nil {
			return st, fmt.Errorf("compact signal %s: %w", sr.key, err)
		}
		chunks, err := s.liveChunks(ctx, ss, sr.id, sr.key, `AND host_time_ns < ?`, before.UnixNano())
		if err != nil {
			return st, fmt.Errorf("compact signal %s: %w", sr.key, err)
		}
		want := int(max(sig.SampleRate*blockSeconds, 1))
		for len(chunks) > 0 {
			n, samples := 0, 0
			for n < len(chunks) && samples < want {
				samples += len(chunks[n].Samples)
				n++
			}
			if samples < want && !sr.stopped {
				break // wait for a whole block
			}
			if err := s.writeBlock(ctx, ss, sr.id, sr.rec, sig.SampleRate, chunks[:n]); err != nil {
				return st, fmt.Errorf("compact signal %s: %w", sr.key, err)
			}
			st.Blocks++
			st.Chunks += n
			chunks = chunks[n:]
		}
	}
	return st, nil
}

func blockRow(signalRowID int64, firstSeq uint64) string {
	return fmt.Sprintf("%d/%d", signalRowID, firstSeq)
}

func (s *Store) writeBlock(ctx context.Context, ss session, sigID, recID int64, rate float64, chunks []devices.Chunk) error {
	first, last := chunks[0], chunks[len(chunks)-1]
	total := 0
	for _, c := range chunks {
		total += len(c.Samples)
	}
	payload := ss.sealer.Seal(encodeBlock(chunks, rate), "blocks", blockRow(sigID, first.Seq), "payload")
	end := expectedNext(last.HostTime, len(last.Samples), rate)
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blocks (signal_id, first_seq, last_seq, recording_id, start_ns, end_ns, n_samples, payload)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sigID, int64(first.Seq), int64(last.Seq), recID,
			first.HostTime.UnixNano(), end.UnixNano(), total, payload); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE signal_id = ? AND seq BETWEEN ? AND ?`, sigID, int64(first.Seq), int64(last.Seq))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != int64(len(chunks)) {
			return fmt.Errorf("block %s: deleted %d live chunks, want %d", blockRow(sigID, first.Seq), n, len(chunks))
		}
		return nil
	})
}

// liveChunks reads the live chunks of a signal row, filtered by an extra
// WHERE clause on the chunks table.
func (s *Store) liveChunks(ctx context.Context, ss session, sigID int64, key, where string, args ...any) ([]devices.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, host_time_ns, device_time_ns, n_samples, flags, payload
		FROM chunks WHERE signal_id = ? `+where+` ORDER BY seq`, append([]any{sigID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []devices.Chunk
	for rows.Next() {
		var (
			seq, host, n, flags int64
			dev                 sql.NullInt64
			payload             []byte
		)
		if err := rows.Scan(&seq, &host, &dev, &n, &flags, &payload); err != nil {
			return nil, err
		}
		c, err := openChunk(ss, sigID, key, seq, host, dev, n, flags, payload)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// blocksOf reads and decodes a signal row's blocks, filtered by where.
func (s *Store) blocksOf(ctx context.Context, ss session, sigID int64, key, where string, args ...any) ([]devices.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT first_seq, n_samples, payload FROM blocks WHERE signal_id = ? `+where+` ORDER BY first_seq`,
		append([]any{sigID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []devices.Chunk
	for rows.Next() {
		var (
			first, n int64
			payload  []byte
		)
		if err := rows.Scan(&first, &n, &payload); err != nil {
			return nil, err
		}
		cs, err := openBlock(ss, sigID, key, first, n, payload)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, rows.Err()
}

func openBlock(ss session, sigID int64, key string, first, n int64, payload []byte) ([]devices.Chunk, error) {
	row := blockRow(sigID, uint64(first))
	plain, err := ss.sealer.Open(payload, "blocks", row, "payload")
	if err != nil {
		return nil, fmt.Errorf("block %s: %w", row, err)
	}
	cs, err := decodeBlock(plain, key)
	if err != nil {
		return nil, fmt.Errorf("block %s: %w", row, err)
	}
	total := 0
	for _, c := range cs {
		total += len(c.Samples)
	}
	if int64(total) != n || cs[0].Seq != uint64(first) {
		return nil, fmt.Errorf("block %s holds %d samples from seq %d, its row says %d from %d: %w", row, total, cs[0].Seq, n, first, errBlock)
	}
	return cs, nil
}

// ChunksBetween reads the chunks of a signal that overlap [from, to) by
// host time, from blocks and live chunks alike: the review screen's jump to
// any minute of a long recording.
func (s *Store) ChunksBetween(ctx context.Context, recordingID int64, signalID string, from, to time.Time) ([]devices.Chunk, error) {
	ss, sigID, err := s.signalRowID(ctx, recordingID, signalID)
	if err != nil {
		return nil, fmt.Errorf("read %s between %v and %v: %w", signalID, from, to, err)
	}
	blocks, err := s.blocksOf(ctx, ss, sigID, signalID, `AND end_ns > ? AND start_ns < ?`, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", signalID, err)
	}
	// Live chunks last at most a second (the recorder's contract); look a
	// little further back for one that started before from.
	live, err := s.liveChunks(ctx, ss, sigID, signalID, `AND host_time_ns >= ? AND host_time_ns < ?`,
		from.Add(-2*time.Second).UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", signalID, err)
	}
	out := mergeBySeq(blocks, live)
	return slices.DeleteFunc(out, func(c devices.Chunk) bool {
		return !c.HostTime.Before(to) || !chunkEnd(c, out).After(from)
	}), nil
}

// chunkEnd estimates where c ends from the chunk after it, or its own start.
func chunkEnd(c devices.Chunk, all []devices.Chunk) time.Time {
	for i := range all {
		if all[i].Seq == c.Seq && i+1 < len(all) {
			return all[i+1].HostTime
		}
	}
	return c.HostTime.Add(time.Second)
}

func mergeBySeq(a, b []devices.Chunk) []devices.Chunk {
	out := append(a, b...)
	slices.SortFunc(out, func(x, y devices.Chunk) int {
		switch {
		case x.Seq < y.Seq:
			return -1
		case x.Seq > y.Seq:
			return 1
		}
		return 0
	})
	return out
}

func (s *Store) signalRowID(ctx context.Context, recordingID int64, signalID string) (session, int64, error) {
	ss, err := s.session()
	if err != nil {
		return ss, 0, err
	}
	var sigID int64
	err = s.db.QueryRowContext(ctx, `SELECT id FROM signals WHERE recording_id = ? AND signal_key = ?`, recordingID, signalID).Scan(&sigID)
	if errors.Is(err, sql.ErrNoRows) {
		err = storage.ErrNotFound
	}
	return ss, sigID, err
}

func (s *Store) verifyBlocks(ctx context.Context, ss session) (blocks, samples int64, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT b.signal_id, s.signal_key, b.first_seq, b.n_samples, b.payload
		FROM blocks b JOIN signals s ON s.id = b.signal_id`)
	if err != nil {
		return 0, 0, fmt.Errorf("blocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			sig, first, n int64
			key           string
			payload       []byte
		)
		if err := rows.Scan(&sig, &key, &first, &n, &payload); err != nil {
			return blocks, samples, fmt.Errorf("blocks: %w", err)
		}
		if _, err := openBlock(ss, sig, key, first, n, payload); err != nil {
			return blocks, samples, err
		}
		blocks++
		samples += n
	}
	return blocks, samples, rows.Err()
}

// CompactBefore compacts live chunks older than before into blocks of
// DefaultBlockSeconds: what the running workstation calls every minute.
func (s *Store) CompactBefore(ctx context.Context, before time.Time) error {
	_, err := s.Compact(ctx, before, DefaultBlockSeconds)
	return err
}
