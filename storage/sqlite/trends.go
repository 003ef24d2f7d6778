package sqlite

import (
	"context"
	"fmt"
	"time"

	"telewave/storage"
)

// maxTrendRows bounds what one trend query returns: 24 h charted every
// minute is 1,440 panels; ten values each fit well below it.
const maxTrendRows = 50_000

// VitalsBetween returns the patient's charted vitals with from ≤ time < to,
// oldest first, for the trend view. Reading them is a view of the record:
// it is audited once per query.
func (s *Store) VitalsBetween(ctx context.Context, patientID int64, from, to time.Time) ([]storage.TimedVital, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("vitals between: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, time_ns, sealed FROM numerics
		WHERE patient_id = ? AND time_ns >= ? AND time_ns < ? ORDER BY time_ns, id LIMIT ?`,
		patientID, from.UnixNano(), to.UnixNano(), maxTrendRows)
	if err != nil {
		return nil, fmt.Errorf("vitals of patient %d: %w", patientID, err)
	}
	defer rows.Close()
	var out []storage.TimedVital
	for rows.Next() {
		var id, ns int64
		var sealed []byte
		if err := rows.Scan(&id, &ns, &sealed); err != nil {
			return nil, fmt.Errorf("vitals of patient %d: %w", patientID, err)
		}
		var v storage.Vital
		if err := openJSON(ss.sealer, sealed, "numerics", fmt.Sprint(id), "sealed", &v); err != nil {
			return nil, fmt.Errorf("vital %d: %w", id, err)
		}
		out = append(out, storage.TimedVital{Time: nsTime(ns), Vital: v})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vitals of patient %d: %w", patientID, err)
	}
	if err := s.Audit(ctx, "view", fmt.Sprintf("trends of patient %d", patientID)); err != nil {
		return nil, err
	}
	return out, nil
}
