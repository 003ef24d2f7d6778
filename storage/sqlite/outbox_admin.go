package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
)

// OutboxEntry is one undelivered unit as the sync screen lists it: what it
// is, for which local patient, and why it waits. Reason is the sender's
// error text, which never carries patient data.
type OutboxEntry struct {
	ID          int64
	Kind        string // KindChart, KindStrip, KindClip or KindReport
	ItemID      string // the chart's, strip's, clip's or report's UUID
	PatientID   int64  // local patient; 0 if the referenced row is gone
	State       storage.UnitState
	Attempts    int
	Created     time.Time
	NextAttempt time.Time
	Reason      string
	ReasonAt    time.Time // zero when no attempt failed yet
}

// OutboxQuery selects units for ListOutbox.
type OutboxQuery struct {
	// States to list; empty means every state but done.
	States []storage.UnitState
	// ReasonContains, when set, keeps only units whose reason contains one
	// of these texts (case-insensitive).
	ReasonContains []string
	// Limit bounds the list (default and ceiling 1000), oldest first.
	Limit int
}

const maxOutboxList = 1000

// ListOutbox lists undelivered units, oldest first.
func (s *Store) ListOutbox(ctx context.Context, q OutboxQuery) ([]OutboxEntry, error) {
	if _, err := s.session(); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	states := q.States
	if len(states) == 0 {
		states = []storage.UnitState{storage.Pending, storage.InFlight, storage.Parked}
	}
	var args []any
	where := "o.state IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ") + ")"
	for _, st := range states {
		args = append(args, string(st))
	}
	if len(q.ReasonContains) > 0 {
		var ors []string
		for _, r := range q.ReasonContains {
			ors = append(ors, `instr(lower(o.last_error), lower(?)) > 0`)
			args = append(args, r)
		}
		where += " AND (" + strings.Join(ors, " OR ") + ")"
	}
	limit := q.Limit
	if limit <= 0 || limit > maxOutboxList {
		limit = maxOutboxList
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.kind, o.state, o.attempts, o.next_attempt_ns, o.last_error,
		o.error_ns, o.created_ns,
		COALESCE(c.patient_id, st.patient_id, k.patient_id, r.patient_id, 0),
		COALESCE(c.uuid, st.uuid, k.uuid, r.uuid, '')
		FROM outbox o
		LEFT JOIN charts c ON o.kind = 'chart' AND c.id = o.ref_id
		LEFT JOIN strips st ON o.kind = 'strip' AND st.id = o.ref_id
		LEFT JOIN clips k ON o.kind = 'clip' AND k.id = o.ref_id
		LEFT JOIN reports r ON o.kind = 'report' AND r.id = o.ref_id
		WHERE `+where+` ORDER BY o.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var (
			e             OutboxEntry
			state         string
			next, created int64
			errAt         sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &e.Kind, &state, &e.Attempts, &next, &e.Reason, &errAt, &created, &e.PatientID, &e.ItemID); err != nil {
			return nil, fmt.Errorf("list outbox: %w", err)
		}
		e.State, e.NextAttempt, e.Created = storage.UnitState(state), nsTime(next), nsTime(created)
		if errAt.Valid {
			e.ReasonAt = nsTime(errAt.Int64)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// waitingStates are the states a person may act on: a unit in flight is
// the sender's, and a done one is delivered.
var waitingStates = []storage.UnitState{storage.Pending, storage.Parked}

// RetryUnit makes a parked or waiting unit due at once, keeping its
// attempt count and last reason; audited "sync retry".
func (s *Store) RetryUnit(ctx context.Context, unitID int64) error {
	return s.transition(ctx, "retry", unitID, waitingStates, func(tx *sql.Tx, ss session) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, next_attempt_ns = ? WHERE id = ?`,
			string(storage.Pending), now.UnixNano(), unitID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "sync retry", fmt.Sprintf("outbox unit %d", unitID), now)
	})
}

// RetargetUnit moves a parked or waiting unit's data (chart, strip, clip or
// report) to another local patient, whose MRN it then carries to the EHR,
// and makes it due at once. The audit row ("sync match") names the unit and
// both patients by id. A clinician uses it when the EHR knows the patient
// under another MRN than the one the work was recorded with.
func (s *Store) RetargetUnit(ctx context.Context, unitID, patientID int64) error {
	return s.transition(ctx, "match", unitID, waitingStates, func(tx *sql.Tx, ss session) error {
		var (
			kind string
			ref  int64
		)
		if err := tx.QueryRowContext(ctx, `SELECT kind, ref_id FROM outbox WHERE id = ?`, unitID).Scan(&kind, &ref); err != nil {
			return err
		}
		var idx, sealedP []byte
		err := tx.QueryRowContext(ctx, `SELECT mrn_index, sealed FROM patients WHERE id = ?`, patientID).Scan(&idx, &sealedP)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("patient %d: %w", patientID, storage.ErrNotFound)
		}
		if err != nil {
			return err
		}
		p, err := openPatient(ss.sealer, patientID, idx, sealedP)
		if err != nil {
			return err
		}
		item, from, err := retargetItem(ctx, tx, ss, kind, ref, p)
		if err != nil {
			return fmt.Errorf("%s row %d: %w", kind, ref, err)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, next_attempt_ns = ? WHERE id = ?`,
			string(storage.Pending), now.UnixNano(), unitID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "sync match",
			fmt.Sprintf("outbox unit %d (%s %s): patient %d to patient %d", unitID, kind, item, from, patientID), now)
	})
}

