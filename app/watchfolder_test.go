package app

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"telewave/storage"
	"telewave/storage/sqlite"
)

// sierraFile is a real Philips demo ECG kept in the repository (MIT, see
// testdata/README.md); its patient id is "9999".
func sierraFile(tb testing.TB) []byte {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "formats", "sierra", "testdata", "1_04_3191723_ZZDEMOPTONLY_1-04_orig.xml"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

const sierraMRN = "9999"

// watchStore is a sealed store with the Sierra file's patient registered
// when withPatient is set.
func watchStore(tb testing.TB, withPatient bool) (*sqlite.Store, storage.Patient) {
	tb.Helper()
	s, _ := openStore(tb)
	if !withPatient {
		return s, storage.Patient{}
	}
	p, err := s.AddPatient(context.Background(), storage.Patient{MRN: sierraMRN, Name: "Demo Patient"})
	if err != nil {
		tb.Fatal(err)
	}
	return s, p
}

type eventLog struct{ events []ImportEvent }

func (l *eventLog) add(ev ImportEvent) { l.events = append(l.events, ev) }

// take returns the events since the last call.
func (l *eventLog) take() []ImportEvent {
	out := l.events
	l.events = nil
	return out
}

func write(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func appendTo(tb testing.TB, path string, b []byte) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		tb.Fatal(err)
	}
}

func recordings(tb testing.TB, s *sqlite.Store, patientID int64) int {
	tb.Helper()
	rs, err := s.Recordings(context.Background(), patientID)
	if err != nil {
		tb.Fatal(err)
	}
	return len(rs)
}

// A file written in two goes is taken in once finished; a copy under
// another name is a duplicate; garbage is rejected once and never again.
func TestWatchFolderImportsOnceStable(t *testing.T) {
	ctx := context.Background()
	s, p := watchStore(t, true)
	dir := t.TempDir()
	var log eventLog
	w := &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	ecg := sierraFile(t)
	path := filepath.Join(dir, "ECG_0001.xml")

	write(t, path, ecg[:len(ecg)/2])
	w.Poll(ctx)
	appendTo(t, path, ecg[len(ecg)/2:])
	w.Poll(ctx)
	if ev := log.take(); len(ev) != 0 {
		t.Fatalf("events while the file was being written: %v", ev)
	}
	w.Poll(ctx)
	ev := log.take()
	if len(ev) != 1 || ev[0].Outcome != FileImported || ev[0].RecordingID == 0 || ev[0].PatientID != p.ID || ev[0].Format != "Philips Sierra XML" {
		t.Fatalf("after the file settled: %v", ev)
	}
	first := ev[0].RecordingID
	_, tracks, err := ReadTracks(ctx, s, first)
	if err != nil || len(tracks) != 12 {
		t.Fatalf("imported record: %d tracks, %v", len(tracks), err)
	}

	write(t, filepath.Join(dir, "copy of ECG_0001.xml"), ecg)
	write(t, filepath.Join(dir, "notes.txt"), []byte("not an ECG, just a note left on the stick\n"))
	for range 2 {
		w.Poll(ctx)
	}
	got := map[string]ImportEvent{}
	for _, e := range log.take() {
		got[filepath.Base(e.Path)] = e
	}
	if e := got["copy of ECG_0001.xml"]; e.Outcome != FileDuplicate || e.RecordingID != first {
		t.Errorf("the copy: %v", e)
	}
	if e := got["notes.txt"]; e.Outcome != FileRejected || !strings.Contains(e.Reason, "not a known ECG cart file") {
		t.Errorf("the note: %v", e)
	}
	if len(got) != 2 {
		t.Errorf("events %v, want the copy and the note", got)
	}
	for range 5 {
		w.Poll(ctx)
	}
	if ev := log.take(); len(ev) != 0 {
		t.Errorf("files decided were looked at again: %v", ev)
	}
	if n := recordings(t, s, p.ID); n != 1 {
		t.Errorf("%d recordings, want 1", n)
	}
	// A new watcher (a restart) sees the same folder: nothing is imported
	// again and the rejected note is not retried.
	w2 := &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	w2.Poll(ctx)
	w2.Poll(ctx)
	for _, e := range log.take() {
		if e.Outcome == FileImported {
			t.Errorf("after a restart: %v", e)
		}
	}
	if n := recordings(t, s, p.ID); n != 1 {
		t.Errorf("after a restart %d recordings, want 1", n)
	}
}

