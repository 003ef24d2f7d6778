package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"telewave/storage"
)

// FileSays is what a file that matched no patient says of its patient and
// acquisition, as the cart wrote it, for the clinician who chooses the
// patient.
type FileSays struct {
	PatientID string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Birth     string `json:"birth,omitempty"`
	Sex       string `json:"sex,omitempty"`
	Acquired  string `json:"acquired,omitempty"` // date and time as the file gives them
	Device    string `json:"device,omitempty"`
}

// UnmatchedFile is a file waiting for a patient.
type UnmatchedFile struct {
	File ImportedFile // its row: a retryable rejection saying why no patient matched
	Held time.Time
	Says FileSays
	Size int // bytes
}

// HoldUnmatched finishes the claim of file f whose patient id matched no
// patient: f is rejected, retryable, with f.Reason, and its content is kept
// sealed beside what it says until CompleteImport imports it for a chosen
// patient or DiscardUnmatched drops it. A file held before is held again
// (its content is the same: the content key is the row's key). One
// transaction, audited.
func (s *Store) HoldUnmatched(ctx context.Context, f ImportedFile, says FileSays, content []byte) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("hold unmatched file: %w", err)
	}
	if len(content) == 0 {
		return fmt.Errorf("hold unmatched file %d: no content", f.ID)
	}
	f.Outcome, f.Retry, f.At = ImportRejected, true, s.now()
	if f.Reason == "" {
		f.Reason = "no patient matched"
	}
	detail, err := finishDetail(&f)
	if err != nil {
		return err
	}
	row := fmt.Sprint(f.ID)
	sealedSays, err := sealJSON(ss.sealer, says, "unmatched_files", row, "says")
	if err != nil {
		return fmt.Errorf("hold unmatched file %d: %w", f.ID, err)
	}
	sealed := ss.sealer.Seal(content, "unmatched_files", row, "content")
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := finishImport(ctx, tx, s, ss, f, detail+"; held for a clinician to choose the patient"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO unmatched_files (file_id, held_ns, size, says, content) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (file_id) DO UPDATE SET held_ns = excluded.held_ns, size = excluded.size, says = excluded.says, content = excluded.content`,
			f.ID, f.At.UnixNano(), len(content), sealedSays, sealed)
		return err
	})
	if err != nil {
		return fmt.Errorf("hold unmatched file %d: %w", f.ID, err)
	}
	return nil
}

// UnmatchedFiles lists the files waiting for a patient, oldest first,
// without their content.
func (s *Store) UnmatchedFiles(ctx context.Context) ([]UnmatchedFile, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("list unmatched files: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+prefixed("f.", importedColumns)+`, u.held_ns, u.says, u.size
		FROM unmatched_files u JOIN imported_files f ON f.id = u.file_id ORDER BY u.held_ns, u.file_id`)
	if err != nil {
		return nil, fmt.Errorf("list unmatched files: %w", err)
	}
	defer rows.Close()
	var out []UnmatchedFile
	for rows.Next() {
		u, err := scanUnmatched(rows.Scan, ss)
		if err != nil {
			return nil, fmt.Errorf("list unmatched files: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list unmatched files: %w", err)
	}
	return out, nil
}

// UnmatchedFileContent returns a waiting file with its content, or
// storage.ErrNotFound when it waits no more (imported or discarded).
func (s *Store) UnmatchedFileContent(ctx context.Context, fileID int64) (UnmatchedFile, []byte, error) {
	ss, err := s.session()
	if err != nil {
		return UnmatchedFile{}, nil, fmt.Errorf("unmatched file %d: %w", fileID, err)
	}
	var sealed []byte
	row := s.db.QueryRowContext(ctx, `SELECT `+prefixed("f.", importedColumns)+`, u.held_ns, u.says, u.size, u.content
		FROM unmatched_files u JOIN imported_files f ON f.id = u.file_id WHERE u.file_id = ?`, fileID)
	u, err := scanUnmatched(func(dest ...any) error { return row.Scan(append(dest, &sealed)...) }, ss)
	if errors.Is(err, sql.ErrNoRows) {
		err = storage.ErrNotFound
	}
	if err != nil {
		return UnmatchedFile{}, nil, fmt.Errorf("unmatched file %d: %w", fileID, err)
	}
	content, err := ss.sealer.Open(sealed, "unmatched_files", fmt.Sprint(fileID), "content")
	if err != nil {
		return UnmatchedFile{}, nil, fmt.Errorf("unmatched file %d content: %w", fileID, err)
	}
	return u, content, nil
}

// DiscardUnmatched drops a waiting file: its row becomes a rejection that
// is not retried (a watched folder will not hold it again; a user dropping
// it on the window may), with reason, audited under the session's user.
func (s *Store) DiscardUnmatched(ctx context.Context, fileID int64, reason string) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("discard unmatched file %d: %w", fileID, err)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "no reason given"
	}
	reason = "discarded by " + ss.user.Name + ": " + reason
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM unmatched_files WHERE file_id = ?`, fileID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(storage.ErrNotFound, err)
		}
		f, err := importedByID(ctx, tx, s, fileID)
		if err != nil {
			return err
		}
		f.Outcome, f.Retry, f.Reason, f.At = ImportRejected, false, reason, s.now()
		if err := writeImported(ctx, tx, s, f); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "file discarded", fmt.Sprintf("file %d (%s): %s", fileID, f.Format, reason), f.At)
	})
	if err != nil {
		return fmt.Errorf("discard unmatched file %d: %w", fileID, err)
	}
	return nil
}

func importedByID(ctx context.Context, q queryer, s *Store, id int64) (ImportedFile, error) {
	ss, err := s.session()
	if err != nil {
		return ImportedFile{}, err
	}
	f, err := scanImported(q.QueryRowContext(ctx, `SELECT `+importedColumns+` FROM imported_files WHERE id = ?`, id).Scan, ss)
	if errors.Is(err, sql.ErrNoRows) {
		return f, storage.ErrNotFound
	}
	return f, err
}

// scanUnmatched reads the imported_files columns, then held_ns, says and
// size.
func scanUnmatched(scan func(...any) error, ss session) (UnmatchedFile, error) {
	var (
		u    UnmatchedFile
		held int64
		says []byte
		size int64
	)
	f, err := scanImported(func(dest ...any) error { return scan(append(dest, &held, &says, &size)...) }, ss)
	if err != nil {
		return u, err
	}
	if err := openJSON(ss.sealer, says, "unmatched_files", fmt.Sprint(f.ID), "says", &u.Says); err != nil {
		return u, err
	}
	u.File, u.Held, u.Size = f, nsTime(held), int(size)
	return u, nil
}

// prefixed puts p before each of a comma-separated column list.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
