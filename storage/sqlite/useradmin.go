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

// Failed logins are slowed down: after throttleFree failures for one user
// name within throttleWindow, each further attempt must wait twice as long
// as the one before (1 s, 2 s, 4 s … up to throttleMax) after the last one.
// Refused attempts count as failures too, so hammering only makes it worse.
const (
	throttleFree   = 3
	throttleWindow = 15 * time.Minute
	throttleMax    = 5 * time.Minute
)

// ThrottleWait returns how long a login as name must still wait (0: it may
// try now).
func (s *Store) ThrottleWait(ctx context.Context, name string) (time.Duration, error) {
	now := s.now()
	var (
		n    int
		last sql.NullInt64
	)
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(time_ns) FROM login_failures WHERE user_name = ? AND time_ns > ?`,
		name, now.Add(-throttleWindow).UnixNano()).Scan(&n, &last)
	if err != nil {
		return 0, fmt.Errorf("read login failures: %w", err)
	}
	if n < throttleFree || !last.Valid {
		return 0, nil
	}
	wait := time.Second << min(n-throttleFree, 16)
	wait = min(wait, throttleMax)
	left := nsTime(last.Int64).Add(wait).Sub(now)
	return max(left, 0), nil
}

// Lock forgets the keys: the store stays open but every method but Unlock,
// Recover and Close returns storage.ErrLocked, as after Open. The UI locks
// after the idle time; the lock is audited.
func (s *Store) Lock(ctx context.Context, why string) error {
	ss, err := s.session()
	if err != nil {
		return nil // already locked
	}
	aerr := inTx(ctx, s.db, func(tx *sql.Tx) error {
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "lock", why, s.now())
	})
	s.mu.Lock()
	if s.dek != nil {
		s.dek.Wipe()
	}
	s.dek, s.sealer, s.user = nil, nil, storage.User{}
	s.mu.Unlock()
	if aerr != nil {
		return fmt.Errorf("lock: %w", aerr)
	}
	return nil
}

// CurrentUser returns who unlocked the store.
func (s *Store) CurrentUser() (storage.User, error) {
	ss, err := s.session()
	return ss.user, err
}

// Users lists every user, disabled ones included. Only an administrator may.
func (s *Store) Users(ctx context.Context) ([]storage.UserInfo, error) {
	if _, err := s.admin("list users"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, disabled, created_ns FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []storage.UserInfo
	for rows.Next() {
		var (
			u       storage.UserInfo
			role    string
			created int64
		)
		if err := rows.Scan(&u.ID, &u.Name, &role, &u.Disabled, &created); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Role, u.Created = storage.Role(role), nsTime(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *Store) admin(what string) (session, error) {
	ss, err := s.session()
	if err != nil {
		return ss, fmt.Errorf("%s: %w", what, err)
	}
	if ss.user.Role != storage.RoleAdministrator {
		return ss, fmt.Errorf("%s: %w", what, ErrNotAdministrator)
	}
	return ss, nil
}

// SetDisabled disables or re-enables a user. Only an administrator may; the
// last enabled administrator cannot be disabled. A disabled user's key slot
// stays (re-enabling restores access) but Unlock refuses it.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	what := "enable user " + name
	if disabled {
		what = "disable user " + name
	}
	ss, err := s.admin(what)
	if err != nil {
		return err
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var (
			id   int64
			role string
		)
		err := tx.QueryRowContext(ctx, `SELECT id, role FROM users WHERE name = ?`, name).Scan(&id, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.ErrNotFound
		}
		if err != nil {
			return err
		}
		if disabled && storage.Role(role) == storage.RoleAdministrator {
			var admins int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'administrator' AND disabled = 0 AND id <> ?`, id).Scan(&admins); err != nil {
				return err
			}
			if admins == 0 {
				return storage.ErrLastAdministrator
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "key change", what, s.now())
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ChangePassphrase gives the current user a new passphrase after checking
// the old one: a fresh slot (new salt, parameters p) replaces the old.
func (s *Store) ChangePassphrase(ctx context.Context, old, fresh []byte, p seal.Params) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	_, slot, err := s.userSlot(ctx, ss.user.Name)
	if err != nil {
		return fmt.Errorf("change passphrase of %s: %w", ss.user.Name, err)
	}
	dek, err := slot.Unwrap(old)
	if err != nil {
		if ferr := s.recordFailure(ctx, ss.user.Name); ferr != nil {
			return fmt.Errorf("change passphrase of %s: %w", ss.user.Name, ferr)
		}
		return fmt.Errorf("change passphrase of %s: %w", ss.user.Name, err)
	}
	defer dek.Wipe()
	next, err := seal.Wrap(dek, fresh, p)
	if err != nil {
		return fmt.Errorf("change passphrase of %s: %w", ss.user.Name, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := updateSlot(ctx, tx, ss.user.ID, next); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "key change", "passphrase of "+ss.user.Name+" changed", s.now())
	})
	if err != nil {
		return fmt.Errorf("change passphrase of %s: %w", ss.user.Name, err)
	}
	return nil
}
