package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/alarms"
)

// limitsSource is what the limits form needs of the analysis; every call
// returns at once (saving happens in the background).
type limitsSource interface {
	Limits(p alarms.Parameter) alarms.Limits
	AgeGroup() alarms.AgeGroup
	SetLimits(p alarms.Parameter, l alarms.Limits, user string) error
	SetAgeGroup(g alarms.AgeGroup, user string) error
}

var ageGroups = []alarms.AgeGroup{alarms.Adult, alarms.Child, alarms.Infant, alarms.Neonate}

// limitsForm edits the patient's alarm limits: the age group whose
// defaults apply and, per parameter, the extreme-low, low, high and
// extreme-high limits (empty = off). Apply checks every row first and
// changes nothing if one is wrong, naming it.
type limitsForm struct {
	src     limitsSource
	user    string
	age     *widget.Select
	entries map[alarms.Parameter]*[4]*widget.Entry
	status  *widget.Label
	root    fyne.CanvasObject
}

func newLimitsForm(src limitsSource, user string) *limitsForm {
	f := &limitsForm{src: src, user: user, entries: map[alarms.Parameter]*[4]*widget.Entry{}, status: widget.NewLabel("")}
	names := make([]string, len(ageGroups))
	for i, g := range ageGroups {
		names[i] = g.String()
	}
	f.age = widget.NewSelect(names, nil)
	grid := container.NewGridWithColumns(5, widget.NewLabel("Parameter"), widget.NewLabel("Extreme low"),
		widget.NewLabel("Low"), widget.NewLabel("High"), widget.NewLabel("Extreme high"))
	for _, p := range alarms.Parameters() {
		var row [4]*widget.Entry
		grid.Add(widget.NewLabel(fmt.Sprintf("%s (%s)", p, p.Unit())))
		for i := range row {
			row[i] = widget.NewEntry()
			row[i].SetPlaceHolder("off")
			grid.Add(row[i])
		}
		f.entries[p] = &row
	}
	defaults := widget.NewButton("Load age-group defaults", f.loadDefaults)
	apply := widget.NewButton("Apply limits", f.apply)
	f.root = container.NewVBox(container.NewHBox(widget.NewLabel("Age group"), f.age, defaults), grid,
		container.NewHBox(apply, f.status))
	f.reload()
	return f
}

// reload shows the limits in force.
func (f *limitsForm) reload() {
	f.age.SetSelected(f.src.AgeGroup().String())
	for p, row := range f.entries {
		l := f.src.Limits(p)
		for i, v := range []float64{l.ExtremeLow, l.Low, l.High, l.ExtremeHigh} {
			row[i].SetText(formatLimit(v))
		}
	}
}

func formatLimit(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (f *limitsForm) loadDefaults() {
	g := alarms.Adult
	for _, a := range ageGroups {
		if a.String() == f.age.Selected {
			g = a
		}
	}
	if err := f.src.SetAgeGroup(g, f.user); err != nil {
		f.status.SetText("Not changed: " + err.Error())
		return
	}
	f.reload()
	f.status.SetText("Defaults for " + g.String() + " in force")
}

// apply parses every row, then sets the rows that changed.
func (f *limitsForm) apply() {
	want := map[alarms.Parameter]alarms.Limits{}
	for _, p := range alarms.Parameters() {
		row := f.entries[p]
		var v [4]float64
		for i, e := range row {
			s := strings.TrimSpace(e.Text)
			if s == "" {
				continue
			}
			x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			if err != nil || x < 0 {
				f.status.SetText(fmt.Sprintf("Not changed: %s: %q is not a limit", p, s))
				return
			}
			v[i] = x
		}
		l := alarms.Limits{ExtremeLow: v[0], Low: v[1], High: v[2], ExtremeHigh: v[3]}
		if err := l.Check(); err != nil {
			f.status.SetText(fmt.Sprintf("Not changed: %s: %v", p, err))
			return
		}
		want[p] = l
	}
	n := 0
	for _, p := range alarms.Parameters() {
		if want[p] == f.src.Limits(p) {
			continue
		}
		if err := f.src.SetLimits(p, want[p], f.user); err != nil {
			f.status.SetText(fmt.Sprintf("%s not changed: %v", p, err))
			return
		}
		n++
	}
	f.status.SetText(fmt.Sprintf("%d limits changed and saved with the patient", n))
}
