package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	tstorage "telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// dropFixture is a window, an unlocked store with the patient of the
// repository's Philips demo ECG (id 9999), and that file's bytes.
func dropFixture(t *testing.T) (fyne.Window, *sqlite.Store, tstorage.Patient, []byte) {
	t.Helper()
	test.NewTempApp(t)
	st, _, err := sqlite.Create(context.Background(), filepath.Join(t.TempDir(), "store"), testAdmin, []byte(testPass), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := st.AddPatient(context.Background(), tstorage.Patient{MRN: "9999", Name: "Demo Patient"})
	if err != nil {
		t.Fatal(err)
	}
	ecg, err := os.ReadFile(filepath.Join("..", "formats", "sierra", "testdata", "1_04_3191723_ZZDEMOPTONLY_1-04_orig.xml"))
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(800, 600))
	t.Cleanup(w.Close)
	return w, st, p, ecg
}

// overlayText is the text of every label in the window's top overlay (the
// dialog shown).
func overlayText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			b.WriteString(v.Text + "\n")
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
	walk(top)
	return b.String()
}

func TestDropImportsOffTheUIThreadAndShowsOutcome(t *testing.T) {
	w, st, p, ecg := dropFixture(t)
	dir := t.TempDir()
	write := func(name string, b []byte) fyne.URI {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return storage.NewFileURI(path)
	}
	var done [][]app.ImportEvent
	d := &DropImporter{Win: w, Ctx: context.Background(),
		Store: func() app.CartImportStore { return st },
		Done:  func(ev []app.ImportEvent) { done = append(done, ev) }}

	tests := []struct {
		name     string
		uris     []fyne.URI
		title    string
		want     []string
		outcomes []string
	}{
		{"one cart file", []fyne.URI{write("ecg.xml", ecg)}, "Imported",
			[]string{"imported ecg.xml (Philips Sierra XML) as record"}, []string{app.FileImported}},
		{"the same file renamed, and a foreign one", []fyne.URI{write("copy.xml", ecg), write("notes.txt", []byte("hello"))},
			"Imported 0 of 2 files",
			[]string{"skipped copy.xml: the same file was already imported as record", "rejected notes.txt: not a known ECG cart file"},
			[]string{app.FileDuplicate, app.FileRejected}},
		{"a torn file", []fyne.URI{write("torn.xml", ecg[:len(ecg)/2])}, "Not imported",
			[]string{"rejected torn.xml: Philips Sierra XML"}, []string{app.FileRejected}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done = nil
			d.OnDropped(fyne.NewPos(10, 10), tc.uris)
			d.Wait()
			text := overlayText(w)
			for _, want := range append([]string{tc.title}, tc.want...) {
				if !strings.Contains(text, want) {
					t.Errorf("dialog %q lacks %q", text, want)
				}
			}
			if len(done) != 1 || len(done[0]) != len(tc.outcomes) {
				t.Fatalf("Done got %v", done)
			}
			for i, o := range tc.outcomes {
				if done[0][i].Outcome != o {
					t.Errorf("file %d: %v, want %s", i, done[0][i], o)
				}
			}
			w.Canvas().Overlays().Top().Hide()
			w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
		})
	}
	rs, err := st.Recordings(context.Background(), p.ID)
	if err != nil || len(rs) != 1 {
		t.Errorf("%d recordings (%v), want one", len(rs), err)
	}
}

func TestDropWhileLocked(t *testing.T) {
	w, _, _, _ := dropFixture(t)
	d := &DropImporter{Win: w, Store: func() app.CartImportStore { return nil }}
	d.OnDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI("/nonexistent/ecg.xml")})
	d.Wait()
	if text := overlayText(w); !strings.Contains(text, "Unlock the records") {
		t.Errorf("dialog %q", text)
	}
	// Nothing that is not a file (a web link) starts any work.
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	u, _ := storage.ParseURI("https://example.org/ecg.xml")
	d.OnDropped(fyne.Position{}, []fyne.URI{u})
	if top := w.Canvas().Overlays().Top(); top != nil {
		t.Errorf("a link dropped showed %q", overlayText(w))
	}
}
