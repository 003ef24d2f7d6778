// Package sqlite is the record store on one SQLite file (modernc.org/sqlite,
// no cgo): users and key slots, the patient register, recordings with their
// sealed waveform chunks, charted vitals, the outbox of EHR work and the
// hash-chained audit log.
//
// Every identifying or descriptive value is sealed (storage/seal) with
// associated data naming its table, row and column. The row part is:
//   - the row's integer id for patients, recordings, numerics and audit rows:
//     the row is inserted with an empty value and sealed by an UPDATE in the
//     same transaction, because SQLite assigns the id;
//   - a natural key known before the insert where one exists: chunks use
//     "<signal row id>/<seq>", signals "<recording id>/<signal key>", charts
//     their UUID.
//
// A Store opened with Open is locked: every method but Unlock, Recover and
// Close returns storage.ErrLocked until a user's passphrase unwraps the data
// key.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"telewave/storage"
	"telewave/storage/seal"
)

// FileName is the database file inside a store directory.
const FileName = "telewave.db"

// busyTimeoutMS bounds how long a writer waits for another connection's
// transaction; the recorder's once-a-second commit must not fail on a
// concurrent chart.
const busyTimeoutMS = 5000

// Store is an open record store. It is safe for concurrent use.
type Store struct {
	dir string
	db  *sql.DB
	now func() time.Time // injected by tests
	// importFault, when set by a test, fails a whole-recording import at
	// the step it names (CompleteImport, StoreRecording).
	importFault func(step string) error

	mu      sync.RWMutex
	dek     *seal.DataKey // nil while locked
	sealer  *seal.Sealer
	user    storage.User
	storeID string
	closed  bool
}

// Exists reports whether dir holds a store.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, FileName))
	return err == nil
}

func dsn(path string) (string, error) {
	if strings.ContainsAny(path, "?#") {
		return "", fmt.Errorf("store path %q: '?' and '#' are not allowed", path)
	}
	return fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate",
		path, busyTimeoutMS), nil
}

func openDB(ctx context.Context, dir string) (*Store, error) {
	d, err := dsn(filepath.Join(dir, FileName))
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", d)
	if err != nil {
		return nil, err
	}
	// Writers serialize on SQLite's lock anyway; a few connections let reads
	// (WAL) proceed beside the recorder's write.
	db.SetMaxOpenConns(4)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{dir: dir, db: db, now: time.Now}, nil
}

// Create makes a new store in dir (created 0700 if missing; the file is
// 0600) with admin as its first administrator, and returns it unlocked as
// admin together with the recovery code, which is shown once and never
// stored. It fails with storage.ErrExists if dir already holds a store.
func Create(ctx context.Context, dir, admin string, passphrase []byte, p seal.Params) (s *Store, recoveryCode string, err error) {
	if Exists(dir) {
		return nil, "", fmt.Errorf("create store %s: %w", dir, storage.ErrExists)
	}
	if strings.TrimSpace(admin) == "" {
		return nil, "", fmt.Errorf("create store %s: empty administrator name", dir)
	}
	if err := p.Validate(); err != nil {
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// Create the file ourselves so it is 0600 from the first byte; SQLite gives
	// its -wal and -shm files the database file's permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, "", fmt.Errorf("create store %s: %w", dir, storage.ErrExists)
		}
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	f.Close()
	defer func() {
		if err != nil {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
	}()

	s, err = openDB(ctx, dir)
	if err != nil {
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	dek := seal.NewDataKey()
	recoveryCode = seal.NewRecoveryCode()
	userSlot, err := seal.Wrap(dek, passphrase, p)
	if err != nil {
		s.db.Close()
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	recoverySlot, err := seal.WrapRecovery(dek, recoveryCode, p)
	if err != nil {
		s.db.Close()
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	sealer, err := seal.NewSealer(dek)
	if err != nil {
		s.db.Close()
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	storeID := uuid.NewString()
	now := s.now()
	var user storage.User
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_meta (id, store_id, created_ns) VALUES (1, ?, ?)`, storeID, now.UnixNano()); err != nil {
			return err
		}
		var err error
		if user, err = insertUser(ctx, tx, admin, storage.RoleAdministrator, userSlot, now); err != nil {
			return err
		}
		if err := insertSlot(ctx, tx, sql.NullInt64{}, recoverySlot, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, sealer, storeID, user.ID, "store created", "administrator "+admin, now)
	})
	if err != nil {
		s.db.Close()
		return nil, "", fmt.Errorf("create store %s: %w", dir, err)
	}
	s.unlocked(dek, sealer, user, storeID)
	return s, recoveryCode, nil
}

// Open opens the store in dir, applying pending migrations. The store is
// locked until Unlock. It returns storage.ErrNotFound if dir holds no store.
func Open(ctx context.Context, dir string) (*Store, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("open store %s: %w", dir, storage.ErrNotFound)
	}
	s, err := openDB(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return s, nil
}

// Close locks the store and closes the database. Checkpointing first folds
// the WAL back into the main file, so a closed store is one file. Closing
// twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.dek != nil {
		s.dek.Wipe()
	}
	s.dek, s.sealer, s.user = nil, nil, storage.User{}
	s.mu.Unlock()
	_, cpErr := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.dir, err)
	}
	if cpErr != nil {
		return fmt.Errorf("close store %s: checkpoint: %w", s.dir, cpErr)
	}
	return nil
}

func (s *Store) unlocked(dek *seal.DataKey, sealer *seal.Sealer, user storage.User, storeID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dek != nil && s.dek != dek {
		s.dek.Wipe()
	}
	s.dek, s.sealer, s.user, s.storeID = dek, sealer, user, storeID
}

// session is what an unlocked store knows: the keys, who is working, and
// the store id (the audit chain's genesis).
type session struct {
	sealer  *seal.Sealer
	user    storage.User
	storeID string
}

func (s *Store) session() (session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sealer == nil {
		return session{}, storage.ErrLocked
	}
	return session{sealer: s.sealer, user: s.user, storeID: s.storeID}, nil
}

// sealJSON marshals v and seals it for table/row/column.
func sealJSON(sl *seal.Sealer, v any, table, row, column string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s.%s: %w", table, column, err)
	}
	out := sl.Seal(b, table, row, column)
	clear(b) // the clear JSON should not linger in the heap
	return out, nil
}

// openJSON opens a sealed value and unmarshals it into v.
func openJSON(sl *seal.Sealer, sealed []byte, table, row, column string, v any) error {
	b, err := sl.Open(sealed, table, row, column)
	if err != nil {
		return err
	}
	defer clear(b)
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("unmarshal %s.%s of row %s: %w", table, column, row, err)
	}
	return nil
}

// insertThenSeal inserts a row with an empty sealed column, then seals v
// bound to the new id and writes it; see the package comment.
func insertThenSeal(ctx context.Context, tx *sql.Tx, sl *seal.Sealer, table, column string, v any, insert string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, insert, args...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	sealed, err := sealJSON(sl, v, table, fmt.Sprint(id), column)
	if err != nil {
		return 0, err
	}
	// table and column are constants of this package, never user input.
	if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET "+column+" = ? WHERE id = ?", sealed, id); err != nil {
		return 0, err
	}
	return id, nil
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func nullNS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}
