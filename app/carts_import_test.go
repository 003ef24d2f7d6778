package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"telewave/devices"
	"telewave/formats/carts"
	"telewave/formats/ecg12"
	"telewave/storage"
	"telewave/storage/sqlite"
)

func utf16LE(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// noPatientFile is the Sierra demo file with its patient id changed to
// 8888, a patient no test registers: another content, the same ECG.
func noPatientFile(tb testing.TB) []byte {
	tb.Helper()
	b := bytes.Replace(sierraFile(tb), utf16LE("<patientid>9999</patientid>"), utf16LE("<patientid>8888</patientid>"), 1)
	if bytes.Equal(b, sierraFile(tb)) {
		tb.Fatal("the demo file's patient id was not found")
	}
	return b
}

// tornImportStore fails the import of a whole recording at its chunk number
// failChunk (0-based; -1: never) by handing the store a torn chunk there,
// so the store itself fails part way through its writes.
type tornImportStore struct {
	*sqlite.Store
	failChunk int
	calls     int
}

func (f *tornImportStore) CompleteImport(ctx context.Context, c sqlite.ImportedFile, r sqlite.NewRecording, chosen bool) (storage.Recording, error) {
	f.calls++
	if f.failChunk >= 0 && f.failChunk < len(r.Chunks) {
		r.Chunks = append([]devices.Chunk(nil), r.Chunks...)
		r.Chunks[f.failChunk].HostTime = time.Time{} // the store refuses it, after the chunks before it
	}
	return f.Store.CompleteImport(ctx, c, r, chosen)
}

// A store failure in the middle of an import leaves no trace of the
// recording and the file retryable; the next attempt (the watcher's, not
// forced) imports it once.
func TestImportCartNoPartialRecording(t *testing.T) {
	ctx := context.Background()
	ecg := sierraFile(t)
	want, _, err := carts.Decode(ecg)
	if err != nil {
		t.Fatal(err)
	}
	n := len(want.Leads[1].Samples)
	chunks := len(want.Leads) * ((n + 499) / 500) // one-second chunks at 500 Hz
	for _, failAt := range []int{0, 1, chunks / 2, chunks - 1} {
		t.Run(fmt.Sprint("chunk ", failAt), func(t *testing.T) {
			s, p := watchStore(t, true)
			fs := &tornImportStore{Store: s, failChunk: failAt}
			ev := ImportCartData(ctx, fs, "ecg.xml", ecg, false)
			if ev.Outcome != FileFailed || fs.calls != 1 {
				t.Fatalf("failing import: %v after %d calls", ev, fs.calls)
			}
			if n := recordings(t, s, p.ID); n != 0 {
				t.Fatalf("%d recordings left by the failed import", n)
			}
			key, _ := s.FileKey(ecg)
			f, err := s.ImportedFileByKey(ctx, key)
			if err != nil || f.Outcome != sqlite.ImportRejected || !f.Retry || f.RecordingID != 0 {
				t.Fatalf("the file after the failure: %+v, %v", f, err)
			}
			for _, e := range auditOf(t, s) {
				if e.Action == "import" || e.Action == "file imported" {
					t.Errorf("audit row of an import that failed: %+v", e)
				}
			}
			fs.failChunk = -1
			ev = ImportCartData(ctx, fs, "ecg.xml", ecg, false)
			if ev.Outcome != FileImported || ev.PatientID != p.ID {
				t.Fatalf("retry: %v", ev)
			}
			if dup := ImportCartData(ctx, fs, "copy.xml", ecg, false); dup.Outcome != FileDuplicate || dup.RecordingID != ev.RecordingID {
				t.Fatalf("a third time: %v", dup)
			}
			if n := recordings(t, s, p.ID); n != 1 {
				t.Fatalf("%d recordings after the retry, want 1", n)
			}
			_, tracks, err := ReadTracks(ctx, s, ev.RecordingID)
			if err != nil || len(tracks) != 12 || !slices.Equal(tracks[1].Samples, want.Leads[1].Samples) {
				t.Fatalf("the stored record: %d tracks, %v", len(tracks), err)
			}
		})
	}
}

func auditOf(t *testing.T, s *sqlite.Store) []sqlite.AuditEntry {
	t.Helper()
	log, err := s.AuditLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// A dropped file for no known patient comes back held, with what it says;
// assignment checks the patient, and a failed assignment keeps it held.
func TestTakeCartDataHoldsThenAssigns(t *testing.T) {
	ctx := context.Background()
	s, p := watchStore(t, true)
	in := TakeCartData(ctx, s, "/stick/nobody.xml", noPatientFile(t), true)
	if in.Outcome != FileNeedsPatient || in.Held == nil || in.Held.File.ID == 0 || in.Held.Says.PatientID != "8888" {
		t.Fatalf("intake %+v", in)
	}
	// Taken in again (dropped twice): held again, one row.
	if again := TakeCartData(ctx, s, "/stick/nobody again.xml", noPatientFile(t), true); again.Outcome != FileNeedsPatient || again.Held.File.ID != in.Held.File.ID {
		t.Fatalf("again: %+v", again)
	}
	if ev := AssignCartFile(ctx, s, in.Held.File.ID, 4242); ev.Outcome != FileFailed || !strings.Contains(ev.Reason, "patient 4242") {
		t.Fatalf("assigned to no patient: %v", ev)
	}
	if held, _ := s.UnmatchedFiles(ctx); len(held) != 1 {
		t.Fatalf("after a failed assignment %d held, want 1", len(held))
	}
	fs := &tornImportStore{Store: s, failChunk: 30}
	if ev := AssignCartFile(ctx, fs, in.Held.File.ID, p.ID); ev.Outcome != FileFailed {
		t.Fatalf("assignment with a failing store: %v", ev)
	}
	if held, _ := s.UnmatchedFiles(ctx); len(held) != 1 || recordings(t, s, p.ID) != 0 {
		t.Fatalf("after a store failure: %d held, %d recordings", len(held), recordings(t, s, p.ID))
	}
	fs.failChunk = -1
	ev := AssignCartFile(ctx, fs, in.Held.File.ID, p.ID)
	if ev.Outcome != FileImported || ev.PatientID != p.ID || ev.Path != "nobody again.xml" || ev.Format != "Philips Sierra XML" {
		t.Fatalf("assigned: %v", ev)
	}
	if n := recordings(t, s, p.ID); n != 1 {
		t.Errorf("%d recordings, want 1", n)
	}
	if ev := AssignCartFile(ctx, s, in.Held.File.ID, p.ID); ev.Outcome != FileDuplicate || !strings.Contains(ev.Reason, "no longer waits") {
		t.Errorf("assigned again: %v", ev)
	}
}

// A discarded held file is refused from then on, unless a user drops it
// again (force), which holds it again.
func TestDiscardedHeldFile(t *testing.T) {
	ctx := context.Background()
	s, _ := watchStore(t, true)
	in := TakeCartData(ctx, s, "nobody.xml", noPatientFile(t), false)
	if in.Held == nil {
		t.Fatalf("not held: %+v", in)
	}
	if err := s.DiscardUnmatched(ctx, in.Held.File.ID, "a test recording"); err != nil {
		t.Fatal(err)
	}
	if ev := ImportCartData(ctx, s, "nobody.xml", noPatientFile(t), false); ev.Outcome != FileRejected || !strings.Contains(ev.Reason, "discarded by admin: a test recording") {
		t.Errorf("the watcher sees it again: %v", ev)
	}
	if ev := ImportCartData(ctx, s, "nobody.xml", noPatientFile(t), true); ev.Outcome != FileNeedsPatient {
		t.Errorf("dropped again: %v", ev)
	}
}

func TestCartSays(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("cart", 2*3600))
	tests := []struct {
		name string
		rec  ecg12.Record
		want sqlite.FileSays
	}{
		{"full", ecg12.Record{Patient: ecg12.Patient{ID: " 123 ", FamilyName: "Lovelace", GivenName: "Ada", Sex: "F",
			BirthDate: time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)}, Acquired: at,
			Device: ecg12.Device{Manufacturer: "Philips", Model: "PageWriter", Serial: "S1"}},
			sqlite.FileSays{PatientID: "123", Name: "Lovelace, Ada", Sex: "F", Birth: "1815-12-10", Acquired: "2024-05-06 07:08:09",
				Device: "Philips PageWriter serial S1"}},
		{"family only", ecg12.Record{Patient: ecg12.Patient{FamilyName: "Babbage"}}, sqlite.FileSays{Name: "Babbage"}},
		{"given only", ecg12.Record{Patient: ecg12.Patient{GivenName: "Charles"}}, sqlite.FileSays{Name: "Charles"}},
		{"nothing", ecg12.Record{}, sqlite.FileSays{}},
	}
	for _, tc := range tests {
		if got := CartSays(&tc.rec); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestWholeRecording(t *testing.T) {
	start := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tracks := []Track{
		{Signal: devices.Signal{ID: "II", SampleRate: 4}, Samples: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{Signal: devices.Signal{ID: "V1", SampleRate: 2}, Samples: []int32{1, 2}},
		{Signal: devices.Signal{ID: "bad", SampleRate: 0}, Samples: []int32{1}},
	}
	r := WholeRecording(7, devices.DeviceInfo{Protocol: "import:x"}, start, tracks, []storage.Annotation{{Text: "n"}})
	if r.PatientID != 7 || len(r.Signals) != 3 || len(r.Notes) != 1 || !r.Stopped.Equal(start.Add(2500*time.Millisecond)) {
		t.Fatalf("%+v", r)
	}
	var got []string
	for _, c := range r.Chunks {
		got = append(got, fmt.Sprintf("%s#%d@%v:%d", c.Signal, c.Seq, c.HostTime.Sub(start), len(c.Samples)))
	}
	want := "II#0@0s:4 II#1@1s:4 II#2@2s:2 V1#0@0s:2"
	if strings.Join(got, " ") != want {
		t.Errorf("chunks %v, want %s", got, want)
	}
}

// The store failing to look the patient up decides nothing: the claim is
// given back.
func TestImportCartMatchFailure(t *testing.T) {
	ctx := context.Background()
	s, _ := watchStore(t, true)
	st := lookupFails{s}
	if ev := ImportCartData(ctx, st, "ecg.xml", sierraFile(t), false); ev.Outcome != FileFailed || !strings.Contains(ev.Reason, "register unreadable") {
		t.Fatalf("%v", ev)
	}
	if ev := ImportCartData(ctx, s, "ecg.xml", sierraFile(t), false); ev.Outcome != FileImported {
		t.Fatalf("retry: %v", ev)
	}
}

type lookupFails struct{ *sqlite.Store }

func (lookupFails) PatientByMRN(context.Context, string) (storage.Patient, error) {
	return storage.Patient{}, errors.New("register unreadable")
}
