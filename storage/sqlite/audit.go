package sqlite

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"telewave/storage/seal"
)

// ErrAuditChain reports an audit row whose MAC does not match: the row, or
// one before it, was edited, inserted or deleted.
var ErrAuditChain = errors.New("audit chain broken")

// Audit appends an audit row for the current user; detail is sealed.
func (s *Store) Audit(ctx context.Context, action, detail string) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, action, detail, s.now())
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// appendAudit adds one row to the chain inside tx. The transaction holds
// SQLite's write lock (BEGIN IMMEDIATE), so the "previous row" cannot change
// under it. userID 0 means no user (a failed login).
func appendAudit(ctx context.Context, tx *sql.Tx, sl *seal.Sealer, storeID string, userID int64, action, detail string, at time.Time) error {
	prev := []byte(storeID) // the genesis ties the chain to this store
	err := tx.QueryRowContext(ctx, `SELECT mac FROM audit ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read audit head: %w", err)
	}
	user := sql.NullInt64{Int64: userID, Valid: userID != 0}
	res, err := tx.ExecContext(ctx, `INSERT INTO audit (time_ns, user_id, action, detail, mac) VALUES (?, ?, ?, x'', x'')`,
		at.UnixNano(), user, action)
	if err != nil {
		return fmt.Errorf("insert audit row: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert audit row: %w", err)
	}
	sealed := sl.Seal([]byte(detail), "audit", fmt.Sprint(id), "detail")
	mac := auditMAC(sl, prev, id, at.UnixNano(), userID, action, sealed)
	if _, err := tx.ExecContext(ctx, `UPDATE audit SET detail = ?, mac = ? WHERE id = ?`, sealed, mac, id); err != nil {
		return fmt.Errorf("seal audit row: %w", err)
	}
	return nil
}

func auditMAC(sl *seal.Sealer, prev []byte, id, timeNS, userID int64, action string, sealed []byte) []byte {
	var nums [24]byte
	binary.BigEndian.PutUint64(nums[0:], uint64(id))
	binary.BigEndian.PutUint64(nums[8:], uint64(timeNS))
	binary.BigEndian.PutUint64(nums[16:], uint64(userID))
	return sl.AuditMAC(prev, nums[:], []byte(action), sealed)
}

// AuditEntry is one audit row, opened.
type AuditEntry struct {
	ID     int64
	Time   time.Time
	UserID int64 // 0 when no user was logged in (a failed login)
	User   string
	Action string
	Detail string
}

// AuditLog returns the audit rows in order, details opened, with user
// names. Only an administrator may read it. It does not verify the chain;
// VerifyAudit does.
func (s *Store) AuditLog(ctx context.Context) ([]AuditEntry, error) {
	ss, err := s.admin("read audit")
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM users`)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	for rows.Next() {
		var (
			id   int64
			name string
		)
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read audit: %w", err)
		}
		names[id] = name
	}
	rows.Close()
	var out []AuditEntry
	err = s.scanAudit(ctx, func(e AuditEntry, sealed, _ []byte) error {
		e.User = names[e.UserID]
		d, err := ss.sealer.Open(sealed, "audit", fmt.Sprint(e.ID), "detail")
		if err != nil {
			return err
		}
		e.Detail = string(d)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return out, nil
}

// VerifyAudit recomputes the chain and returns how many rows it checked.
// The error names the first row that does not verify. Deleting rows at the
// tail cannot be told from a shorter history; everything else can.
func (s *Store) VerifyAudit(ctx context.Context) (rows int, err error) {
	ss, err := s.session()
	if err != nil {
		return 0, fmt.Errorf("verify audit: %w", err)
	}
	prev := []byte(ss.storeID)
	err = s.scanAudit(ctx, func(e AuditEntry, sealed, mac []byte) error {
		want := auditMAC(ss.sealer, prev, e.ID, e.Time.UnixNano(), e.UserID, e.Action, sealed)
		if !hmac.Equal(want, mac) {
			return fmt.Errorf("row %d (%s at %s): %w", e.ID, e.Action, e.Time.Format(time.RFC3339), ErrAuditChain)
		}
		prev = mac
		rows++
		return nil
	})
	if err != nil {
		return rows, fmt.Errorf("verify audit: %w", err)
	}
	return rows, nil
}

func (s *Store) scanAudit(ctx context.Context, fn func(e AuditEntry, sealed, mac []byte) error) error {
	rs, err := s.db.QueryContext(ctx, `SELECT id, time_ns, COALESCE(user_id, 0), action, detail, mac FROM audit ORDER BY id`)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var (
			e           AuditEntry
			ns          int64
			sealed, mac []byte
		)
		if err := rs.Scan(&e.ID, &ns, &e.UserID, &e.Action, &sealed, &mac); err != nil {
			return err
		}
		e.Time = nsTime(ns)
		if err := fn(e, sealed, mac); err != nil {
			return err
		}
	}
	return rs.Err()
}