// retargetItem reseals the row behind a unit with p's MRN and moves it to
// p; it returns the row's UUID and the patient it belonged to.
func retargetItem(ctx context.Context, tx *sql.Tx, ss session, kind string, ref int64, p storage.Patient) (string, int64, error) {
	tables := map[string]string{KindChart: "charts", KindStrip: "strips", KindClip: "clips", KindReport: "reports"}
	table, ok := tables[kind]
	if !ok {
		return "", 0, fmt.Errorf("unknown kind %q", kind)
	}
	var (
		id     string
		from   int64
		sealed []byte
	)
	// table is a constant of this package, never user input.
	err := tx.QueryRowContext(ctx, `SELECT uuid, patient_id, sealed FROM `+table+` WHERE id = ?`, ref).Scan(&id, &from, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, storage.ErrNotFound
	}
	if err != nil {
		return "", 0, err
	}
	var rec any
	switch kind {
	case KindChart:
		var c storage.Chart
		err, rec = openJSON(ss.sealer, sealed, table, id, "sealed", &c), &c
		c.PatientMRN = p.MRN
	case KindStrip:
		var r stripRecord
		err, rec = openJSON(ss.sealer, sealed, table, id, "sealed", &r), &r
		r.PatientMRN = p.MRN
	case KindClip:
		var c storage.Clip
		err, rec = openJSON(ss.sealer, sealed, table, id, "sealed", &c), &c
		c.PatientMRN = p.MRN
	case KindReport:
		var r storage.Report
		err, rec = openJSON(ss.sealer, sealed, table, id, "sealed", &r), &r
		r.PatientMRN = p.MRN
	}
	if err != nil {
		return "", 0, err
	}
	resealed, err := sealJSON(ss.sealer, rec, table, id, "sealed")
	if err != nil {
		return "", 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET patient_id = ?, sealed = ? WHERE id = ?`, p.ID, resealed, ref); err != nil {
		return "", 0, err
	}
	if kind == KindChart {
		if _, err := tx.ExecContext(ctx, `UPDATE numerics SET patient_id = ? WHERE chart_id = ?`, p.ID, ref); err != nil {
			return "", 0, err
		}
	}
	return id, from, nil
}

// DiscardUnit gives up on sending a parked or waiting unit: its outbox row
// is removed (the chart, strip, clip or report stays in the local record)
// and the reason, which may name the patient, goes into the sealed audit
// row ("sync discard"). Only an administrator may.
func (s *Store) DiscardUnit(ctx context.Context, unitID int64, reason string) error {
	what := fmt.Sprintf("discard unit %d", unitID)
	if _, err := s.admin(what); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fmt.Errorf("%s: a reason is required", what)
	}
	return s.transition(ctx, "discard", unitID, waitingStates, func(tx *sql.Tx, ss session) error {
		var kind, item string
		err := tx.QueryRowContext(ctx, `SELECT o.kind, COALESCE(c.uuid, st.uuid, k.uuid, r.uuid, '') FROM outbox o
			LEFT JOIN charts c ON o.kind = 'chart' AND c.id = o.ref_id
			LEFT JOIN strips st ON o.kind = 'strip' AND st.id = o.ref_id
			LEFT JOIN clips k ON o.kind = 'clip' AND k.id = o.ref_id
			LEFT JOIN reports r ON o.kind = 'report' AND r.id = o.ref_id
			WHERE o.id = ?`, unitID).Scan(&kind, &item)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, unitID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "sync discard",
			fmt.Sprintf("outbox unit %d (%s %s) discarded: %s", unitID, kind, item, reason), s.now())
	})
}

// EHRPatient is a Patient as the EHR holds it, kept sealed in the store so
// that waiting work can be matched while offline.
type EHRPatient struct {
	Ref   string `json:"ref"` // "Patient/<id>" at the EHR
	MRN   string `json:"mrn"`
	Name  string `json:"name,omitempty"`
	Birth string `json:"birth,omitempty"`
	Sex   string `json:"sex,omitempty"`
}

// maxEHRPatients bounds the cache: a clinic's own patients, not the EHR.
const maxEHRPatients = 10000

// CacheEHRPatients keeps the EHR's answer to a search, replacing what the
// cache held for the same MRNs, and records at as the time of the last
// refresh (also when ps is empty: the search ran and found nothing).
func (s *Store) CacheEHRPatients(ctx context.Context, ps []EHRPatient, at time.Time) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("cache ehr patients: %w", err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		for _, p := range ps {
			p.MRN = strings.TrimSpace(p.MRN)
			if p.MRN == "" || p.Ref == "" {
				continue // nothing to match on
			}
			idx := ss.sealer.BlindIndex(seal.IndexMRN, p.MRN)
			if _, err := tx.ExecContext(ctx, `DELETE FROM ehr_patients WHERE mrn_index = ?`, idx); err != nil {
				return err
			}
			if _, err := insertThenSeal(ctx, tx, ss.sealer, "ehr_patients", "sealed", p,
				`INSERT INTO ehr_patients (mrn_index, refreshed_ns, sealed) VALUES (?, ?, x'')`, idx, at.UnixNano()); err != nil {
				return err
			}
		}
		// Oldest entries go first when the cache outgrows its bound.
		if _, err := tx.ExecContext(ctx, `DELETE FROM ehr_patients WHERE id NOT IN
			(SELECT id FROM ehr_patients ORDER BY refreshed_ns DESC, id DESC LIMIT ?)`, maxEHRPatients); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ehr_patients_refreshed (id, refreshed_ns) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET refreshed_ns = excluded.refreshed_ns`, at.UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("cache ehr patients: %w", err)
	}
	return nil
}

