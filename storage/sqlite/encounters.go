package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"telewave/storage"
)

type encounterRecord struct {
	Reason   string `json:"reason,omitempty"`
	OpenedBy string `json:"opened_by"`
	ClosedBy string `json:"closed_by,omitempty"`
}

// StartEncounter opens a visit for a patient; recordings started while it
// is open belong to it. A patient has at most one open encounter
// (storage.ErrOpen).
func (s *Store) StartEncounter(ctx context.Context, patientID int64, reason string, at time.Time) (storage.Encounter, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Encounter{}, fmt.Errorf("start encounter: %w", err)
	}
	e := storage.Encounter{PatientID: patientID, Started: at, Reason: reason, OpenedBy: ss.user.Name}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM patients WHERE id = ?`, patientID); err != nil {
			return fmt.Errorf("patient %d: %w", patientID, err)
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM encounters WHERE patient_id = ? AND stopped_ns IS NULL`, patientID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return storage.ErrOpen
		}
		e.ID, err = insertThenSeal(ctx, tx, ss.sealer, "encounters", "sealed", encounterRecord{Reason: reason, OpenedBy: ss.user.Name},
			`INSERT INTO encounters (patient_id, started_ns, sealed) VALUES (?, ?, x'')`, patientID, at.UnixNano())
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "encounter start", fmt.Sprintf("encounter %d of patient %d", e.ID, patientID), s.now())
	})
	if err != nil {
		return storage.Encounter{}, fmt.Errorf("start encounter for patient %d: %w", patientID, err)
	}
	return e, nil
}

// StopEncounter closes an open encounter.
func (s *Store) StopEncounter(ctx context.Context, encounterID int64, at time.Time) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("stop encounter %d: %w", encounterID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		e, err := encounterByID(ctx, tx, ss, encounterID)
		if err != nil {
			return err
		}
		if !e.Stopped.IsZero() {
			return fmt.Errorf("encounter already stopped")
		}
		sealed, err := sealJSON(ss.sealer, encounterRecord{Reason: e.Reason, OpenedBy: e.OpenedBy, ClosedBy: ss.user.Name},
			"encounters", fmt.Sprint(encounterID), "sealed")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE encounters SET stopped_ns = ?, sealed = ? WHERE id = ?`, at.UnixNano(), sealed, encounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "encounter stop", fmt.Sprintf("encounter %d", encounterID), s.now())
	})
	if err != nil {
		return fmt.Errorf("stop encounter %d: %w", encounterID, err)
	}
	return nil
}

// OpenEncounter returns the patient's open encounter, or storage.ErrNotFound.
func (s *Store) OpenEncounter(ctx context.Context, patientID int64) (storage.Encounter, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Encounter{}, fmt.Errorf("open encounter of patient %d: %w", patientID, err)
	}
	var id int64
	err = s.db.QueryRowContext(ctx, `SELECT id FROM encounters WHERE patient_id = ? AND stopped_ns IS NULL`, patientID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = storage.ErrNotFound
	}
	if err != nil {
		return storage.Encounter{}, fmt.Errorf("open encounter of patient %d: %w", patientID, err)
	}
	return encounterByID(ctx, s.db, ss, id)
}

// Encounters lists a patient's encounters, newest first.
func (s *Store) Encounters(ctx context.Context, patientID int64) ([]storage.Encounter, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("list encounters: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM encounters WHERE patient_id = ? ORDER BY started_ns DESC, id DESC`, patientID)
	if err != nil {
		return nil, fmt.Errorf("list encounters: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("list encounters: %w", err)
	}
	out := make([]storage.Encounter, 0, len(ids))
	for _, id := range ids {
		e, err := encounterByID(ctx, s.db, ss, id)
		if err != nil {
			return nil, fmt.Errorf("list encounters: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

func encounterByID(ctx context.Context, q queryer, ss session, id int64) (storage.Encounter, error) {
	var (
		e       = storage.Encounter{ID: id}
		started int64
		stopped sql.NullInt64
		sealed  []byte
	)
	err := q.QueryRowContext(ctx, `SELECT patient_id, started_ns, stopped_ns, sealed FROM encounters WHERE id = ?`, id).
		Scan(&e.PatientID, &started, &stopped, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("encounter %d: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("encounter %d: %w", id, err)
	}
	var rec encounterRecord
	if err := openJSON(ss.sealer, sealed, "encounters", fmt.Sprint(id), "sealed", &rec); err != nil {
		return e, fmt.Errorf("encounter %d: %w", id, err)
	}
	e.Started = nsTime(started)
	if stopped.Valid {
		e.Stopped = nsTime(stopped.Int64)
	}
	e.Reason, e.OpenedBy, e.ClosedBy = rec.Reason, rec.OpenedBy, rec.ClosedBy
	return e, nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
