package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// cartRecording is a 2-lead, 3 s recording of patient in one-second
// chunks with one note, as an imported cart file gives.
func cartRecording(patientID int64, start time.Time) NewRecording {
	r := NewRecording{PatientID: patientID, Device: devices.DeviceInfo{Protocol: "import:Test cart", Model: "Test"},
		Started: start, Stopped: start.Add(3 * time.Second),
		Notes: []storage.Annotation{{Time: start, Text: "Cart statement: sinus rhythm", Author: "cart Test"}}}
	for _, id := range []string{"I", "II"} {
		r.Signals = append(r.Signals, devices.Signal{ID: id, Label: id, Kind: devices.KindECG, Unit: "uV", SampleRate: 4, Scale: 1})
		for sec := range 3 {
			r.Chunks = append(r.Chunks, devices.Chunk{Signal: id, Seq: uint64(sec), HostTime: start.Add(time.Duration(sec) * time.Second),
				Samples: []int32{int32(sec), 10, -10, 0}})
		}
	}
	return r
}

// traces counts what an import leaves in each table it writes.
func traces(t *testing.T, s *Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"recordings", "signals", "chunks", "annotations", "unmatched_files"} {
		out[table] = count(t, s, "SELECT COUNT(*) FROM "+table)
	}
	acts := auditActions(t, s)
	out["import audit rows"] = len(acts["import"]) + len(acts["file imported"])
	return out
}

func auditActions(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	log, err := s.AuditLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range log {
		out[e.Action] = append(out[e.Action], e.User+": "+e.Detail)
	}
	return out
}

// A failure at any step of CompleteImport leaves no trace of the recording
// and the file claimed; finished as a retryable rejection, the same file is
// imported by the next attempt, once.
func TestCompleteImportAllOrNothing(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		step   string // where the injected failure strikes; "" for none
		break_ func(*NewRecording)
	}{
		{step: "recording"}, {step: "signals"}, {step: "chunks"}, {step: "notes"}, {step: "stop"},
		{step: "audit"}, {step: "file"}, {step: "unmatched"},
		{break_: func(r *NewRecording) { r.Chunks[4].Signal = "V9" }},                        // a chunk of no signal, after others were written
		{break_: func(r *NewRecording) { r.Chunks[len(r.Chunks)-1].HostTime = time.Time{} }}, // the last chunk torn
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", i, tc.step), func(t *testing.T) {
			s, _, _ := newStore(t)
			p := addPatient(t, s, "MRN-1", "Ada")
			before := traces(t, s)
			key, _ := s.FileKey([]byte("a cart file"))
			claim, err := s.ClaimImport(ctx, key, "ecg.xml", false)
			if err != nil {
				t.Fatal(err)
			}
			claim.Format = "Test cart"
			r := cartRecording(p.ID, start)
			hit := false
			if tc.step != "" {
				s.importFault = func(step string) error {
					if step == tc.step {
						hit = true
						return errors.New("disk full (injected)")
					}
					return nil
				}
			} else {
				tc.break_(&r)
				hit = true
			}
			if _, err := s.CompleteImport(ctx, claim, r, false); err == nil {
				t.Fatal("the import succeeded")
			}
			if !hit {
				t.Fatalf("no step %q was reached", tc.step)
			}
			if got := traces(t, s); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("after the failure %v, before %v", got, before)
			}
			f, err := s.ImportedFileByKey(ctx, key)
			if err != nil || f.Outcome != ImportPending || f.RecordingID != 0 {
				t.Fatalf("the claim after the failure: %+v, %v", f, err)
			}
			s.importFault = nil
			claim.Outcome, claim.Reason, claim.Retry = ImportRejected, "the store failed", true
			if err := s.FinishImport(ctx, claim); err != nil {
				t.Fatal(err)
			}
			again, err := s.ClaimImport(ctx, key, "ecg.xml", false)
			if err != nil {
				t.Fatalf("retry claim: %v", err)
			}
			rec, err := s.CompleteImport(ctx, again, cartRecording(p.ID, start), false)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			want := map[string]int{"recordings": 1, "signals": 2, "chunks": 6, "annotations": 1, "unmatched_files": 0, "import audit rows": 2}
			if got := traces(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after the retry %v, want %v", got, want)
			}
			got, err := s.Recording(ctx, rec.ID)
			if err != nil || !got.Stopped.Equal(start.Add(3*time.Second)) || got.PatientID != p.ID {
				t.Errorf("stored recording %+v, %v", got, err)
			}
			chunks, err := s.Chunks(ctx, rec.ID, "II")
			if err != nil || len(chunks) != 3 || chunks[2].Samples[0] != 2 {
				t.Errorf("chunks of II: %v, %v", chunks, err)
			}
			if _, err := s.ClaimImport(ctx, key, "ecg.xml", false); !errors.Is(err, ErrAlreadyImported) {
				t.Errorf("a third attempt: %v, want ErrAlreadyImported", err)
			}
		})
	}
}

