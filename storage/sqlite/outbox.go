package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
)

// ErrWrongState reports an outbox transition from a state that does not
// allow it, such as MarkDone on a unit that is not in flight.
var ErrWrongState = errors.New("outbox unit is not in a state that allows this")

// ClaimDue takes up to limit pending units whose next attempt is due at now,
// oldest first, marks them in flight with one more attempt, and returns them
// with their data opened (chart, strip, clip or report). A unit whose data
// no longer opens is parked
// rather than returned, so one damaged row cannot block the queue.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int) ([]storage.OutboxUnit, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("claim outbox units: %w", err)
	}
	if limit <= 0 {
		return nil, nil
	}
	var units []storage.OutboxUnit
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		units = units[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, ref_id, attempts, next_attempt_ns, last_error
			FROM outbox WHERE state = ? AND next_attempt_ns <= ? ORDER BY id LIMIT ?`,
			string(storage.Pending), now.UnixNano(), limit)
		if err != nil {
			return err
		}
		var refs []int64
		for rows.Next() {
			var (
				u    storage.OutboxUnit
				ref  int64
				next int64
			)
			if err := rows.Scan(&u.ID, &u.Kind, &ref, &u.Attempts, &next, &u.LastError); err != nil {
				rows.Close()
				return err
			}
			u.NextAttempt = nsTime(next)
			units, refs = append(units, u), append(refs, ref)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		kept := units[:0]
		for i, u := range units {
			known, openErr := openUnit(ctx, tx, ss, &u, refs[i])
			if openErr != nil {
				if !errors.Is(openErr, seal.ErrTampered) && !errors.Is(openErr, storage.ErrNotFound) && known {
					return openErr
				}
				// The reason is ours and names no patient.
				if err := setState(ctx, tx, u.ID, storage.Parked, "local data unreadable: "+errorClass(openErr), sql.NullInt64{}, s.now()); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1 WHERE id = ?`,
				string(storage.InFlight), u.ID); err != nil {
				return err
			}
			u.State, u.Attempts = storage.InFlight, u.Attempts+1
			kept = append(kept, u)
		}
		units = kept
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox units: %w", err)
	}
	return units, nil
}

// openUnit fills u with the data its row refers to, and reports whether
// the kind is one this store knows.
func openUnit(ctx context.Context, tx *sql.Tx, ss session, u *storage.OutboxUnit, ref int64) (known bool, err error) {
	switch u.Kind {
	case KindChart:
		u.Chart, err = chartByRow(ctx, tx, ss, ref)
	case KindStrip:
		u.Strip, err = stripByRow(ctx, tx, ss, ref)
	case KindClip:
		u.Clip, err = clipByRow(ctx, tx, ss, ref)
	case KindReport:
		u.Report, err = reportByRow(ctx, tx, ss, ref)
	default:
		return false, fmt.Errorf("unknown kind %q", u.Kind)
	}
	return true, err
}

// queueUnit adds a pending unit of kind for row ref, due at once.
func queueUnit(ctx context.Context, tx *sql.Tx, kind string, ref int64, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, ref_id, state, next_attempt_ns, created_ns) VALUES (?, ?, ?, ?, ?)`,
		kind, ref, string(storage.Pending), now.UnixNano(), now.UnixNano())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func errorClass(err error) string {
	switch {
	case errors.Is(err, seal.ErrTampered):
		return seal.ErrTampered.Error()
	case errors.Is(err, storage.ErrNotFound):
		return "referenced row " + storage.ErrNotFound.Error()
	}
	return "unknown unit kind"
}

// setState moves a unit to state, recording reason as its last error when
// reason is not empty, and next as its next attempt when valid.
func setState(ctx context.Context, tx *sql.Tx, id int64, state storage.UnitState, reason string, next sql.NullInt64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?,
		next_attempt_ns = COALESCE(?, next_attempt_ns),
		last_error = CASE WHEN ? = '' THEN last_error ELSE ? END,
		error_ns = CASE WHEN ? = '' THEN error_ns ELSE ? END
		WHERE id = ?`, string(state), next, reason, reason, reason, now.UnixNano(), id)
	return err
}

