package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
)

// patientsScreen lists the local register and adds to it; choosing a
// patient opens the monitor for them.
func (s *session) patientsScreen(u storage.User) fyne.CanvasObject {
	var patients []storage.Patient
	status := widget.NewLabel("Loading the patient register…")
	list := widget.NewList(
		func() int { return len(patients) },
		func() fyne.CanvasObject { return widget.NewLabel("MRN — name") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := patients[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s — %s  %s", p.MRN, p.Name, p.Birth))
		})
	list.OnSelected = func(i widget.ListItemID) { s.monitorPatient(u, patients[i]) }
	reload := func() {
		go func() {
			ps, err := s.store.Patients(s.ctx)
			Do(func() {
				if err != nil {
					status.SetText(fmt.Sprintf("Could not read the register: %v", err))
					return
				}
				patients = ps
				status.SetText(fmt.Sprintf("%d patients. Choose one to monitor.", len(ps)))
				list.Refresh()
			})
		}()
	}
	mrn, name, birth := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	birth.SetPlaceHolder("YYYY-MM-DD")
	sex := widget.NewSelect([]string{"female", "male", "other", "unknown"}, nil)
	add := &widget.Form{
		Items: []*widget.FormItem{{Text: "MRN", Widget: mrn}, {Text: "Name", Widget: name},
			{Text: "Birth", Widget: birth}, {Text: "Sex", Widget: sex}},
		SubmitText: "Add patient",
	}
	add.OnSubmit = func() {
		if mrn.Text == "" || name.Text == "" {
			status.SetText("MRN and name are needed.")
			return
		}
		p := storage.Patient{MRN: mrn.Text, Name: name.Text, Birth: birth.Text, Sex: sex.Selected}
		go func() {
			_, err := s.store.AddPatient(s.ctx, p)
			Do(func() {
				if err != nil {
					status.SetText(fmt.Sprintf("Could not add the patient: %v", err))
					return
				}
				mrn.SetText("")
				name.SetText("")
				birth.SetText("")
				reload()
			})
		}()
	}
	reload()
	head := widget.NewLabelWithStyle(fmt.Sprintf("Patients — signed in as %s (%s)", u.Name, u.Role), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewBorder(container.NewVBox(head, status), nil, nil, container.NewVBox(widget.NewCard("New patient", "", add)), list)
}
