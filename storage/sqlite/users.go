package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
)

// ErrNotAdministrator is returned when a non-administrator tries to manage
// users.
var ErrNotAdministrator = errors.New("only an administrator may do this")

// Unlock unwraps the data key with user's passphrase and makes user the
// store's current user. A wrong user, a disabled user or a wrong passphrase
// all give storage.ErrBadPassphrase, so a guesser learns nothing about which.
// Failed attempts are recorded and enter the audit chain at the next
// successful unlock, together with the "login" row.
func (s *Store) Unlock(ctx context.Context, user string, passphrase []byte) (storage.User, error) {
	wait, err := s.ThrottleWait(ctx, user)
	if err != nil {
		return storage.User{}, fmt.Errorf("unlock as %s: %w", user, err)
	}
	if wait > 0 {
		if ferr := s.recordFailure(ctx, user); ferr != nil {
			return storage.User{}, fmt.Errorf("unlock as %s: %w", user, ferr)
		}
		return storage.User{}, fmt.Errorf("unlock as %s: %w (%v)", user, storage.ErrThrottled, wait.Round(time.Second))
	}
	u, slot, err := s.userSlot(ctx, user)
	if err == nil {
		var dek *seal.DataKey
		if dek, err = slot.Unwrap(passphrase); err == nil {
			if err = s.login(ctx, dek, u, "login", "user "+u.Name); err == nil {
				return u, nil
			}
			dek.Wipe()
			return storage.User{}, fmt.Errorf("unlock as %s: %w", user, err)
		}
	}
	if !errors.Is(err, storage.ErrBadPassphrase) && !errors.Is(err, storage.ErrNotFound) {
		return storage.User{}, fmt.Errorf("unlock as %s: %w", user, err)
	}
	if errors.Is(err, storage.ErrNotFound) {
		s.spendLikeUnwrap(ctx, passphrase)
	}
	if ferr := s.recordFailure(ctx, user); ferr != nil {
		return storage.User{}, fmt.Errorf("unlock as %s: %w", user, ferr)
	}
	return storage.User{}, fmt.Errorf("unlock as %s: %w", user, storage.ErrBadPassphrase)
}

// Recover unwraps the data key with the recovery code, gives user the new
// passphrase (a fresh slot under p) and unlocks the store as user. It is the
// way back from a forgotten passphrase.
func (s *Store) Recover(ctx context.Context, code, user string, newPassphrase []byte, p seal.Params) (storage.User, error) {
	fail := func(err error) (storage.User, error) {
		return storage.User{}, fmt.Errorf("recover %s: %w", user, err)
	}
	var params, wrapped []byte
	err := s.db.QueryRowContext(ctx, `SELECT params, wrapped FROM key_slots WHERE user_id IS NULL`).Scan(&params, &wrapped)
	if err != nil {
		return fail(err)
	}
	slot := seal.Slot{Wrapped: wrapped}
	if err := slot.Params.UnmarshalBinary(params); err != nil {
		return fail(err)
	}
	dek, err := slot.UnwrapRecovery(code)
	if err != nil {
		if ferr := s.recordFailure(ctx, "recovery code for "+user); ferr != nil {
			return fail(ferr)
		}
		return fail(err)
	}
	u, _, err := s.userSlot(ctx, user)
	if err != nil {
		return fail(err)
	}
	fresh, err := seal.Wrap(dek, newPassphrase, p)
	if err != nil {
		return fail(err)
	}
	if err := s.login(ctx, dek, u, "key change", "passphrase of "+u.Name+" reset with the recovery code", func(tx *sql.Tx) error {
		return updateSlot(ctx, tx, u.ID, fresh)
	}); err != nil {
		dek.Wipe()
		return fail(err)
	}
	return u, nil
}

// login makes u the current user: it moves recorded failures into the audit
// chain, runs extra (in the same transaction), audits action, and only then
// publishes the keys.
func (s *Store) login(ctx context.Context, dek *seal.DataKey, u storage.User, action, detail string, extra ...func(*sql.Tx) error) error {
	sealer, err := seal.NewSealer(dek)
	if err != nil {
		return err
	}
	var storeID string
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT store_id FROM store_meta WHERE id = 1`).Scan(&storeID); err != nil {
			return fmt.Errorf("read store id: %w", err)
		}
		if err := auditFailures(ctx, tx, sealer, storeID); err != nil {
			return err
		}
		for _, fn := range extra {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, sealer, storeID, u.ID, action, detail, s.now())
	})
	if err != nil {
		return err
	}
	s.unlocked(dek, sealer, u, storeID)
	return nil
}

// spendLikeUnwrap does the Argon2id work a real slot would cost, so that an
// unknown user name takes as long to refuse as a wrong passphrase and the
// timing does not reveal which names exist.
func (s *Store) spendLikeUnwrap(ctx context.Context, passphrase []byte) {
	var params []byte
	if err := s.db.QueryRowContext(ctx, `SELECT params FROM key_slots WHERE user_id IS NULL`).Scan(&params); err != nil {
		return
	}
	var p seal.Params
	if p.UnmarshalBinary(params) != nil {
		return
	}
	p.Salt = nil
	_, _ = seal.Wrap(seal.NewDataKey(), passphrase, p) // only the time spent matters
}

func (s *Store) recordFailure(ctx context.Context, name string) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (time_ns, user_name) VALUES (?, ?)`, s.now().UnixNano(), name)
		return err
	})
}