// A torn file left as it is gets rejected once with the decoder's reason,
// and is taken in when it changes (the rest is written).
func TestWatchFolderTornFileRejectedUntilChanged(t *testing.T) {
	ctx := context.Background()
	s, p := watchStore(t, true)
	dir := t.TempDir()
	var log eventLog
	w := &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	ecg := sierraFile(t)
	path := filepath.Join(dir, "torn.xml")
	write(t, path, ecg[:len(ecg)/3])
	for range 6 {
		w.Poll(ctx)
	}
	ev := log.take()
	if len(ev) != 1 || ev[0].Outcome != FileRejected || !strings.Contains(ev[0].Reason, "Philips Sierra XML") {
		t.Fatalf("a torn file: %v", ev)
	}
	appendTo(t, path, ecg[len(ecg)/3:])
	w.Poll(ctx)
	w.Poll(ctx)
	ev = log.take()
	if len(ev) != 1 || ev[0].Outcome != FileImported {
		t.Fatalf("the file finished: %v", ev)
	}
	if n := recordings(t, s, p.ID); n != 1 {
		t.Errorf("%d recordings, want 1", n)
	}
}

// A file for a patient not yet registered is held, not retried within a
// run, listed for a clinician; assigning it imports it once, and neither
// the watcher nor another assignment imports it again.
func TestWatchFolderHoldsAFileForNoPatient(t *testing.T) {
	ctx := context.Background()
	s, _ := watchStore(t, false)
	other, err := s.AddPatient(ctx, storage.Patient{MRN: "M-77", Name: "Chosen Patient"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var log eventLog
	write(t, filepath.Join(dir, "ecg.xml"), sierraFile(t))
	w := &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	for range 5 {
		w.Poll(ctx)
	}
	ev := log.take()
	if len(ev) != 1 || ev[0].Outcome != FileNeedsPatient || !strings.Contains(ev[0].Reason, `"9999"`) ||
		!strings.Contains(ev[0].String(), "held ecg.xml (Philips Sierra XML)") {
		t.Fatalf("unknown patient: %v", ev)
	}
	held, err := s.UnmatchedFiles(ctx)
	if err != nil || len(held) != 1 {
		t.Fatalf("held files %v, %v", held, err)
	}
	if says := held[0].Says; says.PatientID != sierraMRN || says.Acquired == "" || held[0].File.Name != "ecg.xml" {
		t.Errorf("what the held file says: %+v", held[0])
	}
	// A restart matches again, still finds no patient, holds it once.
	w = &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	w.Poll(ctx)
	w.Poll(ctx)
	if ev := log.take(); len(ev) != 1 || ev[0].Outcome != FileNeedsPatient {
		t.Fatalf("after a restart: %v", ev)
	}
	if held, _ := s.UnmatchedFiles(ctx); len(held) != 1 {
		t.Fatalf("%d held after a restart, want 1", len(held))
	}

	got := AssignCartFile(ctx, s, held[0].File.ID, other.ID)
	if got.Outcome != FileImported || got.PatientID != other.ID || got.RecordingID == 0 {
		t.Fatalf("assigned: %v", got)
	}
	if again := AssignCartFile(ctx, s, held[0].File.ID, other.ID); again.Outcome == FileImported {
		t.Fatalf("assigned twice: %v", again)
	}
	if n := recordings(t, s, other.ID); n != 1 {
		t.Errorf("%d recordings of the chosen patient, want 1", n)
	}
	if held, _ := s.UnmatchedFiles(ctx); len(held) != 0 {
		t.Errorf("still held after the assignment: %+v", held)
	}
	w = &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	w.Poll(ctx)
	w.Poll(ctx)
	if ev := log.take(); len(ev) != 1 || ev[0].Outcome != FileDuplicate || ev[0].RecordingID != got.RecordingID {
		t.Fatalf("the assigned file seen again: %v", ev)
	}
	log2, err := s.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var chosen bool
	for _, e := range log2 {
		chosen = chosen || (e.Action == "file imported" && strings.Contains(e.Detail, "the patient chosen by admin"))
	}
	if !chosen {
		t.Error("the audit log does not say who chose the patient")
	}
}

// A held file is imported by the file's own id once that patient is
// registered and the watcher restarts, and is held no more.
func TestWatchFolderHeldFileMatchedAfterRegistration(t *testing.T) {
	ctx := context.Background()
	s, _ := watchStore(t, false)
	dir := t.TempDir()
	var log eventLog
	write(t, filepath.Join(dir, "ecg.xml"), sierraFile(t))
	w := &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	w.Poll(ctx)
	w.Poll(ctx)
	log.take()
	p, err := s.AddPatient(ctx, storage.Patient{MRN: sierraMRN, Name: "Demo Patient"})
	if err != nil {
		t.Fatal(err)
	}
	w.Poll(ctx)
	if ev := log.take(); len(ev) != 0 {
		t.Fatalf("retried within one run: %v", ev)
	}
	w = &WatchFolder{Dir: dir, Store: s, OnEvent: log.add}
	w.Poll(ctx)
	w.Poll(ctx)
	ev := log.take()
	if len(ev) != 1 || ev[0].Outcome != FileImported || ev[0].PatientID != p.ID {
		t.Fatalf("after the patient was registered and a restart: %v", ev)
	}
	if held, _ := s.UnmatchedFiles(ctx); len(held) != 0 {
		t.Errorf("still held: %+v", held)
	}
}

// With Move, decided files go to done/ and rejected/, never over a file.
func TestWatchFolderMove(t *testing.T) {
	ctx := context.Background()
	s, _ := watchStore(t, true)
	dir := t.TempDir()
	var log eventLog
	w := &WatchFolder{Dir: dir, Store: s, Move: true, OnEvent: log.add}
	ecg := sierraFile(t)
	write(t, filepath.Join(dir, "a.xml"), ecg)
	write(t, filepath.Join(dir, "junk.bin"), []byte{0, 1, 2, 3})
	write(t, filepath.Join(dir, "nobody.xml"), noPatientFile(t))
	w.Poll(ctx)
	w.Poll(ctx)
	write(t, filepath.Join(dir, "a.xml"), ecg) // copied back in: a duplicate
	w.Poll(ctx)
	w.Poll(ctx)
	for _, want := range []string{"done/a.xml", "done/a (2).xml", "rejected/junk.bin", "unmatched/nobody.xml"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	if len(left) != 0 {
		t.Errorf("left in the folder: %v", left)
	}
	outcomes := map[string]int{}
	for _, e := range log.take() {
		outcomes[e.Outcome]++
	}
	if outcomes[FileImported] != 1 || outcomes[FileDuplicate] != 1 || outcomes[FileRejected] != 1 || outcomes[FileNeedsPatient] != 1 {
		t.Errorf("outcomes %v", outcomes)
	}
}

// Hidden and temporary files are left alone; a missing folder is reported
// once, not at every poll.
func TestWatchFolderSkipsAndReportsFolder(t *testing.T) {
	ctx := context.Background()
	s, _ := watchStore(t, true)
	dir := t.TempDir()
	var log eventLog
	w := &WatchFolder{Dir: filepath.Join(dir, "stick"), Store: s, OnEvent: log.add}
	w.Poll(ctx)
	w.Poll(ctx)
	if ev := log.take(); len(ev) != 1 || ev[0].Outcome != FileFailed || !strings.Contains(ev[0].Reason, "folder unreadable") {
		t.Fatalf("missing folder: %v", ev)
	}
	os.Mkdir(w.Dir, 0o700)
	for _, n := range []string{".hidden.xml", "~lock.xml", "copying.part", "x.tmp"} {
		write(t, filepath.Join(w.Dir, n), sierraFile(t))
	}
	w.Poll(ctx)
	w.Poll(ctx)
	if ev := log.take(); len(ev) != 0 {
		t.Fatalf("skipped names taken in: %v", ev)
	}
}

// While the store is locked a settled file fails, said once however often
// it is retried, and is imported once the store is unlocked.
func TestWatchFolderLockedStore(t *testing.T) {
	ctx := context.Background()
	s, p := watchStore(t, true)
	dir := t.TempDir()
	var log eventLog
	w := &WatchFolder{Dir: dir, Store: s, OnEvent: log.add, retryAfter: time.Nanosecond}
	write(t, filepath.Join(dir, "ecg.xml"), sierraFile(t))
	if err := s.Lock(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		w.Poll(ctx)
	}
	ev := log.take()
	if len(ev) != 1 || ev[0].Outcome != FileFailed || !strings.Contains(ev[0].Reason, "locked") {
		t.Fatalf("locked store: %v", ev)
	}
	if _, err := s.Unlock(ctx, "admin", []byte("correct horse battery")); err != nil {
		t.Fatal(err)
	}
	w.Poll(ctx)
	ev = log.take()
	if len(ev) != 1 || ev[0].Outcome != FileImported || ev[0].PatientID != p.ID {
		t.Fatalf("after unlocking: %v", ev)
	}
}

// Serve polls on its own until its context ends, then returns.
func TestWatchFolderServe(t *testing.T) {
	s, _ := watchStore(t, true)
	dir := t.TempDir()
	events := make(chan ImportEvent, 8)
	w := &WatchFolder{Dir: dir, Store: s, Interval: 20 * time.Millisecond, OnEvent: func(e ImportEvent) { events <- e }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	write(t, filepath.Join(dir, "ecg.xml"), sierraFile(t))
	select {
	case e := <-events:
		if e.Outcome != FileImported {
			t.Fatalf("event %v", e)
		}
		if !strings.Contains(e.String(), "imported ecg.xml (Philips Sierra XML) as record") {
			t.Errorf("event line %q", e.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no event from Serve")
	}
}

func TestImportEventString(t *testing.T) {
	tests := []struct {
		ev   ImportEvent
		want string
	}{
		{ImportEvent{Path: "/x/a.xml", Outcome: FileImported, Format: "HL7 aECG", RecordingID: 7}, "imported a.xml (HL7 aECG) as record 7"},
		{ImportEvent{Path: "b.scp", Outcome: FileDuplicate, RecordingID: 3}, "skipped b.scp: the same file was already imported as record 3"},
		{ImportEvent{Path: "c", Outcome: FileRejected, Reason: "torn"}, "rejected c: torn"},
		{ImportEvent{Path: "d", Outcome: FileFailed, Reason: "locked"}, "could not import d: locked"},
	}
	for _, tc := range tests {
		if got := tc.ev.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.ev, got, tc.want)
		}
	}
}

// ImportCartData decides each kind of input, over a real store.
func TestImportCartDataOutcomes(t *testing.T) {
	s, p := watchStore(t, true)
	ecg := sierraFile(t)
	tests := []struct {
		name    string
		data    []byte
		outcome string
		reason  string
	}{
		{"real file", ecg, FileImported, ""},
		{"same again", ecg, FileDuplicate, ""},
		{"first 4 KiB", ecg[:4096], FileRejected, "Philips Sierra XML"},
		{"empty", nil, FileRejected, "not a known ECG cart file"},
		{"text", []byte("hello"), FileRejected, "not a known ECG cart file"},
		{"text again", []byte("hello"), FileRejected, "rejected before"},
	}
	for _, tc := range tests {
		ev := ImportCartData(context.Background(), s, tc.name, tc.data, false)
		if ev.Outcome != tc.outcome || !strings.Contains(ev.Reason, tc.reason) {
			t.Errorf("%s: %v", tc.name, ev)
		}
		if tc.outcome == FileImported && ev.PatientID != p.ID {
			t.Errorf("%s: patient %d, want %d", tc.name, ev.PatientID, p.ID)
		}
	}
	// A user asking again (force) retries a rejected content.
	if ev := ImportCartData(context.Background(), s, "text", []byte("hello"), true); ev.Outcome != FileRejected || strings.Contains(ev.Reason, "before") {
		t.Errorf("forced: %v", ev)
	}
}

type patientMap map[string]storage.Patient

func (m patientMap) PatientByMRN(_ context.Context, mrn string) (storage.Patient, error) {
	if p, ok := m[mrn]; ok {
		return p, nil
	}
	return storage.Patient{}, storage.ErrNotFound
}

// Whatever the bytes, decodeAndMatch either rejects the file, or reads it
// and matches the patient or says why none matched: exactly one, never a
// panic. (The store side is covered by the tests above; fuzzing through
// SQLite under coverage is too slow to find anything in the 10 s a fuzz run
// gets.)
func FuzzDecodeAndMatch(f *testing.F) {
	ecg := sierraFile(f)
	f.Add(ecg)
	f.Add(ecg[:4096])
	f.Add([]byte("<?xml version=\"1.0\"?><restingecgdata>"))
	f.Add([]byte{})
	patients := patientMap{sierraMRN: {ID: 1, MRN: sierraMRN}}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeAndMatch(context.Background(), patients, data)
		if err != nil {
			t.Fatalf("the map store failed: %v", err)
		}
		set := 0
		for _, ok := range []bool{m.reject != "", m.unmatched != "", m.patient.ID != 0} {
			if ok {
				set++
			}
		}
		if set != 1 || (m.reject == "") != (m.rec != nil) {
			t.Fatalf("record %v, reject %q, unmatched %q, patient %d", m.rec != nil, m.reject, m.unmatched, m.patient.ID)
		}
		if m.patient.ID != 0 && m.patient.ID != 1 {
			t.Fatalf("matched patient %+v", m.patient)
		}
	})
}