// transition applies fn to unit id if its state is one of from; otherwise it
// tells storage.ErrNotFound from ErrWrongState.
func (s *Store) transition(ctx context.Context, what string, id int64, from []storage.UnitState, fn func(tx *sql.Tx, ss session) error) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("%s unit %d: %w", what, id, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.ErrNotFound
		}
		if err != nil {
			return err
		}
		for _, f := range from {
			if storage.UnitState(state) == f {
				return fn(tx, ss)
			}
		}
		return fmt.Errorf("%w: it is %s", ErrWrongState, state)
	})
	if err != nil {
		return fmt.Errorf("%s unit %d: %w", what, id, err)
	}
	return nil
}

var inFlightOnly = []storage.UnitState{storage.InFlight}

// MarkDone records that the EHR accepted an in-flight unit; audited "sync".
func (s *Store) MarkDone(ctx context.Context, unitID int64, at time.Time) error {
	return s.transition(ctx, "mark done", unitID, inFlightOnly, func(tx *sql.Tx, ss session) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, done_at_ns = ? WHERE id = ?`,
			string(storage.Done), at.UnixNano(), unitID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "sync", fmt.Sprintf("outbox unit %d sent", unitID), s.now())
	})
}

// MarkRetry puts an in-flight unit back to pending until next. reason is
// the sender's error text; it is kept for the sync status line, never logged.
func (s *Store) MarkRetry(ctx context.Context, unitID int64, reason string, next time.Time) error {
	return s.transition(ctx, "retry", unitID, inFlightOnly, func(tx *sql.Tx, _ session) error {
		return setState(ctx, tx, unitID, storage.Pending, reason, sql.NullInt64{Int64: next.UnixNano(), Valid: true}, s.now())
	})
}

// Park gives up on a pending or in-flight unit (failed permanently, e.g. a
// 4xx from the EHR). Other units keep flowing.
func (s *Store) Park(ctx context.Context, unitID int64, reason string) error {
	return s.transition(ctx, "park", unitID, []storage.UnitState{storage.Pending, storage.InFlight}, func(tx *sql.Tx, _ session) error {
		return setState(ctx, tx, unitID, storage.Parked, reason, sql.NullInt64{}, s.now())
	})
}

// RequeueInFlight returns units left in flight by a crash mid-send to
// pending, keeping their attempt counts, and says how many. Call it once at
// start-up, before the sender runs. The EHR side is idempotent, so a unit
// that did arrive is harmlessly sent again.
func (s *Store) RequeueInFlight(ctx context.Context) (int, error) {
	if _, err := s.session(); err != nil {
		return 0, fmt.Errorf("requeue in-flight units: %w", err)
	}
	var n int64
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ? WHERE state = ?`, string(storage.Pending), string(storage.InFlight))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("requeue in-flight units: %w", err)
	}
	return int(n), nil
}

// OutboxStats summarises the queue. Pending counts units not yet done,
// in flight included.
func (s *Store) OutboxStats(ctx context.Context) (storage.OutboxStats, error) {
	var st storage.OutboxStats
	if _, err := s.session(); err != nil {
		return st, fmt.Errorf("outbox stats: %w", err)
	}
	var (
		lastDone sql.NullInt64
		lastErr  sql.NullString
	)
	err := s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(state IN ('pending', 'in-flight')), 0),
		COALESCE(SUM(state = 'failed-permanent'), 0),
		COALESCE(SUM(state = 'done'), 0),
		MAX(done_at_ns),
		(SELECT last_error FROM outbox WHERE error_ns IS NOT NULL ORDER BY error_ns DESC, id DESC LIMIT 1)
		FROM outbox`).Scan(&st.Pending, &st.Parked, &st.Done, &lastDone, &lastErr)
	if err != nil {
		return st, fmt.Errorf("outbox stats: %w", err)
	}
	if lastDone.Valid {
		st.LastSuccess = nsTime(lastDone.Int64)
	}
	st.LastError = lastErr.String
	return st, nil
}
