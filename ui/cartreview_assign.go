package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// assignDialog asks a clinician whose a held cart file is (one whose
// patient id matched no patient, or that names none): it shows what the
// file says as the cart printed it, and the patient register with search.
// "Import for the chosen patient" imports it off the UI thread (audited
// with the user's name); "Not now" leaves it waiting in the records
// screen. Nothing is chosen for the clinician.
type assignDialog struct {
	ctx  context.Context
	st   app.CartImportStore
	held sqlite.UnmatchedFile
	wg   *sync.WaitGroup
	// closed is called on the UI thread when the dialog closes: with the
	// outcome once the file is imported (or no longer waits), with nil
	// when the clinician said "Not now".
	closed func(*app.ImportEvent)
	result *app.ImportEvent

	all, shown []storage.Patient
	chosen     storage.Patient // ID 0 until one is chosen
	search     *widget.Entry
	list       *widget.List
	says       *widget.Label
	warn       *widget.Label
	status     *widget.Label
	assign     *widget.Button
	later      *widget.Button
	d          *dialog.CustomDialog
}

// showAssignDialog opens the dialog for held over win. Its goroutines
// (reading the register, the import) run under ctx and are counted in wg;
// closed (may be nil) is called when it closes.
func showAssignDialog(win fyne.Window, ctx context.Context, st app.CartImportStore, held sqlite.UnmatchedFile,
	wg *sync.WaitGroup, closed func(*app.ImportEvent)) *assignDialog {
	a := &assignDialog{ctx: ctx, st: st, held: held, wg: wg, closed: closed,
		says: widget.NewLabel(heldSays(held)), warn: widget.NewLabel(""), status: widget.NewLabel("Loading the patient register…")}
	a.says.Wrapping = fyne.TextWrapWord
	a.warn.Wrapping = fyne.TextWrapWord
	a.warn.Importance = widget.WarningImportance
	a.search = widget.NewEntry()
	a.search.SetPlaceHolder("Search by name or MRN")
	a.search.OnChanged = func(string) { a.filter() }
	a.list = widget.NewList(
		func() int { return len(a.shown) },
		func() fyne.CanvasObject { return widget.NewLabel("MRN — name") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := a.shown[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s — %s  %s", p.MRN, p.Name, p.Birth))
		})
	a.list.OnSelected = func(i widget.ListItemID) { a.choose(a.shown[i]) }
	a.assign = widget.NewButton("Import for the chosen patient", a.importFile)
	a.assign.Importance = widget.HighImportance
	a.assign.Disable()
	a.later = widget.NewButton("Not now (the file waits in the records screen)", func() { a.d.Hide() })
	top := container.NewVBox(widget.NewLabelWithStyle("The file says (as the cart printed it):", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		a.says, widget.NewLabelWithStyle("Choose the patient it belongs to:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), a.search)
	bottom := container.NewVBox(a.warn, a.status, container.NewHBox(a.assign, a.later))
	a.d = dialog.NewCustomWithoutButtons("Whose ECG is this?", container.NewBorder(top, bottom, nil, nil, a.list), win)
	a.d.Resize(fyne.NewSize(720, 560))
	a.d.SetOnClosed(func() {
		if a.closed != nil {
			a.closed(a.result)
		}
	})
	a.d.Show()
	a.load()
	return a
}

// heldSays is the dialog's account of a held file.
func heldSays(u sqlite.UnmatchedFile) string {
	s := u.Says
	lines := []string{
		"Patient id: " + orDash(s.PatientID),
		"Name: " + orDash(s.Name),
		fmt.Sprintf("Born: %s   Sex: %s", orDash(s.Birth), orDash(s.Sex)),
		"Recorded: " + orDash(s.Acquired),
		fmt.Sprintf("Cart: %s   File: %s (%s)", orDash(s.Device), orDash(u.File.Name), orDash(u.File.Format)),
	}
	if u.File.Reason != "" {
		lines = append(lines, "Not matched: "+u.File.Reason)
	}
	return strings.Join(lines, "\n")
}

func (a *assignDialog) load() {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ps, err := a.st.Patients(a.ctx)
		if a.ctx.Err() != nil {
			return
		}
		Do(func() {
			if err != nil {
				a.status.SetText(fmt.Sprintf("Could not read the register: %v", err))
				return
			}
			a.all = ps
			a.status.SetText("")
			a.filter()
		})
	}()
}

func (a *assignDialog) filter() {
	a.shown = filterPatients(a.all, a.search.Text)
	a.list.UnselectAll()
	a.list.Refresh()
	a.choose(storage.Patient{})
}

// choose makes p the patient the file would go to (ID 0: none).
func (a *assignDialog) choose(p storage.Patient) {
	a.chosen = p
	a.warn.SetText("")
	if p.ID == 0 {
		a.assign.Disable()
		return
	}
	a.assign.SetText(fmt.Sprintf("Import for %s (MRN %s)", p.Name, p.MRN))
	a.assign.Enable()
	if id := a.held.Says.PatientID; id != "" && !strings.EqualFold(strings.TrimSpace(p.MRN), id) {
		a.warn.SetText(fmt.Sprintf("The file's patient id %q is not this patient's MRN %q: check the name and date before importing.", id, p.MRN))
	}
}

// importFile imports the held file for the chosen patient, off the UI
// thread.
func (a *assignDialog) importFile() {
	p := a.chosen
	if p.ID == 0 {
		return
	}
	a.assign.Disable()
	a.list.Hide()
	a.status.SetText(fmt.Sprintf("Importing for %s…", p.Name))
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ev := app.AssignCartFile(a.ctx, a.st, a.held.File.ID, p.ID)
		if a.ctx.Err() != nil {
			return
		}
		Do(func() {
			if ev.Outcome == app.FileFailed {
				a.status.SetText(ev.String())
				a.list.Show()
				a.assign.Enable()
				return
			}
			a.result = &ev
			a.d.Hide()
		})
	}()
}
