package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"telewave/devices"
	"telewave/storage"
)

type annotationRecord struct {
	Signal string `json:"signal,omitempty"`
	Text   string `json:"text"`
	Author string `json:"author"`
}

// Annotate stores a note at a time of a recording, by the current user
// unless author is given (a remote viewer's marker names the viewer).
func (s *Store) Annotate(ctx context.Context, a storage.Annotation) (storage.Annotation, error) {
	ss, err := s.session()
	if err != nil {
		return a, fmt.Errorf("annotate recording %d: %w", a.RecordingID, err)
	}
	if a.Author == "" {
		a.Author = ss.user.Name
	}
	if a.Time.IsZero() {
		return a, fmt.Errorf("annotate recording %d: no time", a.RecordingID)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM recordings WHERE id = ?`, a.RecordingID); err != nil {
			return err
		}
		a.ID, err = insertThenSeal(ctx, tx, ss.sealer, "annotations", "sealed", annotationRecord{Signal: a.Signal, Text: a.Text, Author: a.Author},
			`INSERT INTO annotations (recording_id, time_ns, sealed) VALUES (?, ?, x'')`, a.RecordingID, a.Time.UnixNano())
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "annotate", fmt.Sprintf("annotation %d of recording %d", a.ID, a.RecordingID), s.now())
	})
	if err != nil {
		return a, fmt.Errorf("annotate recording %d: %w", a.RecordingID, err)
	}
	return a, nil
}

// Annotations lists a recording's notes in time order.
func (s *Store) Annotations(ctx context.Context, recordingID int64) ([]storage.Annotation, error) {
	var out []storage.Annotation
	err := s.sealedRows(ctx, "annotations", `SELECT id, time_ns, sealed FROM annotations WHERE recording_id = ? ORDER BY time_ns, id`,
		[]any{recordingID}, func(id int64, at time.Time, open func(v any) error) error {
			var rec annotationRecord
			if err := open(&rec); err != nil {
				return err
			}
			out = append(out, storage.Annotation{ID: id, RecordingID: recordingID, Time: at, Signal: rec.Signal, Text: rec.Text, Author: rec.Author})
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read annotations of recording %d: %w", recordingID, err)
	}
	return out, nil
}

// AppendEvents stores device and technical events of a recording in one
// transaction.
func (s *Store) AppendEvents(ctx context.Context, recordingID int64, events []devices.Event) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("append events to recording %d: %w", recordingID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		for _, e := range events {
			if _, err := insertThenSeal(ctx, tx, ss.sealer, "events", "sealed", e,
				`INSERT INTO events (recording_id, time_ns, sealed) VALUES (?, ?, x'')`, recordingID, e.Time.UnixNano()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append events to recording %d: %w", recordingID, err)
	}
	return nil
}

// Events lists a recording's events in time order.
func (s *Store) Events(ctx context.Context, recordingID int64) ([]devices.Event, error) {
	var out []devices.Event
	err := s.sealedRows(ctx, "events", `SELECT id, time_ns, sealed FROM events WHERE recording_id = ? ORDER BY time_ns, id`,
		[]any{recordingID}, func(_ int64, _ time.Time, open func(v any) error) error {
			var e devices.Event
			if err := open(&e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read events of recording %d: %w", recordingID, err)
	}
	return out, nil
}

type alarmRecord struct {
	Code     string              `json:"code"`
	Text     string              `json:"text"`
	Priority devices.Priority    `json:"priority"`
	Action   storage.AlarmAction `json:"action"`
	User     string              `json:"user,omitempty"`
}

// RecordAlarm appends to the alarm history; acknowledgements and audio
// pauses are also audited (they are a user's act).
func (s *Store) RecordAlarm(ctx context.Context, e storage.AlarmEntry) (int64, error) {
	ss, err := s.session()
	if err != nil {
		return 0, fmt.Errorf("record alarm %s: %w", e.Code, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		e.ID, err = insertThenSeal(ctx, tx, ss.sealer, "alarms", "sealed",
			alarmRecord{Code: e.Code, Text: e.Text, Priority: e.Priority, Action: e.Action, User: e.User},
			`INSERT INTO alarms (patient_id, recording_id, time_ns, sealed) VALUES (?, ?, ?, x'')`,
			nullID(e.PatientID), nullID(e.RecordingID), e.Time.UnixNano())
		if err != nil {
			return err
		}
		if e.Action == storage.AlarmAcknowledged || e.Action == storage.AlarmPaused {
			return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "alarm "+string(e.Action), fmt.Sprintf("alarm %d (%s)", e.ID, e.Code), s.now())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record alarm %s: %w", e.Code, err)
	}
	return e.ID, nil
}

// Alarms lists a patient's alarm history in time order (patientID 0: the
// entries tied to no patient).
func (s *Store) Alarms(ctx context.Context, patientID int64) ([]storage.AlarmEntry, error) {
	query := `SELECT id, time_ns, sealed FROM alarms WHERE patient_id = ? ORDER BY time_ns, id`
	args := []any{patientID}
	if patientID == 0 {
		query, args = `SELECT id, time_ns, sealed FROM alarms WHERE patient_id IS NULL ORDER BY time_ns, id`, nil
	}
	var out []storage.AlarmEntry
	err := s.sealedRows(ctx, "alarms", query, args, func(id int64, at time.Time, open func(v any) error) error {
		var r alarmRecord
		if err := open(&r); err != nil {
			return err
		}
		out = append(out, storage.AlarmEntry{ID: id, PatientID: patientID, Time: at, Code: r.Code, Text: r.Text,
			Priority: r.Priority, Action: r.Action, User: r.User})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read alarms: %w", err)
	}
	return out, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// sealedRows runs a query returning (id, time_ns, sealed) rows of table and
// hands each to fn with a function that opens the sealed column.
func (s *Store) sealedRows(ctx context.Context, table, query string, args []any, fn func(id int64, at time.Time, open func(v any) error) error) error {
	ss, err := s.session()
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, at int64
			sealed []byte
		)
		if err := rows.Scan(&id, &at, &sealed); err != nil {
			return err
		}
		open := func(v any) error { return openJSON(ss.sealer, sealed, table, fmt.Sprint(id), "sealed", v) }
		if err := fn(id, nsTime(at), open); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AddAnnotations stores many notes of one recording in one transaction with
// one audit row: an imported file's annotations.
func (s *Store) AddAnnotations(ctx context.Context, recordingID int64, notes []storage.Annotation) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("annotate recording %d: %w", recordingID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := insertAnnotations(ctx, tx, ss, recordingID, notes); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "annotate", fmt.Sprintf("%d annotations of recording %d", len(notes), recordingID), s.now())
	})
	if err != nil {
		return fmt.Errorf("annotate recording %d: %w", recordingID, err)
	}
	return nil
}

// insertAnnotations adds notes of a recording in tx; a note without an
// author is the session user's.
func insertAnnotations(ctx context.Context, tx *sql.Tx, ss session, recordingID int64, notes []storage.Annotation) error {
	if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM recordings WHERE id = ?`, recordingID); err != nil {
		return err
	}
	for _, a := range notes {
		if a.Author == "" {
			a.Author = ss.user.Name
		}
		if _, err := insertThenSeal(ctx, tx, ss.sealer, "annotations", "sealed", annotationRecord{Signal: a.Signal, Text: a.Text, Author: a.Author},
			`INSERT INTO annotations (recording_id, time_ns, sealed) VALUES (?, ?, x'')`, recordingID, a.Time.UnixNano()); err != nil {
			return err
		}
	}
	return nil
}
