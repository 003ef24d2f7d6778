package ui

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/storage/sqlite"
)

// waitingFiles is the records screen's list of ECG cart files waiting for
// a patient: held by a drop whose assignment was put off, or by the
// watched folder (which runs headless and cannot ask). A user who may edit
// chooses the patient of one (the drop's dialog) or discards it, with a
// reason for the audit log.
type waitingFiles struct {
	h        *home
	files    []sqlite.UnmatchedFile
	selected int // index into files; -1 for none

	list                     *widget.List
	assign, discard, refresh *widget.Button // assign and discard nil for a reviewer
	status                   *widget.Label
	root                     fyne.CanvasObject
	wg                       sync.WaitGroup // the assign dialog's goroutines
	asking                   *assignDialog  // the last assign dialog opened
}

func newWaitingFiles(h *home) *waitingFiles {
	w := &waitingFiles{h: h, selected: -1, status: widget.NewLabel("Loading…")}
	w.list = widget.NewList(
		func() int { return len(w.files) },
		func() fyne.CanvasObject { return widget.NewLabel("held file\nwhat it says") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(waitingLine(w.files[i])) })
	w.list.OnSelected = func(i widget.ListItemID) {
		h.s.touch()
		w.selected = i
		w.enable()
	}
	w.refresh = widget.NewButton("Refresh", h.s.act(w.load))
	bar := []fyne.CanvasObject{w.refresh}
	if canEdit(h.user.Role) {
		w.assign = widget.NewButton("Choose the patient…", h.s.act(w.assignSelected))
		w.discard = widget.NewButton("Discard…", h.s.act(w.discardSelected))
		bar = append([]fyne.CanvasObject{w.assign, w.discard}, bar...)
	}
	head := container.NewVBox(widget.NewLabelWithStyle("ECG files waiting for a patient", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Their patient id matched no patient, or they name none. Nothing is imported until someone chooses the patient."),
		container.NewHBox(bar...), w.status)
	w.root = container.NewBorder(head, nil, nil, nil, w.list)
	w.enable()
	return w
}

func (w *waitingFiles) content() fyne.CanvasObject { return w.root }

// waitingLine is one held file in the list.
func waitingLine(u sqlite.UnmatchedFile) string {
	s := u.Says
	return fmt.Sprintf("%s  %s (%s)\nsays: id %s, %s, born %s, recorded %s",
		u.Held.Local().Format("2006-01-02 15:04"), u.File.Name, orDash(u.File.Format),
		orDash(s.PatientID), orDash(s.Name), orDash(s.Birth), orDash(s.Acquired))
}

func (w *waitingFiles) enable() {
	for _, b := range []*widget.Button{w.assign, w.discard} {
		if b == nil {
			continue
		}
		if w.selected >= 0 && w.selected < len(w.files) {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// load reads the held files again, off the UI thread.
func (w *waitingFiles) load() {
	st, ctx := w.h.s.store, w.h.s.ctx
	go func() {
		files, err := st.UnmatchedFiles(ctx)
		Do(func() {
			if err != nil {
				w.status.SetText(fmt.Sprintf("Could not read the waiting files: %v", err))
				return
			}
			w.files, w.selected = files, -1
			w.list.UnselectAll()
			w.list.Refresh()
			w.enable()
			w.status.SetText(plural(len(files), "file") + " waiting.")
			w.h.setWaiting(len(files))
		})
	}()
}

// assignSelected asks whose the chosen file is; once imported, the
// patient's record opens with it.
func (w *waitingFiles) assignSelected() {
	if w.selected < 0 || w.selected >= len(w.files) {
		return
	}
	s := w.h.s
	w.asking = showAssignDialog(s.win, s.ctx, s.store, w.files[w.selected], &w.wg, func(ev *app.ImportEvent) {
		if ev == nil {
			return
		}
		dialog.ShowInformation("Imported", ev.String(), s.win)
		if ev.Outcome == app.FileImported {
			w.h.reload(ev.PatientID)
			return
		}
		w.load()
	})
}

// discardSelected drops the chosen file, with the reason the user gives.
func (w *waitingFiles) discardSelected() {
	if w.selected < 0 || w.selected >= len(w.files) {
		return
	}
	u := w.files[w.selected]
	reason := widget.NewEntry()
	reason.SetPlaceHolder("why: a test recording, another hospital's patient…")
	w.h.s.watchEntries(reason)
	dialog.ShowForm(fmt.Sprintf("Discard %s?", u.File.Name), "Discard", "Keep it",
		[]*widget.FormItem{{Text: "Reason", Widget: reason, HintText: "kept in the audit log"}},
		func(ok bool) {
			if !ok {
				return
			}
			st, ctx, why := w.h.s.store, w.h.s.ctx, reason.Text
			w.status.SetText("Discarding…")
			go func() {
				err := st.DiscardUnmatched(ctx, u.File.ID, why)
				Do(func() {
					if err != nil {
						w.status.SetText(fmt.Sprintf("Could not discard the file: %v", err))
						return
					}
					w.load()
				})
			}()
		}, w.h.s.win)
}
