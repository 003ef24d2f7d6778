package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"telewave/storage"
)

// KindReport is the outbox kind of a clinician's report for the EHR.
const KindReport = "report"

// QueueReport stores a clinician's report on strips and its outbox unit for
// the EHR in one transaction, with a "report" audit row, and returns the
// unit's id. Every strip it names must be stored for the same patient
// (storage.ErrNotFound otherwise).
func (s *Store) QueueReport(ctx context.Context, r storage.Report) (unitID int64, err error) {
	ss, err := s.session()
	if err != nil {
		return 0, fmt.Errorf("queue report: %w", err)
	}
	if _, err := uuid.Parse(r.ID); err != nil {
		return 0, fmt.Errorf("queue report: report id %q is not a UUID", r.ID)
	}
	if r.Time.IsZero() || r.Text == "" {
		return 0, fmt.Errorf("report %s: needs a time and a text", r.ID)
	}
	sealed, err := sealJSON(ss.sealer, r, "reports", r.ID, "sealed")
	if err != nil {
		return 0, fmt.Errorf("report %s: %w", r.ID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		p, err := patientByIndex(ctx, tx, ss.sealer, r.PatientMRN)
		if err != nil {
			return fmt.Errorf("patient: %w", err)
		}
		for _, id := range r.Strips {
			if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM strips WHERE uuid = ? AND patient_id = ?`, id, p.ID); err != nil {
				return fmt.Errorf("strip %s of the patient: %w", id, err)
			}
		}
		ref, err := insertSealedRow(ctx, tx, "reports", r.ID, p.ID, r.Time, sealed)
		if err != nil {
			return err
		}
		unitID, err = s.queueAudited(ctx, tx, ss, KindReport, ref, "report "+r.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("report %s: %w", r.ID, err)
	}
	return unitID, nil
}

// reportByRow opens a stored report.
func reportByRow(ctx context.Context, q queryer, ss session, rowID int64) (*storage.Report, error) {
	var (
		id     string
		sealed []byte
	)
	err := q.QueryRowContext(ctx, `SELECT uuid, sealed FROM reports WHERE id = ?`, rowID).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report row %d: %w", rowID, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("report row %d: %w", rowID, err)
	}
	var r storage.Report
	if err := openJSON(ss.sealer, sealed, "reports", id, "sealed", &r); err != nil {
		return nil, err
	}
	if r.ID != id {
		return nil, fmt.Errorf("report row %d: sealed id does not match", rowID)
	}
	return &r, nil
}

// insertSealedRow inserts a row of table (a table of this package with
// uuid, patient_id, time_ns and sealed columns) after checking its uuid is
// new (storage.ErrExists), and returns the row's id.
func insertSealedRow(ctx context.Context, tx *sql.Tx, table, id string, patientID int64, t time.Time, sealed []byte) (int64, error) {
	if err := mustBeNew(ctx, tx, table, id); err != nil {
		return 0, err
	}
	// table is a constant of this package, never user input.
	res, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (uuid, patient_id, time_ns, sealed) VALUES (?, ?, ?, ?)`,
		id, patientID, t.UnixNano(), sealed)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// queueAudited queues an outbox unit of kind for row ref and writes the
// audit row (action = kind) in the same transaction.
func (s *Store) queueAudited(ctx context.Context, tx *sql.Tx, ss session, kind string, ref int64, detail string) (int64, error) {
	now := s.now()
	unitID, err := queueUnit(ctx, tx, kind, ref, now)
	if err != nil {
		return 0, err
	}
	return unitID, appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, kind, detail, now)
}
