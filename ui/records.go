package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
)

// canEdit reports whether role may register patients, run encounters and
// monitor; a reviewer only views and annotates. The store itself enforces
// only what it must (user management).
func canEdit(r storage.Role) bool {
	return r == storage.RoleClinician || r == storage.RoleAdministrator
}

// filterPatients keeps the patients whose name or MRN contains q, ignoring
// case. The register is sealed, so the search runs in memory.
func filterPatients(ps []storage.Patient, q string) []storage.Patient {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return ps
	}
	var out []storage.Patient
	for _, p := range ps {
		if strings.Contains(strings.ToLower(p.Name), q) || strings.Contains(strings.ToLower(p.MRN), q) {
			out = append(out, p)
		}
	}
	return out
}

// home is the records screen: the patient register with search on the left,
// the chosen patient on the right, the user's actions on top.
type home struct {
	s    *session
	user storage.User

	all, shown []storage.Patient
	search     *widget.Entry
	list       *widget.List
	status     *widget.Label
	detail     *fyne.Container
	panel      *patientPanel // nil until a patient is chosen

	newPatient, users, audit *widget.Button // nil when the role may not
	lock, passphrase         *widget.Button
	waiting                  *widget.Button // the ECG files waiting for a patient; hidden when none
	waitingPanel             *waitingFiles  // nil unless shown
	root                     fyne.CanvasObject
}

// newHome builds the screen and loads the register, then opens patient
// openID when it is not 0 (coming back from a review).
func newHome(s *session, u storage.User, openID int64) *home {
	h := &home{s: s, user: u, status: widget.NewLabel("Loading the patient register…")}
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder("Search by name or MRN")
	h.search.OnChanged = func(string) { h.applyFilter() }
	s.watchEntries(h.search)
	h.list = widget.NewList(
		func() int { return len(h.shown) },
		func() fyne.CanvasObject { return widget.NewLabel("MRN — name") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := h.shown[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s — %s  %s", p.MRN, p.Name, p.Birth))
		})
	h.list.OnSelected = func(i widget.ListItemID) {
		s.touch()
		h.open(h.shown[i])
	}
	h.detail = container.NewStack(container.NewCenter(widget.NewLabel("Choose a patient.")))

	bar := []fyne.CanvasObject{widget.NewLabelWithStyle(fmt.Sprintf("Signed in as %s (%s)", u.Name, u.Role), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if canEdit(u.Role) {
		h.newPatient = widget.NewButton("New patient", s.act(func() { h.edit(storage.Patient{}) }))
		bar = append(bar, h.newPatient)
	}
	if u.Role == storage.RoleAdministrator {
		h.users = widget.NewButton("Users", s.act(func() { s.show(s.usersScreen(u)) }))
		h.audit = widget.NewButton("Audit log", s.act(func() { s.show(s.auditScreen(u)) }))
		bar = append(bar, h.users, h.audit)
	}
	h.waiting = widget.NewButton("", s.act(h.showWaiting))
	h.waiting.Importance = widget.WarningImportance
	h.waiting.Hide()
	bar = append(bar, h.waiting)
	h.passphrase = widget.NewButton("Change passphrase", s.act(func() { s.changePassphrase().Show() }))
	h.lock = widget.NewButton("Lock", func() { s.lockNow("locked by " + u.Name) })
	bar = append(bar, h.passphrase, h.lock)

	left := container.NewBorder(container.NewVBox(h.search, h.status), nil, nil, nil, h.list)
	split := container.NewHSplit(left, h.detail)
	split.SetOffset(0.35)
	h.root = container.NewBorder(container.NewHBox(bar...), nil, nil, nil, split)
	return h
}

// showHome shows the records home and then reads the register into it
// (showing first: what the read fills in lands in a screen already up),
// opening patient openID when not 0.
func (s *session) showHome(u storage.User, openID int64) *home {
	h := newHome(s, u, openID)
	s.show(h.content())
	h.reload(openID)
	return h
}

func (h *home) content() fyne.CanvasObject { return h.root }

// reload reads the register and the count of ECG files waiting for a
// patient again; then shows patient id when not 0.
func (h *home) reload(id int64) {
	st := h.s.store
	go func() {
		ps, err := st.Patients(h.s.ctx)
		held, herr := st.UnmatchedFiles(h.s.ctx)
		Do(func() {
			if herr == nil {
				h.setWaiting(len(held))
			}
			if err != nil {
				h.status.SetText(fmt.Sprintf("Could not read the register: %v", err))
				return
			}
			h.all = ps
			h.applyFilter()
			for _, p := range ps {
				if p.ID == id {
					h.open(p)
				}
			}
		})
	}()
}

func (h *home) applyFilter() {
	h.shown = filterPatients(h.all, h.search.Text)
	h.list.UnselectAll()
	h.list.Refresh()
	if len(h.shown) == len(h.all) {
		h.status.SetText(plural(len(h.all), "patient") + ".")
	} else {
		h.status.SetText(fmt.Sprintf("%d of %d patients match.", len(h.shown), len(h.all)))
	}
}

// setWaiting shows how many ECG files wait for a patient (the button
// hides when none does).
func (h *home) setWaiting(n int) {
	h.waiting.SetText(fmt.Sprintf("%s waiting for a patient", plural(n, "ECG file")))
	if n == 0 {
		h.waiting.Hide()
	} else {
		h.waiting.Show()
	}
}

// showWaiting lists the ECG files waiting for a patient on the right.
func (h *home) showWaiting() {
	h.panel = nil
	h.waitingPanel = newWaitingFiles(h)
	h.detail.Objects = []fyne.CanvasObject{h.waitingPanel.content()}
	h.detail.Refresh()
	h.waitingPanel.load()
}

// open shows p on the right; opening a record is audited.
func (h *home) open(p storage.Patient) {
	h.panel = newPatientPanel(h, p)
	h.detail.Objects = []fyne.CanvasObject{h.panel.content()}
	h.detail.Refresh()
	h.panel.load()
}

// edit shows the patient form: empty for a new patient.
func (h *home) edit(p storage.Patient) {
	f := newPatientForm(h, p)
	h.detail.Objects = []fyne.CanvasObject{f.content()}
	h.detail.Refresh()
}

// plural says "1 patient", "2 patients".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
