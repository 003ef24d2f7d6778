package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"telewave/storage"
)

// Outbox unit kinds.
const (
	KindChart = "chart"
)

// ChartVitals charts a vitals panel: the charts row, one numerics row per
// vital and the outbox unit for the EHR are written in one transaction, with
// its "chart" audit row, and the unit's id is returned. c.ID must be a UUID
// set by the caller (it becomes the EHR identifier, so a retry must reuse
// it); a chart with an ID already stored gives storage.ErrExists, and an
// unknown patient MRN storage.ErrNotFound.
func (s *Store) ChartVitals(ctx context.Context, c storage.Chart) (unitID int64, err error) {
	ss, err := s.session()
	if err != nil {
		return 0, fmt.Errorf("chart vitals: %w", err)
	}
	if _, err := uuid.Parse(c.ID); err != nil {
		return 0, fmt.Errorf("chart vitals: chart id %q is not a UUID", c.ID)
	}
	if c.Time.IsZero() || len(c.Vitals) == 0 {
		return 0, fmt.Errorf("chart %s: needs a time and at least one vital", c.ID)
	}
	sealed, err := sealJSON(ss.sealer, c, "charts", c.ID, "sealed")
	if err != nil {
		return 0, fmt.Errorf("chart %s: %w", c.ID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		p, err := patientByIndex(ctx, tx, ss.sealer, c.PatientMRN)
		if err != nil {
			return fmt.Errorf("patient: %w", err)
		}
		chartID, err := insertSealedRow(ctx, tx, "charts", c.ID, p.ID, c.Time, sealed)
		if err != nil {
			return err
		}
		for _, v := range c.Vitals {
			if _, err := insertThenSeal(ctx, tx, ss.sealer, "numerics", "sealed", v,
				`INSERT INTO numerics (chart_id, patient_id, time_ns, sealed) VALUES (?, ?, ?, x'')`,
				chartID, p.ID, c.Time.UnixNano()); err != nil {
				return err
			}
		}
		unitID, err = s.queueAudited(ctx, tx, ss, KindChart, chartID, "chart "+c.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("chart %s: %w", c.ID, err)
	}
	return unitID, nil
}

// chartByRow opens a stored chart and checks it is the one its row names.
func chartByRow(ctx context.Context, q queryer, ss session, chartID int64) (*storage.Chart, error) {
	var (
		id     string
		sealed []byte
	)
	err := q.QueryRowContext(ctx, `SELECT uuid, sealed FROM charts WHERE id = ?`, chartID).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("chart row %d: %w", chartID, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("chart row %d: %w", chartID, err)
	}
	var c storage.Chart
	if err := openJSON(ss.sealer, sealed, "charts", id, "sealed", &c); err != nil {
		return nil, err
	}
	if c.ID != id {
		return nil, fmt.Errorf("chart row %d: sealed id does not match", chartID)
	}
	return &c, nil
}
