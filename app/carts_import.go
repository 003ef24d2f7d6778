package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"telewave/formats/carts"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// CartImportStore is what taking in a cart file needs of the store: the
// patient register (to match a file, or to ask whose it is), the
// imported-files table with the files waiting for a patient, and the
// one-transaction import of a whole recording.
type CartImportStore interface {
	PatientByMRN(ctx context.Context, mrn string) (storage.Patient, error)
	Patient(ctx context.Context, id int64) (storage.Patient, error)
	Patients(ctx context.Context) ([]storage.Patient, error)
	FileKey(content []byte) ([]byte, error)
	ClaimImport(ctx context.Context, key []byte, name string, force bool) (sqlite.ImportedFile, error)
	FinishImport(ctx context.Context, f sqlite.ImportedFile) error
	CompleteImport(ctx context.Context, f sqlite.ImportedFile, r sqlite.NewRecording, chosen bool) (storage.Recording, error)
	HoldUnmatched(ctx context.Context, f sqlite.ImportedFile, says sqlite.FileSays, content []byte) error
	UnmatchedFiles(ctx context.Context) ([]sqlite.UnmatchedFile, error)
	UnmatchedFileContent(ctx context.Context, fileID int64) (sqlite.UnmatchedFile, []byte, error)
	DiscardUnmatched(ctx context.Context, fileID int64, reason string) error
}

var _ CartImportStore = (*sqlite.Store)(nil)

// What became of a file taken in (ImportEvent.Outcome).
const (
	FileImported  = "imported"  // stored as a new recording
	FileRejected  = "rejected"  // torn, foreign or too large; Reason says which
	FileDuplicate = "duplicate" // the same content was imported (or is being imported) already
	FileFailed    = "failed"    // the store failed; nothing was stored, the file will be tried again
	// FileNeedsPatient: the file names no patient, or no patient has its
	// patient id. It is held in the store (Intake.Held) until a clinician
	// chooses the patient (AssignCartFile) or discards it; nothing is
	// guessed.
	FileNeedsPatient = "needs-patient"
)

// ImportEvent reports one file taken in.
type ImportEvent struct {
	Path        string
	Outcome     string // FileImported, FileRejected, FileDuplicate, FileFailed or FileNeedsPatient
	Format      string // the cart format, when recognised
	RecordingID int64  // the new recording, or for a duplicate the earlier one
	PatientID   int64
	Reason      string // why it was rejected, held, or what failed
}

// String is the line shown to the user.
func (e ImportEvent) String() string {
	name := filepath.Base(e.Path)
	switch e.Outcome {
	case FileImported:
		return fmt.Sprintf("imported %s (%s) as record %d", name, e.Format, e.RecordingID)
	case FileDuplicate:
		if e.RecordingID != 0 {
			return fmt.Sprintf("skipped %s: the same file was already imported as record %d", name, e.RecordingID)
		}
		return fmt.Sprintf("skipped %s: %s", name, e.Reason)
	case FileRejected:
		return fmt.Sprintf("rejected %s: %s", name, e.Reason)
	case FileNeedsPatient:
		return fmt.Sprintf("held %s (%s): %s; it waits for a clinician to choose the patient", name, e.Format, e.Reason)
	}
	return fmt.Sprintf("could not import %s: %s", name, e.Reason)
}

// Intake is a file taken in: its event and, when it waits for a patient,
// the held file (its id for AssignCartFile, and what it says).
type Intake struct {
	ImportEvent
	Held *sqlite.UnmatchedFile
}

// ImportCartData takes in the content of one cart file named name (see
// TakeCartData) and reports the outcome.
func ImportCartData(ctx context.Context, st CartImportStore, name string, data []byte, force bool) ImportEvent {
	return TakeCartData(ctx, st, name, data, force).ImportEvent
}

// TakeCartData takes in the content of one cart file named name: it claims
// the content in the store (so it never imports twice), decodes it,
// matches the patient by the file's patient id and stores it as a new
// recording with the cart's notes, in one transaction. A file whose patient
// matches none is held in the store, waiting for a clinician
// (FileNeedsPatient). force retries a content rejected before (a user
// asking again); the watcher does not set it. Every outcome but FileFailed
// is recorded in the store; after FileFailed nothing is stored and the file
// may be tried again.
func TakeCartData(ctx context.Context, st CartImportStore, name string, data []byte, force bool) Intake {
	claim, refused := claimFile(ctx, st, name, data, force)
	if refused != nil {
		return Intake{ImportEvent: *refused}
	}
	ev := ImportEvent{Path: name}
	m, err := decodeAndMatch(ctx, st, data)
	claim.Format, ev.Format = m.format.Name, m.format.Name
	switch {
	case err != nil:
		return Intake{ImportEvent: release(ctx, st, claim, ev, err)}
	case m.reject != "":
		claim.Outcome, claim.Reason, claim.Retry = sqlite.ImportRejected, m.reject, false
		if err := st.FinishImport(ctx, claim); err != nil {
			return Intake{ImportEvent: failed(ev, err)}
		}
		ev.Outcome, ev.Reason = FileRejected, m.reject
		return Intake{ImportEvent: ev}
	case m.unmatched != "":
		claim.Reason = m.unmatched
		says := CartSays(m.rec)
		if err := st.HoldUnmatched(ctx, claim, says, data); err != nil {
			return Intake{ImportEvent: release(ctx, st, claim, ev, err)}
		}
		ev.Outcome, ev.Reason = FileNeedsPatient, m.unmatched
		held := &sqlite.UnmatchedFile{File: claim, Held: time.Now(), Says: says, Size: len(data)}
		held.File.Outcome, held.File.Retry = sqlite.ImportRejected, true
		return Intake{ImportEvent: ev, Held: held}
	}
	return Intake{ImportEvent: complete(ctx, st, claim, ev, m, m.patient.ID, false)}
}

