package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// NewRecording is a whole recording stored at once: a file imported.
type NewRecording struct {
	PatientID int64
	Device    devices.DeviceInfo
	Started   time.Time
	Stopped   time.Time // zero: Started (a recording of no length)
	Signals   []devices.Signal
	// Chunks are of the Signals, each at most a second of samples, with
	// host times (as AppendChunks takes them).
	Chunks []devices.Chunk
	Notes  []storage.Annotation // an empty Author is the session user's
}

// StoreRecording stores r in one transaction, audited "import": all of it,
// or on any failure (a torn chunk, a full disk, the context ending)
// nothing at all.
func (s *Store) StoreRecording(ctx context.Context, r NewRecording) (storage.Recording, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Recording{}, fmt.Errorf("store recording: %w", err)
	}
	var rec storage.Recording
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		rec, err = s.writeRecording(ctx, tx, ss, r, "")
		return err
	})
	if err != nil {
		return storage.Recording{}, fmt.Errorf("store recording of patient %d: %w", r.PatientID, err)
	}
	return rec, nil
}

// CompleteImport stores r as the recording of the claimed file f and
// records f as imported, in one transaction: either the recording, its
// signals, chunks and notes, the file's outcome and their audit rows are
// all stored, or none is and f stays claimed (the caller then finishes it
// as a retryable rejection, see FinishImport). A held copy of f (a file
// that matched no patient, HoldUnmatched) goes in the same transaction.
// chosen says the session's user chose the patient (the file's own id
// matched none); the audit row names the user.
func (s *Store) CompleteImport(ctx context.Context, f ImportedFile, r NewRecording, chosen bool) (storage.Recording, error) {
	ss, err := s.session()
	if err != nil {
		return storage.Recording{}, fmt.Errorf("complete import: %w", err)
	}
	if f.ID == 0 {
		return storage.Recording{}, fmt.Errorf("complete import: the file was not claimed")
	}
	how := ""
	if chosen {
		how = "the patient chosen by " + ss.user.Name
	}
	var rec storage.Recording
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		rec, err = s.writeRecording(ctx, tx, ss, r, how)
		if err != nil {
			return err
		}
		f.Outcome, f.RecordingID, f.PatientID, f.Reason, f.Retry, f.At = ImportImported, rec.ID, r.PatientID, "", false, s.now()
		detail, err := finishDetail(&f)
		if err != nil {
			return err
		}
		if how != "" {
			detail += ", " + how
		}
		if err := s.fault("file"); err != nil {
			return err
		}
		if err := finishImport(ctx, tx, s, ss, f, detail); err != nil {
			return fmt.Errorf("file %d: %w", f.ID, err)
		}
		if err := s.fault("unmatched"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM unmatched_files WHERE file_id = ?`, f.ID)
		return err
	})
	if err != nil {
		return storage.Recording{}, fmt.Errorf("complete import of file %d: %w", f.ID, err)
	}
	return rec, nil
}

// writeRecording writes r in tx: the recording, its signals, chunks and
// notes, its stop time and an "import" audit row (with how, when not
// empty).
func (s *Store) writeRecording(ctx context.Context, tx *sql.Tx, ss session, r NewRecording, how string) (storage.Recording, error) {
	if r.Started.IsZero() {
		return storage.Recording{}, fmt.Errorf("no start time")
	}
	if len(r.Signals) == 0 {
		return storage.Recording{}, fmt.Errorf("no signals")
	}
	stopped := r.Stopped
	if stopped.IsZero() {
		stopped = r.Started
	}
	rec := storage.Recording{PatientID: r.PatientID, Device: r.Device, Started: r.Started, Stopped: stopped}
	steps := []struct {
		name string
		do   func() error
	}{
		{"recording", func() error { return insertRecording(ctx, tx, ss, &rec) }},
		{"signals", func() error {
			for _, sig := range r.Signals {
				if err := insertSignal(ctx, tx, ss, rec.ID, sig); err != nil {
					return fmt.Errorf("signal %s: %w", sig.ID, err)
				}
			}
			return nil
		}},
		{"chunks", func() error { return insertChunks(ctx, tx, ss, rec.ID, r.Chunks) }},
		{"notes", func() error { return insertAnnotations(ctx, tx, ss, rec.ID, r.Notes) }},
		{"stop", func() error { return stopRecording(ctx, tx, rec.ID, stopped) }},
		{"audit", func() error {
			detail := fmt.Sprintf("recording %d of patient %d from %s: %d signals, %d chunks, %d notes",
				rec.ID, r.PatientID, r.Device.Protocol, len(r.Signals), len(r.Chunks), len(r.Notes))
			if how != "" {
				detail += ", " + how
			}
			return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "import", detail, s.now())
		}},
	}
	for _, st := range steps {
		if err := s.fault(st.name); err != nil {
			return rec, err
		}
		if err := st.do(); err != nil {
			return rec, fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return rec, nil
}

// fault is the failure a test injects at step, or nil.
func (s *Store) fault(step string) error {
	if s.importFault == nil {
		return nil
	}
	return s.importFault(step)
}
