package ui

import (
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"telewave/storage/sqlite"
)

// walk visits o and everything inside containers and forms.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, visit)
		}
	case *widget.Form:
		for _, it := range v.Items {
			walk(it.Widget, visit)
		}
	case *container.Scroll:
		walk(v.Content, visit)
	}
}

func findForm(t *testing.T, o fyne.CanvasObject) (*widget.Form, *widget.Label) {
	t.Helper()
	var form *widget.Form
	var last *widget.Label
	walk(o, func(c fyne.CanvasObject) {
		switch v := c.(type) {
		case *widget.Form:
			if form == nil {
				form = v
			}
		case *widget.Label:
			last = v
		}
	})
	if form == nil {
		t.Fatal("no form on the screen")
	}
	return form, last
}

func fill(form *widget.Form, values ...string) {
	for i, v := range values {
		form.Items[i].Widget.(*widget.Entry).SetText(v)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSetUpThenUnlock(t *testing.T) {
	test.NewTempApp(t)
	dir := filepath.Join(t.TempDir(), "store")

	// First run: the set-up screen creates the store and its administrator.
	w := test.NewWindow(nil)
	s := newSession(w, Options{StoreDir: dir})
	s.begin()
	form, status := findForm(t, w.Content())
	fill(form, "admin", "short", "short")
	form.OnSubmit()
	if status.Text == "" || sqlite.Exists(dir) {
		t.Fatalf("a short passphrase was accepted (status %q)", status.Text)
	}
	fill(form, "admin", "a long enough passphrase", "a long enough passphrase")
	form.OnSubmit()
	waitFor(t, "the store to be created", func() bool { return s.store != nil })
	if !sqlite.Exists(dir) {
		t.Fatal("no store on disk after set-up")
	}
	s.end()

	// Later runs: the unlock screen; a wrong passphrase is refused plainly.
	w2 := test.NewWindow(nil)
	s2 := newSession(w2, Options{StoreDir: dir})
	defer s2.end()
	s2.begin()
	form, status = findForm(t, w2.Content())
	fill(form, "admin", "wrong passphrase")
	form.OnSubmit()
	waitFor(t, "the refusal", func() bool { return status.Text == "Wrong user or passphrase." })
	if s2.store != nil {
		t.Fatal("a wrong passphrase unlocked the store")
	}
	fill(form, "admin", "a long enough passphrase")
	form.OnSubmit()
	waitFor(t, "the unlock", func() bool { return s2.store != nil })
}
