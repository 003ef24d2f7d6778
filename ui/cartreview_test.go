package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"fyne.io/fyne/v2"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/devices"
	"telewave/formats/carts"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// sierraDemo is the repository's Philips demo ECG (patient id 9999).
func sierraDemo(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "formats", "sierra", "testdata", "1_04_3191723_ZZDEMOPTONLY_1-04_orig.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16LE(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// withPatientID is the demo file (UTF-16) with its patient id changed.
func withPatientID(t *testing.T, b []byte, id string) []byte {
	t.Helper()
	out := bytes.Replace(b, utf16LE("<patientid>9999</patientid>"), utf16LE("<patientid>"+id+"</patientid>"), 1)
	if bytes.Equal(out, b) {
		t.Fatal("the demo file's patient id was not found")
	}
	return out
}

// textOf is the text of every label under o, one a line.
func textOf(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			b.WriteString(v.Text + "\n")
			return
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// find returns the first object under o that match accepts.
func find[T fyne.CanvasObject](o fyne.CanvasObject) (T, bool) {
	if v, ok := o.(T); ok {
		return v, true
	}
	var kids []fyne.CanvasObject
	if c, ok := o.(*fyne.Container); ok {
		kids = c.Objects
	} else if wd, ok := o.(fyne.Widget); ok {
		kids = test.WidgetRenderer(wd).Objects()
	}
	for _, k := range kids {
		if v, ok := find[T](k); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func recordingCount(t *testing.T, st *sqlite.Store, patientID int64) int {
	t.Helper()
	rs, err := st.Recordings(context.Background(), patientID)
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// A dropped file whose patient id matches no patient is not imported nor
// rejected: the clinician is asked whose it is (what the file says, the
// register to search), and the chosen patient gets the recording, once.
func TestDropAsksWhoseFileItIs(t *testing.T) {
	ctx := context.Background()
	w, st, demo, ecg := dropFixture(t)
	chosen, err := st.AddPatient(ctx, storage.Patient{MRN: "M-2", Name: "Grace Hopper", Birth: "1906-12-09"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nobody.xml")
	if err := os.WriteFile(path, withPatientID(t, ecg, "8888"), 0o600); err != nil {
		t.Fatal(err)
	}
	var done [][]app.ImportEvent
	d := &DropImporter{Win: w, Ctx: ctx, Store: func() app.CartImportStore { return st },
		Done: func(ev []app.ImportEvent) { done = append(done, ev) }}
	d.OnDropped(fyne.NewPos(5, 5), []fyne.URI{fstorage.NewFileURI(path)})
	d.Wait()

	a := d.asking
	if a == nil {
		t.Fatal("no one was asked")
	}
	text := overlayText(w)
	for _, want := range []string{"Patient id: 8888", "Name: ZZDEMOPTONLY, ADULT", "Born: 1950-01-01", "Recorded: 2010-01-19 15:19:22",
		"nobody.xml (Philips Sierra XML)", `"8888"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the dialog %q lacks %q", text, want)
		}
	}
	if len(done) != 1 || len(done[0]) != 1 || done[0][0].Outcome != app.FileNeedsPatient {
		t.Fatalf("the drop's outcome: %v", done)
	}
	if n := recordingCount(t, st, demo.ID) + recordingCount(t, st, chosen.ID); n != 0 {
		t.Fatalf("%d recordings before anyone chose", n)
	}
	if len(a.all) != 2 || !a.assign.Disabled() {
		t.Fatalf("register %d patients, import enabled %v", len(a.all), !a.assign.Disabled())
	}
	a.search.SetText("hopper")
	if len(a.shown) != 1 || a.shown[0].ID != chosen.ID {
		t.Fatalf("search: %v", patientNames(a.shown))
	}
	a.list.Select(0)
	if a.chosen.ID != chosen.ID || a.assign.Disabled() || !strings.Contains(a.warn.Text, `"8888" is not this patient's MRN "M-2"`) {
		t.Fatalf("chosen %+v, warning %q", a.chosen, a.warn.Text)
	}
	test.Tap(a.assign)
	d.Wait()

	if got := recordingCount(t, st, chosen.ID); got != 1 {
		t.Errorf("the chosen patient has %d recordings, want 1", got)
	}
	if got := recordingCount(t, st, demo.ID); got != 0 {
		t.Errorf("the other patient has %d recordings", got)
	}
	if len(done) != 2 || done[1][0].Outcome != app.FileImported || done[1][0].PatientID != chosen.ID {
		t.Fatalf("after the assignment: %v", done)
	}
	if text := overlayText(w); !strings.Contains(text, "imported nobody.xml (Philips Sierra XML) as record") {
		t.Errorf("the outcome dialog: %q", text)
	}
	if held, _ := st.UnmatchedFiles(ctx); len(held) != 0 {
		t.Errorf("still waiting: %+v", held)
	}
	log, err := st.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var chosenBy bool
	for _, e := range log {
		chosenBy = chosenBy || (e.Action == "file imported" && strings.Contains(e.Detail, "the patient chosen by "+testAdmin))
	}
	if !chosenBy {
		t.Error("the audit log does not say who chose the patient")
	}
	// Dropped again: the same content is never imported twice.
	d.OnDropped(fyne.NewPos(5, 5), []fyne.URI{fstorage.NewFileURI(path)})
	d.Wait()
	if last := done[len(done)-1]; len(last) != 1 || last[0].Outcome != app.FileDuplicate {
		t.Errorf("dropped again: %v", last)
	}
}

// "Not now" leaves the file waiting; the next held file of the drop is
// asked about after it.
func TestDropNotNowLeavesItWaiting(t *testing.T) {
	ctx := context.Background()
	w, st, _, ecg := dropFixture(t)
	dir := t.TempDir()
	var uris []fyne.URI
	for _, id := range []string{"8881", "8882"} {
		path := filepath.Join(dir, id+".xml")
		if err := os.WriteFile(path, withPatientID(t, ecg, id), 0o600); err != nil {
			t.Fatal(err)
		}
		uris = append(uris, fstorage.NewFileURI(path))
	}
	d := &DropImporter{Win: w, Ctx: ctx, Store: func() app.CartImportStore { return st }}
	d.OnDropped(fyne.Position{}, uris)
	d.Wait()
	first := d.asking
	if first == nil || first.held.Says.PatientID != "8881" {
		t.Fatalf("first asked about %+v", first)
	}
	test.Tap(first.later)
	d.Wait()
	if d.asking == first || d.asking.held.Says.PatientID != "8882" {
		t.Fatalf("then asked about %+v", d.asking.held.Says)
	}
	test.Tap(d.asking.later)
	if held, _ := st.UnmatchedFiles(ctx); len(held) != 2 {
		t.Errorf("%d waiting, want 2", len(held))
	}
}

// The watched folder cannot ask: its file waits in the records screen,
// where assigning it imports it once and opens the patient.
func TestWaitingFilesFromTheWatchedFolder(t *testing.T) {
	ctx := context.Background()
	s, w, _ := signedInSession(t, -1)
	p := addTestPatient(t, s, "M-1", "Ada Lovelace")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ecg.xml"), withPatientID(t, sierraDemo(t), "8888"), 0o600); err != nil {
		t.Fatal(err)
	}
	var events []app.ImportEvent
	wf := &app.WatchFolder{Dir: dir, Store: s.store, OnEvent: func(e app.ImportEvent) { events = append(events, e) }}
	wf.Poll(ctx)
	wf.Poll(ctx)
	if len(events) != 1 || events[0].Outcome != app.FileNeedsPatient {
		t.Fatalf("the watcher: %v", events)
	}

	u, _ := s.store.CurrentUser()
	h := newHome(s, u, 0)
	w.SetContent(h.content())
	h.reload(0)
	waitFor(t, "the waiting files' button", func() bool { return h.waiting.Visible() })
	if h.waiting.Text != "1 ECG file waiting for a patient" {
		t.Errorf("button %q", h.waiting.Text)
	}
	test.Tap(h.waiting)
	wp := h.waitingPanel
	waitFor(t, "the waiting list", func() bool { return len(wp.files) == 1 })
	if text := waitingLine(wp.files[0]); !strings.Contains(text, "ecg.xml (Philips Sierra XML)") || !strings.Contains(text, "id 8888, ZZDEMOPTONLY, ADULT") {
		t.Errorf("list line %q", text)
	}
	if !wp.assign.Disabled() {
		t.Error("assign enabled with nothing chosen")
	}
	wp.list.Select(0)
	test.Tap(wp.assign)
	a := wp.asking
	wp.wg.Wait()
	if len(a.all) != 1 {
		t.Fatalf("register of %d", len(a.all))
	}
	a.list.Select(0)
	test.Tap(a.assign)
	wp.wg.Wait()
	waitFor(t, "the patient opened with the recording", func() bool {
		return h.panel != nil && h.panel.p.ID == p.ID && len(h.panel.recordings) == 1
	})
	waitFor(t, "the button hidden", func() bool { return !h.waiting.Visible() })

	events = nil
	for _, again := range []*app.WatchFolder{wf, {Dir: dir, Store: s.store, OnEvent: wf.OnEvent}} {
		again.Poll(ctx)
		again.Poll(ctx)
	}
	for _, e := range events {
		if e.Outcome != app.FileDuplicate {
			t.Errorf("the watcher after the assignment: %v", e)
		}
	}
	if n := recordingCount(t, s.store, p.ID); n != 1 {
		t.Errorf("%d recordings, want 1", n)
	}
}

// A reviewer sees the waiting files but may not assign or discard them.
func TestWaitingFilesReviewerOnlyLooks(t *testing.T) {
	ctx := context.Background()
	s, w, _ := signedInSession(t, -1)
	if in := app.TakeCartData(ctx, s.store, "x.xml", withPatientID(t, sierraDemo(t), "8888"), false); in.Held == nil {
		t.Fatalf("not held: %v", in.ImportEvent)
	}
	u := asUser(t, s, "rita", storage.RoleReviewer)
	h := newHome(s, u, 0)
	w.SetContent(h.content())
	h.reload(0)
	waitFor(t, "the waiting files' button", func() bool { return h.waiting.Visible() })
	test.Tap(h.waiting)
	waitFor(t, "the waiting list", func() bool { return len(h.waitingPanel.files) == 1 })
	if h.waitingPanel.assign != nil || h.waitingPanel.discard != nil {
		t.Error("a reviewer may assign or discard")
	}
}

// An imported 12-lead opens from the patient's recordings in the 12-lead
// view, with the cart's measurements and interpretation and Telewave's own
// beside it, each under its own heading.
func TestCartReviewShowsBothMeasurementSets(t *testing.T) {
	ctx := context.Background()
	s, w, _ := signedInSession(t, -1)
	p := addTestPatient(t, s, "9999", "Demo Patient")
	ecg := sierraDemo(t)
	if ev := app.ImportCartData(ctx, s.store, "ecg.xml", ecg, false); ev.Outcome != app.FileImported {
		t.Fatalf("import: %v", ev)
	}
	rec, _, err := carts.Decode(ecg)
	if err != nil {
		t.Fatal(err)
	}
	ours, lead, why := app.MeasureTwelveLead(rec)
	if why != "" || lead != "II" {
		t.Fatalf("our measurements: %q %q", lead, why)
	}

	u, _ := s.store.CurrentUser()
	h := newHome(s, u, p.ID)
	w.SetContent(h.content())
	h.reload(p.ID)
	waitFor(t, "the patient's recordings", func() bool { return h.panel != nil && len(h.panel.recordings) == 1 })
	h.panel.list.Select(0)
	var text string
	waitFor(t, "the cart review", func() bool {
		text = textOf(w.Canvas().Content())
		return strings.Contains(text, "Telewave (QRS detector on lead II)")
	})
	cartHead := "From the cart (Philips Medical Products PageWriter Touch): its own measurements"
	oursHead := "From Telewave (QRS detector on lead II): our measurements"
	want := []string{cartHead, "Ventricular rate: 84 /min", "PR interval: 144 ms", "QRS axis: 78°",
		"From the cart: its interpretation", "SINUS RHYTHM (normal P axis, V-rate 60-99)", oursHead}
	for _, m := range ours {
		want = append(want, fmt.Sprintf("%s: %s", measurementName(m.Name), measurementValue(m)))
	}
	last := -1
	for _, s := range want {
		i := strings.Index(text, s)
		if i < 0 {
			t.Errorf("the review lacks %q:\n%s", s, text)
			continue
		}
		if i < last {
			t.Errorf("%q is out of place (the cart's first, then ours):\n%s", s, text)
		}
		last = i
	}
	strip, ok := find[*twelveLeadStrip](w.Canvas().Content())
	if !ok || len(strip.mv) != 12 || strip.rate != 500 {
		t.Fatalf("the 12-lead paper: found %v, %d leads", ok, len(strip.mv))
	}
	if _, ok := find[*calipers](w.Canvas().Content()); !ok {
		t.Error("no calipers over the paper")
	}
}

func TestIsCartImport(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := func(protocol string, d time.Duration) storage.Recording {
		r := storage.Recording{Device: devices.DeviceInfo{Protocol: protocol}, Started: start, Stopped: start.Add(d)}
		if d < 0 {
			r.Stopped = time.Time{}
		}
		return r
	}
	tests := []struct {
		name string
		rec  storage.Recording
		want bool
	}{
		{"a 10 s cart file", rec("import:Philips Sierra XML", 10*time.Second), true},
		{"a 2 min import", rec("import:EDF+", 2*time.Minute), true},
		{"a 30 min WFDB import", rec("import:wfdb", 30*time.Minute), false},
		{"a live recording", rec("serial:demo", 10*time.Second), false},
		{"an import never stopped", rec("import:HL7 aECG", -1), false},
	}
	for _, tc := range tests {
		if got := isCartImport(tc.rec); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
