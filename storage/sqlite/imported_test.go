package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
)

func TestFileKeyIsKeyedAndStable(t *testing.T) {
	a, _, _ := newStore(t)
	b, _, _ := newStore(t)
	content := []byte("an ECG file's bytes")
	k1, err := a.FileKey(content)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := a.FileKey(append([]byte(nil), content...))
	other, _ := a.FileKey([]byte("an ECG file's bytes."))
	elsewhere, _ := b.FileKey(content)
	plain := sha256.Sum256(content)
	switch {
	case !bytes.Equal(k1, k2):
		t.Error("equal contents gave different keys")
	case bytes.Equal(k1, other):
		t.Error("different contents gave the same key")
	case bytes.Equal(k1, elsewhere):
		t.Error("two stores (two data keys) gave the same key: the key is not keyed")
	case bytes.Equal(k1, plain[:]):
		t.Error("the key is the file's plain SHA-256")
	}
}

func TestClaimImportLifecycle(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s.now = clock.Now
	p := addPatient(t, s, "MRN-1", "Ada")
	rec, err := s.StartRecording(ctx, p.ID, devices.DeviceInfo{Protocol: "import:SCP-ECG"}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := s.FileKey([]byte("file one"))

	c, err := s.ClaimImport(ctx, key, "Ada Lovelace 12-lead.scp", false)
	if err != nil || c.ID == 0 || c.Outcome != ImportPending {
		t.Fatalf("first claim: %+v, %v", c, err)
	}
	if _, err := s.ClaimImport(ctx, key, "copy.scp", false); !errors.Is(err, ErrImportInFlight) {
		t.Fatalf("second claim while pending: %v, want ErrImportInFlight", err)
	}
	if err := s.FinishImport(ctx, ImportedFile{ID: c.ID, Outcome: ImportImported, Name: c.Name}); err == nil {
		t.Fatal("imported without a recording was accepted")
	}
	c.Outcome, c.RecordingID, c.PatientID, c.Format = ImportImported, rec.ID, p.ID, "SCP-ECG"
	if err := s.FinishImport(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishImport(ctx, c); err == nil {
		t.Fatal("finishing a finished import twice was accepted")
	}
	for _, force := range []bool{false, true} {
		prev, err := s.ClaimImport(ctx, key, "renamed.scp", force)
		if !errors.Is(err, ErrAlreadyImported) || prev.RecordingID != rec.ID || prev.Name != "Ada Lovelace 12-lead.scp" {
			t.Fatalf("claim of imported content (force %v): %+v, %v", force, prev, err)
		}
	}

	// Read back after reopening: sealed fields open, the name is not in the clear.
	s2 := reopen(t, dir)
	got, err := s2.ImportedFileByKey(ctx, key)
	if err != nil || got.Format != "SCP-ECG" || got.PatientID != p.ID || got.Outcome != ImportImported {
		t.Fatalf("by key after reopen: %+v, %v", got, err)
	}
	if n := count(t, s2, `SELECT COUNT(*) FROM imported_files WHERE instr(sealed, 'Lovelace') > 0`); n != 0 {
		t.Error("the file name is stored in the clear")
	}
	log, err := s2.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, e := range log {
		if e.Action == "file imported" && strings.Contains(e.Detail, "recording") {
			audited++
		}
	}
	if audited != 1 {
		t.Errorf("%d imports audited, want 1", audited)
	}
	if _, err := s2.ImportedFileByKey(ctx, []byte("no such key")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestClaimImportRejections(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s.now = clock.Now
	tests := []struct {
		name        string
		retry       bool
		force       bool
		wantRefused error
	}{
		{"torn file, watcher again", false, false, ErrRejectedBefore},
		{"torn file, user asks again", false, true, nil},
		{"no patient yet, watcher again", true, false, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, _ := s.FileKey([]byte{byte(i), 'x'})
			c, err := s.ClaimImport(ctx, key, "f", false)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.FinishImport(ctx, ImportedFile{ID: c.ID, Outcome: ImportRejected, Name: "f"}); err == nil {
				t.Fatal("a rejection without a reason was accepted")
			}
			c.Outcome, c.Reason, c.Retry = ImportRejected, "SCP-ECG: section 6: truncated", tc.retry
			if err := s.FinishImport(ctx, c); err != nil {
				t.Fatal(err)
			}
			again, err := s.ClaimImport(ctx, key, "f", tc.force)
			if !errors.Is(err, tc.wantRefused) || err == nil && again.Outcome != ImportPending {
				t.Fatalf("claim again: %+v, %v; want refusal %v", again, err, tc.wantRefused)
			}
			if err != nil && again.Reason != c.Reason {
				t.Errorf("refusal carries reason %q, want %q", again.Reason, c.Reason)
			}
		})
	}
}

func TestStaleClaimCanBeTakenOver(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s.now = clock.Now
	key, _ := s.FileKey([]byte("crash mid-import"))
	first, err := s.ClaimImport(ctx, key, "a", false)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(StaleClaim - time.Second)
	if _, err := s.ClaimImport(ctx, key, "a", false); !errors.Is(err, ErrImportInFlight) {
		t.Fatalf("before StaleClaim: %v", err)
	}
	clock.Advance(2 * time.Second)
	second, err := s.ClaimImport(ctx, key, "a", false)
	if err != nil || second.ID != first.ID {
		t.Fatalf("after StaleClaim: %+v, %v; want row %d reclaimed", second, err, first.ID)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM imported_files`); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	list, err := s.ImportedFiles(ctx)
	if err != nil || len(list) != 1 || list[0].Outcome != ImportPending {
		t.Fatalf("list: %+v, %v", list, err)
	}
}

func TestImportedFilesLocked(t *testing.T) {
	ctx := context.Background()
	_, dir, _ := newStore(t)
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.FileKey([]byte("x")); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("FileKey locked: %v", err)
	}
	if _, err := s.ClaimImport(ctx, []byte("k"), "x", false); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("ClaimImport locked: %v", err)
	}
	if _, err := s.ImportedFiles(ctx); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("ImportedFiles locked: %v", err)
	}
}
