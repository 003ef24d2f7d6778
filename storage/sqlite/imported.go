package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"telewave/storage"
)

// Outcomes of a taken-in file (imported_files.outcome).
const (
	ImportPending  = "pending"  // claimed, being imported
	ImportImported = "imported" // stored as a recording
	ImportRejected = "rejected" // refused, with a reason
)

// StaleClaim is how long a pending claim holds: an importer that crashed
// mid-import leaves its claim pending, and after this long another may
// claim the file again.
const StaleClaim = 15 * time.Minute

// indexFile is the blind-index kind of a file's content key.
const indexFile = "import-file"

// Why ClaimImport refused a file; the existing row comes back with them.
var (
	ErrAlreadyImported = errors.New("the same file content was already imported")
	ErrRejectedBefore  = errors.New("the same file content was rejected before")
	ErrImportInFlight  = errors.New("the same file content is being imported")
)

// ImportedFile is one row of the taken-in files: the file's content key,
// what became of it and, sealed, its name, format and rejection reason.
type ImportedFile struct {
	ID          int64
	Key         []byte
	At          time.Time // of the last change of outcome
	Outcome     string    // ImportPending, ImportImported or ImportRejected
	Retry       bool      // a rejection a later attempt may retry (no patient matched)
	RecordingID int64     // when imported
	PatientID   int64     // when imported
	Name        string    // file name when taken in
	Format      string    // cart format, when recognised
	Reason      string    // why it was rejected
}

// importedRecord is what an imported_files row seals.
type importedRecord struct {
	Name   string `json:"name,omitempty"`
	Format string `json:"format,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// FileKey is the content key of a file: a keyed hash (the store's
// blind-index key) of the file's SHA-256, so equal contents give equal
// keys while the key tells nothing about the file without the data key.
func (s *Store) FileKey(content []byte) ([]byte, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("file key: %w", err)
	}
	sum := sha256.Sum256(content)
	return ss.sealer.BlindIndex(indexFile, hex.EncodeToString(sum[:])), nil
}

// ClaimImport reserves a file content for import, as a pending row, before
// anything is stored, so that two importers (the watched folder and a
// drop, or two workstations on one store) never import it twice. It
// refuses, returning the existing row, with ErrAlreadyImported, with
// ErrImportInFlight for a claim younger than StaleClaim, and with
// ErrRejectedBefore for a rejection unless it is marked Retry or force is
// set (a user asking again). The claimer must call FinishImport.
func (s *Store) ClaimImport(ctx context.Context, key []byte, name string, force bool) (ImportedFile, error) {
	ss, err := s.session()
	if err != nil {
		return ImportedFile{}, fmt.Errorf("claim import: %w", err)
	}
	if len(key) == 0 {
		return ImportedFile{}, fmt.Errorf("claim import: empty content key")
	}
	now := s.now()
	var out ImportedFile
	var refused error
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		prev, err := importedByKey(ctx, tx, s, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			out = ImportedFile{Key: key, At: now, Outcome: ImportPending, Name: name}
			out.ID, err = insertThenSeal(ctx, tx, ss.sealer, "imported_files", "sealed", importedRecord{Name: name},
				`INSERT INTO imported_files (content_key, updated_ns, outcome, sealed) VALUES (?, ?, ?, x'')`,
				key, now.UnixNano(), ImportPending)
			return err
		case err != nil:
			return err
		}
		switch {
		case prev.Outcome == ImportImported:
			out, refused = prev, ErrAlreadyImported
			return nil
		case prev.Outcome == ImportPending && now.Sub(prev.At) < StaleClaim:
			out, refused = prev, ErrImportInFlight
			return nil
		case prev.Outcome == ImportRejected && !prev.Retry && !force:
			out, refused = prev, ErrRejectedBefore
			return nil
		}
		out = ImportedFile{ID: prev.ID, Key: key, At: now, Outcome: ImportPending, Name: name}
		return writeImported(ctx, tx, s, out)
	})
	if err != nil {
		return ImportedFile{}, fmt.Errorf("claim import of %s: %w", name, err)
	}
	if refused != nil {
		return out, fmt.Errorf("%s: %w", name, refused)
	}
	return out, nil
}

// FinishImport records what became of a claimed file: f.Outcome is
// ImportImported (with RecordingID and PatientID) or ImportRejected (with a
// Reason). It is audited.
func (s *Store) FinishImport(ctx context.Context, f ImportedFile) error {
	ss, err := s.session()
	if err != nil {
		return fmt.Errorf("finish import: %w", err)
	}
	detail, err := finishDetail(&f)
	if err != nil {
		return err
	}
	f.At = s.now()
	err = inTx(ctx, s.db, func(tx *sql.Tx) error { return finishImport(ctx, tx, s, ss, f, detail) })
	if err != nil {
		return fmt.Errorf("finish import of file %d: %w", f.ID, err)
	}
	return nil
}

// finishDetail checks f's outcome and says it for the audit log; a
// rejection loses any recording and patient.
func finishDetail(f *ImportedFile) (string, error) {
	switch f.Outcome {
	case ImportImported:
		if f.RecordingID == 0 || f.PatientID == 0 {
			return "", fmt.Errorf("finish import of file %d: imported without a recording and patient", f.ID)
		}
		return fmt.Sprintf("file %d (%s) as recording %d of patient %d", f.ID, f.Format, f.RecordingID, f.PatientID), nil
	case ImportRejected:
		if f.Reason == "" {
			return "", fmt.Errorf("finish import of file %d: rejected without a reason", f.ID)
		}
		f.RecordingID, f.PatientID = 0, 0
		return fmt.Sprintf("file %d rejected: %s", f.ID, f.Reason), nil
	}
	return "", fmt.Errorf("finish import of file %d: outcome %q is not imported or rejected", f.ID, f.Outcome)
}

// finishImport writes the outcome of claimed file f in tx, audited with
// detail.
func finishImport(ctx context.Context, tx *sql.Tx, s *Store, ss session, f ImportedFile, detail string) error {
	var outcome string
	err := tx.QueryRowContext(ctx, `SELECT outcome FROM imported_files WHERE id = ?`, f.ID).Scan(&outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.ErrNotFound
	}
	if err != nil {
		return err
	}
	if outcome != ImportPending {
		return fmt.Errorf("file %d is %s, not claimed", f.ID, outcome)
	}
	if err := writeImported(ctx, tx, s, f); err != nil {
		return err
	}
	return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "file "+f.Outcome, detail, f.At)
}

// ImportedFileByKey returns the row of a content key, or
// storage.ErrNotFound.
func (s *Store) ImportedFileByKey(ctx context.Context, key []byte) (ImportedFile, error) {
	f, err := importedByKey(ctx, s.db, s, key)
	if err != nil {
		return f, fmt.Errorf("imported file: %w", err)
	}
	return f, nil
}

// ImportedFiles lists every taken-in file, oldest first.
func (s *Store) ImportedFiles(ctx context.Context) ([]ImportedFile, error) {
	ss, err := s.session()
	if err != nil {
		return nil, fmt.Errorf("list imported files: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+importedColumns+` FROM imported_files ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list imported files: %w", err)
	}
	defer rows.Close()
	var out []ImportedFile
	for rows.Next() {
		f, err := scanImported(rows.Scan, ss)
		if err != nil {
			return nil, fmt.Errorf("list imported files: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list imported files: %w", err)
	}
	return out, nil
}