// StoreRecording (an import without a claimed file) is one transaction
// too.
func TestStoreRecordingAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	p := addPatient(t, s, "MRN-1", "Ada")
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s.importFault = func(step string) error {
		if step == "notes" {
			return errors.New("injected")
		}
		return nil
	}
	if _, err := s.StoreRecording(ctx, cartRecording(p.ID, start)); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("StoreRecording: %v", err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM recordings`) + count(t, s, `SELECT COUNT(*) FROM chunks`); n != 0 {
		t.Fatalf("%d rows left", n)
	}
	s.importFault = nil
	rec, err := s.StoreRecording(ctx, cartRecording(p.ID, start))
	if err != nil {
		t.Fatal(err)
	}
	if sigs, err := s.Signals(ctx, rec.ID); err != nil || len(sigs) != 2 {
		t.Errorf("signals %v, %v", sigs, err)
	}
	for _, bad := range []NewRecording{{PatientID: p.ID}, {PatientID: p.ID, Started: start}, {PatientID: 999, Started: start, Signals: cartRecording(0, start).Signals}} {
		if _, err := s.StoreRecording(ctx, bad); err == nil {
			t.Errorf("%+v was stored", bad)
		}
	}
}

// A file for no known patient is held, listed and opened; imported for a
// chosen patient it is no longer held and the audit names who chose; a
// discarded one is refused from then on.
func TestUnmatchedFiles(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	p := addPatient(t, s, "MRN-1", "Ada")
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	hold := func(content, name string) ImportedFile {
		t.Helper()
		key, _ := s.FileKey([]byte(content))
		c, err := s.ClaimImport(ctx, key, name, false)
		if err != nil {
			t.Fatal(err)
		}
		c.Format, c.Reason = "Test cart", `no patient has the file's patient id "X-9"`
		if err := s.HoldUnmatched(ctx, c, FileSays{PatientID: "X-9", Name: "LOVELACE^ADA", Acquired: "2026-02-28 07:59"}, []byte(content)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := hold("first file: Lovelace", "a.xml")
	b := hold("second file", "b.xml")
	list, err := s.UnmatchedFiles(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v, %v", list, err)
	}
	if u := list[0]; u.File.ID != a.ID || u.File.Name != "a.xml" || u.File.Format != "Test cart" || u.Says.Name != "LOVELACE^ADA" ||
		u.Size != len("first file: Lovelace") || !u.File.Retry || !strings.Contains(u.File.Reason, "X-9") {
		t.Errorf("first held file %+v", u)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM unmatched_files WHERE instr(content, 'Lovelace') > 0 OR instr(says, 'LOVELACE') > 0`); n != 0 {
		t.Error("a held file is stored in the clear")
	}
	u, content, err := s.UnmatchedFileContent(ctx, a.ID)
	if err != nil || string(content) != "first file: Lovelace" || u.Says.PatientID != "X-9" {
		t.Fatalf("content: %q %+v %v", content, u, err)
	}
	// Holding the same file again (a watcher restarted) keeps one row.
	key, _ := s.FileKey(content)
	re, err := s.ClaimImport(ctx, key, "a.xml", false)
	if err != nil {
		t.Fatalf("a held file is retryable: %v", err)
	}
	re.Reason = "still no patient"
	if err := s.HoldUnmatched(ctx, re, u.Says, content); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM unmatched_files`); n != 2 {
		t.Errorf("%d held after holding again, want 2", n)
	}

	// Assigned: claimed (by the user, force) and completed in one go.
	c, err := s.ClaimImport(ctx, key, "a.xml", true)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.CompleteImport(ctx, c, cartRecording(p.ID, start), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UnmatchedFileContent(ctx, a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an imported file is still held: %v", err)
	}
	acts := auditActions(t, s)
	if got := strings.Join(acts["file imported"], "|"); !strings.Contains(got, fmt.Sprintf("as recording %d of patient %d, the patient chosen by ada", rec.ID, p.ID)) {
		t.Errorf("audit of the assignment: %q", got)
	}

	// Discarded.
	if err := s.DiscardUnmatched(ctx, b.ID, "a test strip"); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardUnmatched(ctx, b.ID, "again"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("discarding twice: %v", err)
	}
	if list, _ := s.UnmatchedFiles(ctx); len(list) != 0 {
		t.Errorf("still listed: %+v", list)
	}
	bk, _ := s.FileKey([]byte("second file"))
	if f, err := s.ClaimImport(ctx, bk, "b.xml", false); !errors.Is(err, ErrRejectedBefore) || f.Reason != "discarded by ada: a test strip" {
		t.Errorf("claiming a discarded file: %+v, %v", f, err)
	}
	if got := strings.Join(acts["file discarded"], "") + strings.Join(auditActions(t, s)["file discarded"], ""); !strings.Contains(got, "ada: file") {
		t.Errorf("audit of the discard: %q", got)
	}
	if _, err := s.Verify(ctx); err != nil {
		t.Errorf("verify: %v", err)
	}
	// A file never held cannot be assigned or discarded.
	if _, _, err := s.UnmatchedFileContent(ctx, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("file 999: %v", err)
	}
}
