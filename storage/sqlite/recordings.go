package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/wavecodec"
)

// StartRecording opens a recording of dev for a patient, inside the
// patient's open encounter if there is one.
func (s *Store) StartRecording(ctx context.Context, patientID int64, dev devices.DeviceInfo, started time.Time) (storage.Recording, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Recording{}, fmt.Errorf("start recording: %w", err)
	}
	if started.IsZero() {
		return storage.Recording{}, fmt.Errorf("start recording: no start time")
	}
	rec := storage.Recording{PatientID: patientID, Device: dev, Started: started}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error { return insertRecording(ctx, tx, ss, &rec) })
	if err != nil {
		return storage.Recording{}, fmt.Errorf("start recording: %w", err)
	}
	return rec, nil
}

// insertRecording adds rec (PatientID, Device, Started) as a new recording
// in tx, setting its ID and encounter.
func insertRecording(ctx context.Context, tx *sql.Tx, ss session, rec *storage.Recording) error {
	if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM patients WHERE id = ?`, rec.PatientID); err != nil {
		return fmt.Errorf("patient %d: %w", rec.PatientID, err)
	}
	// A recording started while the patient's encounter is open belongs to it.
	var enc sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id FROM encounters WHERE patient_id = ? AND stopped_ns IS NULL`, rec.PatientID).Scan(&enc)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	rec.EncounterID = enc.Int64
	rec.ID, err = insertThenSeal(ctx, tx, ss.sealer, "recordings", "device", rec.Device,
		`INSERT INTO recordings (patient_id, encounter_id, started_ns, device) VALUES (?, ?, ?, x'')`, rec.PatientID, enc, rec.Started.UnixNano())
	return err
}

// StopRecording marks a recording finished.
func (s *Store) StopRecording(ctx context.Context, recordingID int64, stopped time.Time) error {
	if _, err := s.session(); err != nil {
		return fmt.Errorf("stop recording %d: %w", recordingID, err)
	}
	err := inTx(ctx, s.db, func(tx *sql.Tx) error { return stopRecording(ctx, tx, recordingID, stopped) })
	if err != nil {
		return fmt.Errorf("stop recording %d: %w", recordingID, err)
	}
	return nil
}

func stopRecording(ctx context.Context, tx *sql.Tx, recordingID int64, stopped time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE recordings SET stopped_ns = ? WHERE id = ?`, stopped.UnixNano(), recordingID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(storage.ErrNotFound, err)
	}
	return nil
}

// Recording returns a recording with its device opened.
func (s *Store) Recording(ctx context.Context, recordingID int64) (storage.Recording, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Recording{}, fmt.Errorf("read recording %d: %w", recordingID, err)
	}
	rec := storage.Recording{ID: recordingID}
	var (
		started int64
		stopped sql.NullInt64
		enc     sql.NullInt64
		sealed  []byte
	)
	err = s.db.QueryRowContext(ctx, `SELECT patient_id, encounter_id, started_ns, stopped_ns, device FROM recordings WHERE id = ?`, recordingID).
		Scan(&rec.PatientID, &enc, &started, &stopped, &sealed)
	rec.EncounterID = enc.Int64
	if errors.Is(err, sql.ErrNoRows) {
		err = storage.ErrNotFound
	}
	if err == nil {
		err = openJSON(ss.sealer, sealed, "recordings", fmt.Sprint(recordingID), "device", &rec.Device)
	}
	if err != nil {
		return storage.Recording{}, fmt.Errorf("read recording %d: %w", recordingID, err)
	}
	rec.Started = nsTime(started)
	if stopped.Valid {
		rec.Stopped = nsTime(stopped.Int64)
	}
	return rec, nil
}

// Recordings lists a patient's recordings, newest first.
func (s *Store) Recordings(ctx context.Context, patientID int64) ([]storage.Recording, error) {
	if _, err := s.session(); err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM recordings WHERE patient_id = ? ORDER BY started_ns DESC, id DESC`, patientID)
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	out := make([]storage.Recording, 0, len(ids))
	for _, id := range ids {
		r, err := s.Recording(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("list recordings: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// AddSignal records a signal of a recording. Adding the same sig.ID again is
// a no-op that keeps the first description.
func (s *Store) AddSignal(ctx context.Context, recordingID int64, sig devices.Signal) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("add signal %s: %w", sig.ID, err)
	}
	if sig.ID == "" {
		return fmt.Errorf("add signal: empty signal id")
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error { return insertSignal(ctx, tx, ss, recordingID, sig) })
	if err != nil {
		return fmt.Errorf("add signal %s: %w", sig.ID, err)
	}
	return nil
}

// insertSignal adds sig to a recording in tx; an existing sig.ID is kept.
func insertSignal(ctx context.Context, tx *sql.Tx, ss session, recordingID int64, sig devices.Signal) error {
	if sig.ID == "" {
		return fmt.Errorf("empty signal id")
	}
	if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM recordings WHERE id = ?`, recordingID); err != nil {
		return fmt.Errorf("recording %d: %w", recordingID, err)
	}
	sealed, err := sealJSON(ss.sealer, sig, "signals", signalRow(recordingID, sig.ID), "sealed")
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO signals (recording_id, signal_key, sealed) VALUES (?, ?, ?)
		ON CONFLICT (recording_id, signal_key) DO NOTHING`, recordingID, sig.ID, sealed)
	return err
}

func signalRow(recordingID int64, key string) string { return fmt.Sprintf("%d/%s", recordingID, key) }

