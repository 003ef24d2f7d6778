package ui

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
)

// patientForm registers a new patient (ID 0) or edits one.
type patientForm struct {
	h                *home
	p                storage.Patient
	mrn, name, birth *widget.Entry
	sex              *widget.Select
	form             *widget.Form
	status           *widget.Label
}

func newPatientForm(h *home, p storage.Patient) *patientForm {
	f := &patientForm{h: h, p: p, mrn: widget.NewEntry(), name: widget.NewEntry(), birth: widget.NewEntry(), status: widget.NewLabel("")}
	f.birth.SetPlaceHolder("YYYY-MM-DD")
	f.sex = widget.NewSelect([]string{"female", "male", "other", "unknown"}, nil)
	f.mrn.SetText(p.MRN)
	f.name.SetText(p.Name)
	f.birth.SetText(p.Birth)
	f.sex.SetSelected(p.Sex)
	h.s.watchEntries(f.mrn, f.name, f.birth)
	f.form = &widget.Form{
		Items: []*widget.FormItem{{Text: "MRN", Widget: f.mrn}, {Text: "Name", Widget: f.name},
			{Text: "Birth", Widget: f.birth}, {Text: "Sex", Widget: f.sex}},
		SubmitText: "Save",
		OnSubmit:   f.save,
		OnCancel: func() {
			if p.ID != 0 {
				h.open(p)
			} else {
				h.detail.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel("Choose a patient."))}
				h.detail.Refresh()
			}
		},
	}
	return f
}

func (f *patientForm) content() fyne.CanvasObject {
	title := "New patient"
	if f.p.ID != 0 {
		title = "Edit " + f.p.Name
	}
	return container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), f.form, f.status)
}

func (f *patientForm) save() {
	f.h.s.touch()
	if f.mrn.Text == "" || f.name.Text == "" {
		f.status.SetText("MRN and name are needed.")
		return
	}
	if f.birth.Text != "" {
		if _, err := time.Parse(time.DateOnly, f.birth.Text); err != nil {
			f.status.SetText("Birth is a date: YYYY-MM-DD.")
			return
		}
	}
	p := storage.Patient{ID: f.p.ID, MRN: f.mrn.Text, Name: f.name.Text, Birth: f.birth.Text, Sex: f.sex.Selected}
	f.form.Disable()
	f.status.SetText("Saving…")
	st, ctx := f.h.s.store, f.h.s.ctx
	go func() {
		var err error
		if p.ID == 0 {
			p, err = st.AddPatient(ctx, p)
		} else {
			p, err = st.UpdatePatient(ctx, p)
		}
		Do(func() {
			if err != nil {
				f.form.Enable()
				if errors.Is(err, storage.ErrExists) {
					f.status.SetText("Another patient has this MRN.")
				} else {
					f.status.SetText(fmt.Sprintf("Could not save the patient: %v", err))
				}
				return
			}
			f.h.reload(p.ID)
		})
	}()
}

// patientPanel is one patient's record: demographics, the open encounter,
// the recordings to review.
type patientPanel struct {
	h *home
	p storage.Patient

	encounter   storage.Encounter // ID 0 when none is open
	recordings  []storage.Recording
	info, enc   *widget.Label
	status      *widget.Label
	reason      *widget.Entry
	start, stop *widget.Button // nil for reviewers
	edit, watch *widget.Button
	list        *widget.List
	root        fyne.CanvasObject
}

