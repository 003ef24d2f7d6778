package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"telewave/storage"
	"telewave/storage/seal"
)

// patientRecord is what a patient row seals.
type patientRecord struct {
	MRN   string `json:"mrn"`
	Name  string `json:"name"`
	Birth string `json:"birth,omitempty"`
	Sex   string `json:"sex,omitempty"`
}

// AddPatient registers a patient. The MRN is trimmed; a second patient whose
// MRN normalizes to the same value gives storage.ErrExists.
func (s *Store) AddPatient(ctx context.Context, p storage.Patient) (storage.Patient, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Patient{}, fmt.Errorf("add patient: %w", err)
	}
	p.MRN = seal.NormalizeIndexValue(seal.IndexMRN, p.MRN)
	if p.MRN == "" {
		return storage.Patient{}, fmt.Errorf("add patient: empty MRN")
	}
	idx := ss.sealer.BlindIndex(seal.IndexMRN, p.MRN)
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM patients WHERE mrn_index = ?`, idx).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return storage.ErrExists
		}
		rec := patientRecord{MRN: p.MRN, Name: p.Name, Birth: p.Birth, Sex: p.Sex}
		if p.ID, err = insertThenSeal(ctx, tx, ss.sealer, "patients", "sealed", rec,
			`INSERT INTO patients (mrn_index, sealed) VALUES (?, x'')`, idx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "patient add", fmt.Sprintf("patient %d", p.ID), s.now())
	})
	if err != nil {
		return storage.Patient{}, fmt.Errorf("add patient: %w", err)
	}
	return p, nil
}

// PatientByMRN finds a patient through the blind index. It returns
// storage.ErrNotFound when no patient has that MRN.
func (s *Store) PatientByMRN(ctx context.Context, mrn string) (storage.Patient, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Patient{}, fmt.Errorf("find patient: %w", err)
	}
	p, err := patientByIndex(ctx, s.db, ss.sealer, mrn)
	if err != nil {
		return storage.Patient{}, fmt.Errorf("find patient: %w", err)
	}
	return p, nil
}

// queryer is what both *sql.DB and *sql.Tx offer for reads.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ queryer = (*sql.DB)(nil)
	_ queryer = (*sql.Tx)(nil)
)

func patientByIndex(ctx context.Context, q queryer, sl *seal.Sealer, mrn string) (storage.Patient, error) {
	idx := sl.BlindIndex(seal.IndexMRN, mrn)
	var (
		id     int64
		sealed []byte
	)
	err := q.QueryRowContext(ctx, `SELECT id, sealed FROM patients WHERE mrn_index = ?`, idx).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Patient{}, storage.ErrNotFound
	}
	if err != nil {
		return storage.Patient{}, err
	}
	return openPatient(sl, id, idx, sealed)
}

// openPatient opens a patient row and checks that its MRN matches the row's
// blind index: the seal binds the value to the row id, the check binds the
// index to the value, so swapping either column between rows is caught.
func openPatient(sl *seal.Sealer, id int64, idx, sealed []byte) (storage.Patient, error) {
	var rec patientRecord
	if err := openJSON(sl, sealed, "patients", fmt.Sprint(id), "sealed", &rec); err != nil {
		return storage.Patient{}, err
	}
	if !bytes.Equal(sl.BlindIndex(seal.IndexMRN, rec.MRN), idx) {
		return storage.Patient{}, fmt.Errorf("patient %d: MRN does not match its index: %w", id, seal.ErrTampered)
	}
	return storage.Patient{ID: id, MRN: rec.MRN, Name: rec.Name, Birth: rec.Birth, Sex: rec.Sex}, nil
}

// Patient returns the patient with the given id, or storage.ErrNotFound.
func (s *Store) Patient(ctx context.Context, id int64) (storage.Patient, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Patient{}, fmt.Errorf("read patient %d: %w", id, err)
	}
	var idx, sealed []byte
	err = s.db.QueryRowContext(ctx, `SELECT mrn_index, sealed FROM patients WHERE id = ?`, id).Scan(&idx, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		err = storage.ErrNotFound
	}
	if err != nil {
		return storage.Patient{}, fmt.Errorf("read patient %d: %w", id, err)
	}
	p, err := openPatient(ss.sealer, id, idx, sealed)
	if err != nil {
		return storage.Patient{}, fmt.Errorf("read patient %d: %w", id, err)
	}
	return p, nil
}

// Patients lists the register in the order patients were added.
func (s *Store) Patients(ctx context.Context) ([]storage.Patient, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("list patients: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, mrn_index, sealed FROM patients ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list patients: %w", err)
	}
	defer rows.Close()
	var out []storage.Patient
	for rows.Next() {
		var (
			id          int64
			idx, sealed []byte
		)
		if err := rows.Scan(&id, &idx, &sealed); err != nil {
			return nil, fmt.Errorf("list patients: %w", err)
		}
		p, err := openPatient(ss.sealer, id, idx, sealed)
		if err != nil {
			return nil, fmt.Errorf("list patients: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list patients: %w", err)
	}
	return out, nil
}

// UpdatePatient rewrites a patient's demographics (and MRN, re-indexed; a
// MRN taken by another patient gives storage.ErrExists).
func (s *Store) UpdatePatient(ctx context.Context, p storage.Patient) (storage.Patient, error) {
	ss, err := s.session()
	if err != nil {
		return p, fmt.Errorf("update patient %d: %w", p.ID, err)
	}
	p.MRN = seal.NormalizeIndexValue(seal.IndexMRN, p.MRN)
	if p.MRN == "" {
		return p, fmt.Errorf("update patient %d: empty MRN", p.ID)
	}
	idx := ss.sealer.BlindIndex(seal.IndexMRN, p.MRN)
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM patients WHERE id = ?`, p.ID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM patients WHERE mrn_index = ? AND id <> ?`, idx, p.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return storage.ErrExists
		}
		sealed, err := sealJSON(ss.sealer, patientRecord{MRN: p.MRN, Name: p.Name, Birth: p.Birth, Sex: p.Sex}, "patients", fmt.Sprint(p.ID), "sealed")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE patients SET mrn_index = ?, sealed = ? WHERE id = ?`, idx, sealed, p.ID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "patient edit", fmt.Sprintf("patient %d", p.ID), s.now())
	})
	if err != nil {
		return p, fmt.Errorf("update patient %d: %w", p.ID, err)
	}
	return p, nil
}
