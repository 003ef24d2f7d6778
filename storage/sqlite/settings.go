package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"telewave/storage"
)

// settingRecord is what a patient_settings row seals.
type settingRecord struct {
	Value []byte `json:"value"`
}

// SetPatientSetting stores value (opaque to the store, e.g. JSON alarm
// limits) under name for a patient, replacing what was there, and audits
// the change (the name only, never the value).
func (s *Store) SetPatientSetting(ctx context.Context, patientID int64, name string, value []byte) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("set patient setting: %w", err)
	}
	if name == "" {
		return fmt.Errorf("set patient setting: empty name")
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM patients WHERE id = ?`, patientID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("patient %d: %w", patientID, storage.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM patient_settings WHERE patient_id = ? AND name = ?`, patientID, name); err != nil {
			return err
		}
		if _, err := insertThenSeal(ctx, tx, ss.sealer, "patient_settings", "sealed", settingRecord{Value: value},
			`INSERT INTO patient_settings (patient_id, name, updated_ns, sealed) VALUES (?, ?, ?, x'')`,
			patientID, name, s.now().UnixNano()); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "patient setting", fmt.Sprintf("patient %d %s", patientID, name), s.now())
	})
	if err != nil {
		return fmt.Errorf("set patient setting %s: %w", name, err)
	}
	return nil
}

// PatientSetting returns the value stored under name for a patient, or
// storage.ErrNotFound when none was set.
func (s *Store) PatientSetting(ctx context.Context, patientID int64, name string) ([]byte, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("patient setting: %w", err)
	}
	var id int64
	var sealed []byte
	err = s.db.QueryRowContext(ctx, `SELECT id, sealed FROM patient_settings WHERE patient_id = ? AND name = ?`, patientID, name).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("patient setting %s: %w", name, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("patient setting %s: %w", name, err)
	}
	var rec settingRecord
	if err := openJSON(ss.sealer, sealed, "patient_settings", fmt.Sprint(id), "sealed", &rec); err != nil {
		return nil, fmt.Errorf("patient setting %s: %w", name, err)
	}
	return rec.Value, nil
}
