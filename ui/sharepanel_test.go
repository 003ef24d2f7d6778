package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"telewave/sync/live/view"
)

// The Telehealth tab on a real share: Start gives an invite link; a viewer
// that knocks shows with Admit and Deny; Admit lets it in; Remove puts it
// out (its stream ends); End share stops sharing.
func TestSharePanelAdmitsAndRemoves(t *testing.T) {
	ctx, ws, _ := demoWorkstation(t, true)
	knocked := 0
	p := newSharePanel(ctx, ws.StartShare, "", func(string) { knocked++ })
	defer p.stop()
	test.NewTempWindow(t, p.root).Resize(fyne.NewSize(900, 400))

	test.Tap(p.begin)
	waitFor(t, "the invite link", func() bool { return strings.Contains(p.link.Text, "/v/") && strings.Contains(p.link.Text, "#p=") })
	if !p.begin.Disabled() || p.end.Disabled() {
		t.Fatal("Start still enabled or End disabled while sharing")
	}

	joined := make(chan *view.Session, 1)
	failed := make(chan error, 1)
	go func() {
		s, err := view.Join(ctx, p.link.Text, "Dr Faraway")
		if err != nil {
			failed <- err
			return
		}
		joined <- s
	}()
	var admit *widget.Button
	waitFor(t, "the knock with Admit", func() bool {
		admit = findButton(p.viewers, "Admit")
		return admit != nil && strings.Contains(labelsText(p.viewers), "Dr Faraway (telewave) asks to watch")
	})
	if knocked == 0 {
		t.Error("a knock did not bring the tab forward")
	}
	test.Tap(admit)
	var sess *view.Session
	select {
	case sess = <-joined:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(15 * time.Second):
		t.Fatal("viewer not admitted")
	}
	defer sess.Close()
	var remove *widget.Button
	waitFor(t, "the viewer watching with Remove", func() bool {
		remove = findButton(p.viewers, "Remove")
		return remove != nil && strings.Contains(p.state.Text, "1 watching")
	})
	test.Tap(remove)
	waitFor(t, "the removed viewer's stream to end", func() bool {
		select {
		case _, ok := <-sess.Messages():
			return !ok
		default:
			return false
		}
	})
	test.Tap(p.end)
	waitFor(t, "sharing to stop", func() bool { return p.state.Text == "Not sharing." && !p.begin.Disabled() })
}

func findButton(o fyne.CanvasObject, label string) *widget.Button {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == label {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := findButton(c, label); b != nil {
				return b
			}
		}
	}
	return nil
}

func labelsText(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Label:
		return x.Text + "\n"
	case *fyne.Container:
		var b strings.Builder
		for _, c := range x.Objects {
			b.WriteString(labelsText(c))
		}
		return b.String()
	}
	return ""
}