// EHRPatients returns the cached EHR patients in MRN order and when the
// cache was last refreshed (zero: never).
func (s *Store) EHRPatients(ctx context.Context) ([]EHRPatient, time.Time, error) {
	ss, err := s.session()
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cached ehr patients: %w", err)
	}
	var refreshed time.Time
	var ns int64
	switch err := s.db.QueryRowContext(ctx, `SELECT refreshed_ns FROM ehr_patients_refreshed WHERE id = 1`).Scan(&ns); {
	case err == nil:
		refreshed = nsTime(ns)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, time.Time{}, fmt.Errorf("cached ehr patients: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, mrn_index, sealed FROM ehr_patients ORDER BY id`)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cached ehr patients: %w", err)
	}
	defer rows.Close()
	var out []EHRPatient
	for rows.Next() {
		var (
			id          int64
			idx, sealed []byte
			p           EHRPatient
		)
		if err := rows.Scan(&id, &idx, &sealed); err != nil {
			return nil, time.Time{}, fmt.Errorf("cached ehr patients: %w", err)
		}
		if err := openJSON(ss.sealer, sealed, "ehr_patients", fmt.Sprint(id), "sealed", &p); err != nil {
			return nil, time.Time{}, fmt.Errorf("cached ehr patient %d: %w", id, err)
		}
		if !bytes.Equal(ss.sealer.BlindIndex(seal.IndexMRN, p.MRN), idx) {
			return nil, time.Time{}, fmt.Errorf("cached ehr patient %d: MRN does not match its index: %w", id, seal.ErrTampered)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, fmt.Errorf("cached ehr patients: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MRN < out[j].MRN })
	return out, refreshed, nil
}