// auditFailures turns each recorded failed login into an audit row, in the
// order they happened, and forgets them.
func auditFailures(ctx context.Context, tx *sql.Tx, sl *seal.Sealer, storeID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT time_ns, user_name FROM login_failures ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read login failures: %w", err)
	}
	type failure struct {
		at   int64
		name string
	}
	var fs []failure
	for rows.Next() {
		var f failure
		if err := rows.Scan(&f.at, &f.name); err != nil {
			rows.Close()
			return fmt.Errorf("read login failures: %w", err)
		}
		fs = append(fs, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read login failures: %w", err)
	}
	for _, f := range fs {
		if err := appendAudit(ctx, tx, sl, storeID, 0, "failed login", "user "+f.name, nsTime(f.at)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures`); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// userSlot finds an enabled user and its key slot. An unknown or disabled
// user reads as storage.ErrNotFound.
func (s *Store) userSlot(ctx context.Context, name string) (storage.User, seal.Slot, error) {
	var (
		u        storage.User
		role     string
		disabled bool
		params   []byte
		slot     seal.Slot
	)
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.disabled, k.params, k.wrapped
		FROM users u JOIN key_slots k ON k.user_id = u.id WHERE u.name = ?`, name).
		Scan(&u.ID, &u.Name, &role, &disabled, &params, &slot.Wrapped)
	if errors.Is(err, sql.ErrNoRows) || err == nil && disabled {
		return u, slot, storage.ErrNotFound
	}
	if err != nil {
		return u, slot, fmt.Errorf("read user: %w", err)
	}
	u.Role = storage.Role(role)
	if err := slot.Params.UnmarshalBinary(params); err != nil {
		return u, slot, err
	}
	return u, slot, nil
}

// AddUser creates a user with its own key slot. Only an administrator may.
// A taken name gives storage.ErrExists.
func (s *Store) AddUser(ctx context.Context, name string, role storage.Role, passphrase []byte, p seal.Params) (storage.User, error) {
	ss, err := s.session()
	if err != nil {
		return storage.User{}, fmt.Errorf("add user %s: %w", name, err)
	}
	if ss.user.Role != storage.RoleAdministrator {
		return storage.User{}, fmt.Errorf("add user %s: %w", name, ErrNotAdministrator)
	}
	switch role {
	case storage.RoleAdministrator, storage.RoleClinician, storage.RoleReviewer:
	default:
		return storage.User{}, fmt.Errorf("add user %s: unknown role %q", name, role)
	}
	if strings.TrimSpace(name) == "" {
		return storage.User{}, fmt.Errorf("add user: empty name")
	}
	s.mu.RLock()
	dek := s.dek
	var slot seal.Slot
	if dek != nil {
		slot, err = seal.Wrap(dek, passphrase, p)
	}
	s.mu.RUnlock()
	if dek == nil {
		return storage.User{}, fmt.Errorf("add user %s: %w", name, storage.ErrLocked)
	}
	if err != nil {
		return storage.User{}, fmt.Errorf("add user %s: %w", name, err)
	}
	var u storage.User
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return storage.ErrExists
		}
		now := s.now()
		if u, err = insertUser(ctx, tx, name, role, slot, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "key change", fmt.Sprintf("added user %s as %s", name, role), now)
	})
	if err != nil {
		return storage.User{}, fmt.Errorf("add user %s: %w", name, err)
	}
	return u, nil
}

func insertUser(ctx context.Context, tx *sql.Tx, name string, role storage.Role, slot seal.Slot, now time.Time) (storage.User, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, created_ns) VALUES (?, ?, ?)`, name, string(role), now.UnixNano())
	if err != nil {
		return storage.User{}, fmt.Errorf("insert user: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return storage.User{}, fmt.Errorf("insert user: %w", err)
	}
	if err := insertSlot(ctx, tx, sql.NullInt64{Int64: id, Valid: true}, slot, now); err != nil {
		return storage.User{}, err
	}
	return storage.User{ID: id, Name: name, Role: role}, nil
}

func insertSlot(ctx context.Context, tx *sql.Tx, userID sql.NullInt64, slot seal.Slot, now time.Time) error {
	params, err := slot.Params.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO key_slots (user_id, params, wrapped, created_ns) VALUES (?, ?, ?, ?)`,
		userID, params, slot.Wrapped, now.UnixNano()); err != nil {
		return fmt.Errorf("insert key slot: %w", err)
	}
	return nil
}

func updateSlot(ctx context.Context, tx *sql.Tx, userID int64, slot seal.Slot) error {
	params, err := slot.Params.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE key_slots SET params = ?, wrapped = ? WHERE user_id = ?`, params, slot.Wrapped, userID); err != nil {
		return fmt.Errorf("update key slot: %w", err)
	}
	return nil
}