// AssignCartFile imports a held file (one that matched no patient) for the
// patient a clinician chose, in one transaction that also drops the held
// copy; the audit names the user. A file no longer held (imported or
// discarded meanwhile, say at another workstation) is reported, not
// imported again.
func AssignCartFile(ctx context.Context, st CartImportStore, fileID, patientID int64) ImportEvent {
	held, data, err := st.UnmatchedFileContent(ctx, fileID)
	ev := ImportEvent{Path: held.File.Name, Format: held.File.Format}
	if errors.Is(err, storage.ErrNotFound) {
		ev.Outcome, ev.Reason = FileDuplicate, "the file no longer waits for a patient (imported or discarded meanwhile)"
		return ev
	}
	if err != nil {
		return failed(ev, err)
	}
	if _, err := st.Patient(ctx, patientID); err != nil {
		return failed(ev, fmt.Errorf("patient %d: %w", patientID, err))
	}
	claim, refused := claimFile(ctx, st, held.File.Name, data, true)
	if refused != nil {
		return *refused
	}
	m, err := decodeAndMatch(ctx, st, data)
	claim.Format, ev.Format = m.format.Name, m.format.Name
	if err == nil && m.reject != "" {
		err = fmt.Errorf("the held file no longer reads: %s", m.reject)
	}
	if err == nil && claim.ID != fileID {
		err = fmt.Errorf("the held file's content is that of file %d, not %d", claim.ID, fileID)
	}
	if err != nil {
		return release(ctx, st, claim, ev, err)
	}
	return complete(ctx, st, claim, ev, m, patientID, true)
}

// claimFile claims data's content, or returns the event of a refusal.
func claimFile(ctx context.Context, st CartImportStore, name string, data []byte, force bool) (sqlite.ImportedFile, *ImportEvent) {
	ev := ImportEvent{Path: name}
	key, err := st.FileKey(data)
	if err != nil {
		ev = failed(ev, err)
		return sqlite.ImportedFile{}, &ev
	}
	claim, err := st.ClaimImport(ctx, key, filepath.Base(name), force)
	switch {
	case errors.Is(err, sqlite.ErrAlreadyImported):
		ev.Outcome, ev.Format, ev.RecordingID, ev.PatientID = FileDuplicate, claim.Format, claim.RecordingID, claim.PatientID
	case errors.Is(err, sqlite.ErrImportInFlight):
		ev.Outcome, ev.Reason = FileDuplicate, "the same file is being imported"
	case errors.Is(err, sqlite.ErrRejectedBefore):
		ev.Outcome, ev.Format, ev.Reason = FileRejected, claim.Format, "rejected before: "+claim.Reason
	case err != nil:
		ev = failed(ev, err)
	default:
		return claim, nil
	}
	return claim, &ev
}

// complete stores m as a recording of patientID for claim, in one
// transaction with the claim's outcome.
func complete(ctx context.Context, st CartImportStore, claim sqlite.ImportedFile, ev ImportEvent, m cartMatch, patientID int64, chosen bool) ImportEvent {
	start := m.rec.Acquired
	if start.IsZero() {
		start = time.Now().UTC().Truncate(time.Second)
	}
	whole := WholeRecording(patientID, CartDevice(m.rec, claim.Name), start, ECGTracks(m.rec), CartNotes(m.rec, start))
	r, err := st.CompleteImport(ctx, claim, whole, chosen)
	if err != nil {
		return release(ctx, st, claim, ev, err)
	}
	ev.Outcome, ev.RecordingID, ev.PatientID = FileImported, r.ID, patientID
	return ev
}

// release gives a claim back after the store failed mid-import: nothing of
// the recording was stored (one transaction), and the claim becomes a
// retryable rejection so that the next attempt takes the file again. A
// held copy of the file stays held.
func release(ctx context.Context, st CartImportStore, claim sqlite.ImportedFile, ev ImportEvent, err error) ImportEvent {
	claim.Outcome, claim.Reason, claim.Retry = sqlite.ImportRejected, "the store failed: "+err.Error(), true
	_ = st.FinishImport(ctx, claim) // the import's error is the one to report; a claim left pending goes stale
	return failed(ev, err)
}

func failed(ev ImportEvent, err error) ImportEvent {
	ev.Outcome, ev.Reason = FileFailed, err.Error()
	return ev
}

// ImportCartFile reads a file from disk (at most carts.MaxFile bytes) and
// takes it in with ImportCartData.
func ImportCartFile(ctx context.Context, st CartImportStore, path string, force bool) ImportEvent {
	return TakeCartFile(ctx, st, path, force).ImportEvent
}

// TakeCartFile reads a file from disk (at most carts.MaxFile bytes) and
// takes it in with TakeCartData.
func TakeCartFile(ctx context.Context, st CartImportStore, path string, force bool) Intake {
	data, err := readBounded(path, carts.MaxFile)
	if err != nil {
		return Intake{ImportEvent: ImportEvent{Path: path, Outcome: FileRejected, Reason: err.Error()}}
	}
	in := TakeCartData(ctx, st, path, data, force)
	in.Path = path
	return in
}

// readBounded reads a whole file, refusing one larger than limit.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes, larger than any ECG cart file", filepath.Base(path), limit)
	}
	return data, nil
}