func chunkRow(signalRowID int64, seq uint64) string {
	return strconv.FormatInt(signalRowID, 10) + "/" + strconv.FormatUint(seq, 10)
}

// Signals returns a recording's signals in the order they were added.
func (s *Store) Signals(ctx context.Context, recordingID int64) ([]devices.Signal, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("read signals of recording %d: %w", recordingID, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT signal_key, sealed FROM signals WHERE recording_id = ? ORDER BY id`, recordingID)
	if err != nil {
		return nil, fmt.Errorf("read signals of recording %d: %w", recordingID, err)
	}
	defer rows.Close()
	var out []devices.Signal
	for rows.Next() {
		var (
			key    string
			sealed []byte
			sig    devices.Signal
		)
		if err := rows.Scan(&key, &sealed); err != nil {
			return nil, fmt.Errorf("read signals of recording %d: %w", recordingID, err)
		}
		if err := openJSON(ss.sealer, sealed, "signals", signalRow(recordingID, key), "sealed", &sig); err != nil {
			return nil, fmt.Errorf("read signals of recording %d: %w", recordingID, err)
		}
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read signals of recording %d: %w", recordingID, err)
	}
	return out, nil
}

func mustExist(ctx context.Context, q queryer, query string, args ...any) error {
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return storage.ErrNotFound
	}
	return nil
}

// AppendChunks stores chunks of a recording's signals in one transaction:
// all or none. Each chunk's Signal must have been added with AddSignal; the
// caller keeps a chunk to at most one second of samples.
func (s *Store) AppendChunks(ctx context.Context, recordingID int64, chunks []devices.Chunk) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("append chunks to recording %d: %w", recordingID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error { return insertChunks(ctx, tx, ss, recordingID, chunks) })
	if err != nil {
		return fmt.Errorf("append chunks to recording %d: %w", recordingID, err)
	}
	return nil
}

// insertChunks adds chunks of a recording's signals in tx.
func insertChunks(ctx context.Context, tx *sql.Tx, ss session, recordingID int64, chunks []devices.Chunk) error {
	sigRows, err := signalRowIDs(ctx, tx, recordingID)
	if err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO chunks
		(recording_id, signal_id, seq, host_time_ns, device_time_ns, n_samples, flags, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	var enc []byte
	for _, c := range chunks {
		sigID, ok := sigRows[c.Signal]
		if !ok {
			return fmt.Errorf("chunk %d of signal %q: signal not added: %w", c.Seq, c.Signal, storage.ErrNotFound)
		}
		if c.HostTime.IsZero() {
			return fmt.Errorf("chunk %d of signal %q: no host time", c.Seq, c.Signal)
		}
		if c.Seq > 1<<63-1 {
			return fmt.Errorf("chunk %d of signal %q: sequence number too large", c.Seq, c.Signal)
		}
		enc = wavecodec.Encode(enc[:0], c.Samples)
		payload := ss.sealer.Seal(enc, "chunks", chunkRow(sigID, c.Seq), "payload")
		if _, err := stmt.ExecContext(ctx, recordingID, sigID, int64(c.Seq), c.HostTime.UnixNano(),
			nullNS(c.DeviceTime), len(c.Samples), int64(c.Flags), payload); err != nil {
			return fmt.Errorf("chunk %d of signal %q: %w", c.Seq, c.Signal, err)
		}
	}
	return nil
}

func signalRowIDs(ctx context.Context, tx *sql.Tx, recordingID int64) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, signal_key FROM signals WHERE recording_id = ?`, recordingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var (
			id  int64
			key string
		)
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		m[key] = id
	}
	return m, rows.Err()
}

// Chunks reads a signal's chunks back in sequence order with their samples
// decoded, from compacted blocks and live chunks alike.
func (s *Store) Chunks(ctx context.Context, recordingID int64, signalID string) ([]devices.Chunk, error) {
	ss, sigID, err := s.signalRowID(ctx, recordingID, signalID)
	if err != nil {
		return nil, fmt.Errorf("read chunks of %s: %w", signalID, err)
	}
	blocks, err := s.blocksOf(ctx, ss, sigID, signalID, "")
	if err != nil {
		return nil, fmt.Errorf("read chunks of %s: %w", signalID, err)
	}
	live, err := s.liveChunks(ctx, ss, sigID, signalID, "")
	if err != nil {
		return nil, fmt.Errorf("read chunks of %s: %w", signalID, err)
	}
	return mergeBySeq(blocks, live), nil
}

// openChunk opens and decodes one live chunk row.
func openChunk(ss session, sigID int64, key string, seq, host int64, dev sql.NullInt64, n, flags int64, payload []byte) (devices.Chunk, error) {
	enc, err := ss.sealer.Open(payload, "chunks", chunkRow(sigID, uint64(seq)), "payload")
	if err != nil {
		return devices.Chunk{}, fmt.Errorf("chunk %d: %w", seq, err)
	}
	samples, err := wavecodec.Decode(enc, make([]int32, 0, min(n, int64(len(enc))*8)))
	if err != nil {
		return devices.Chunk{}, fmt.Errorf("chunk %d: %w", seq, err)
	}
	if int64(len(samples)) != n {
		return devices.Chunk{}, fmt.Errorf("chunk %d holds %d samples, row says %d", seq, len(samples), n)
	}
	c := devices.Chunk{Signal: key, Seq: uint64(seq), HostTime: nsTime(host), Samples: samples, Flags: devices.ChunkFlags(flags)}
	if dev.Valid {
		c.DeviceTime = nsTime(dev.Int64)
	}
	return c, nil
}