func newPatientPanel(h *home, p storage.Patient) *patientPanel {
	s := h.s
	pp := &patientPanel{h: h, p: p, info: widget.NewLabel(patientLine(p)), enc: widget.NewLabel("Encounter: …"),
		status: widget.NewLabel("")}
	pp.list = widget.NewList(
		func() int { return len(pp.recordings) },
		func() fyne.CanvasObject { return widget.NewLabel("recording") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(recordingLine(pp.recordings[i]))
		})
	pp.list.OnSelected = func(i widget.ListItemID) {
		s.touch()
		if rec := pp.recordings[i]; isCartImport(rec) {
			s.openCartReview(h.user, p, rec) // an imported 12-lead: paper, the cart's measurements and ours
		} else {
			s.openReview(h.user, p, rec)
		}
	}
	top := []fyne.CanvasObject{widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), pp.info}
	if canEdit(h.user.Role) {
		pp.edit = widget.NewButton("Edit patient", s.act(func() { h.edit(p) }))
		pp.watch = widget.NewButton("Monitor this patient", s.act(func() { s.monitorPatient(h.user, p) }))
		pp.reason = widget.NewEntry()
		pp.reason.SetPlaceHolder("reason for the encounter")
		s.watchEntries(pp.reason)
		pp.start = widget.NewButton("Start encounter", s.act(pp.startEncounter))
		pp.stop = widget.NewButton("Stop encounter", s.act(pp.stopEncounter))
		pp.start.Disable()
		pp.stop.Disable()
		top = append(top, container.NewHBox(pp.edit, pp.watch), pp.enc,
			container.NewBorder(nil, nil, nil, container.NewHBox(pp.start, pp.stop), pp.reason))
	} else {
		top = append(top, pp.enc)
	}
	top = append(top, pp.status, widget.NewLabelWithStyle("Recordings — choose one to review", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	pp.root = container.NewBorder(container.NewVBox(top...), nil, nil, nil, pp.list)
	return pp
}

func (pp *patientPanel) content() fyne.CanvasObject { return pp.root }

func patientLine(p storage.Patient) string {
	return fmt.Sprintf("MRN %s   born %s   %s", p.MRN, orDash(p.Birth), orDash(p.Sex))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func recordingLine(r storage.Recording) string {
	end := "live or interrupted"
	if !r.Stopped.IsZero() {
		end = r.Stopped.Local().Format("15:04:05") + fmt.Sprintf(" (%v)", r.Stopped.Sub(r.Started).Round(time.Second))
	}
	dev := r.Device.Protocol
	if r.Device.Model != "" {
		dev += " " + r.Device.Model
	}
	return fmt.Sprintf("%s – %s   %s", r.Started.Local().Format("2006-01-02 15:04:05"), end, dev)
}

// load reads the open encounter and the recordings; viewing the record is
// audited.
func (pp *patientPanel) load() {
	st, ctx, id := pp.h.s.store, pp.h.s.ctx, pp.p.ID
	go func() {
		err := st.Audit(ctx, "view", fmt.Sprintf("patient %d", id))
		var (
			enc  storage.Encounter
			recs []storage.Recording
		)
		if err == nil {
			enc, err = st.OpenEncounter(ctx, id)
			if errors.Is(err, storage.ErrNotFound) {
				enc, err = storage.Encounter{}, nil
			}
		}
		if err == nil {
			recs, err = st.Recordings(ctx, id)
		}
		Do(func() {
			if err != nil {
				pp.status.SetText(fmt.Sprintf("Could not read the record: %v", err))
				return
			}
			pp.recordings = recs
			pp.list.Refresh()
			pp.showEncounter(enc)
		})
	}()
}

func (pp *patientPanel) showEncounter(e storage.Encounter) {
	pp.encounter = e
	if e.ID == 0 {
		pp.enc.SetText("Encounter: none open.")
	} else {
		pp.enc.SetText(fmt.Sprintf("Encounter open since %s by %s: %s", e.Started.Local().Format("2006-01-02 15:04"), e.OpenedBy, orDash(e.Reason)))
	}
	if pp.start == nil {
		return
	}
	if e.ID == 0 {
		pp.start.Enable()
		pp.stop.Disable()
	} else {
		pp.start.Disable()
		pp.stop.Enable()
	}
}

func (pp *patientPanel) startEncounter() {
	pp.start.Disable()
	st, ctx, id, reason := pp.h.s.store, pp.h.s.ctx, pp.p.ID, pp.reason.Text
	go func() {
		e, err := st.StartEncounter(ctx, id, reason, time.Now())
		Do(func() {
			if err != nil {
				pp.status.SetText(fmt.Sprintf("Could not start the encounter: %v", err))
				pp.start.Enable()
				return
			}
			pp.reason.SetText("")
			pp.status.SetText("")
			pp.showEncounter(e)
		})
	}()
}

func (pp *patientPanel) stopEncounter() {
	pp.stop.Disable()
	st, ctx, id := pp.h.s.store, pp.h.s.ctx, pp.encounter.ID
	go func() {
		err := st.StopEncounter(ctx, id, time.Now())
		Do(func() {
			if err != nil {
				pp.status.SetText(fmt.Sprintf("Could not stop the encounter: %v", err))
				pp.stop.Enable()
				return
			}
			pp.status.SetText("")
			pp.showEncounter(storage.Encounter{})
		})
	}()
}