const importedColumns = `id, content_key, updated_ns, outcome, retry, recording_id, patient_id, sealed`

func importedByKey(ctx context.Context, q queryer, s *Store, key []byte) (ImportedFile, error) {
	ss, err := s.session()
	if err != nil {
		return ImportedFile{}, err
	}
	row := q.QueryRowContext(ctx, `SELECT `+importedColumns+` FROM imported_files WHERE content_key = ?`, key)
	f, err := scanImported(row.Scan, ss)
	if errors.Is(err, sql.ErrNoRows) {
		return f, storage.ErrNotFound
	}
	return f, err
}

func scanImported(scan func(...any) error, ss session) (ImportedFile, error) {
	var (
		f         ImportedFile
		ns, retry int64
		rec, pat  sql.NullInt64
		sealed    []byte
		r         importedRecord
	)
	if err := scan(&f.ID, &f.Key, &ns, &f.Outcome, &retry, &rec, &pat, &sealed); err != nil {
		return f, err
	}
	if err := openJSON(ss.sealer, sealed, "imported_files", fmt.Sprint(f.ID), "sealed", &r); err != nil {
		return f, err
	}
	f.At, f.Retry, f.RecordingID, f.PatientID = nsTime(ns), retry != 0, rec.Int64, pat.Int64
	f.Name, f.Format, f.Reason = r.Name, r.Format, r.Reason
	return f, nil
}

// writeImported rewrites row f.ID with f's outcome and sealed fields.
func writeImported(ctx context.Context, tx *sql.Tx, s *Store, f ImportedFile) error {
	ss, err := s.session()
	if err != nil {
		return err
	}
	sealed, err := sealJSON(ss.sealer, importedRecord{Name: f.Name, Format: f.Format, Reason: f.Reason}, "imported_files", fmt.Sprint(f.ID), "sealed")
	if err != nil {
		return err
	}
	retry := 0
	if f.Retry && f.Outcome == ImportRejected {
		retry = 1
	}
	_, err = tx.ExecContext(ctx, `UPDATE imported_files SET updated_ns = ?, outcome = ?, retry = ?, recording_id = ?, patient_id = ?, sealed = ? WHERE id = ?`,
		f.At.UnixNano(), f.Outcome, retry, nullID(f.RecordingID), nullID(f.PatientID), sealed, f.ID)
	return err
}
