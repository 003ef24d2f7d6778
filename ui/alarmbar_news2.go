package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/alarms"
	"telewave/devices"
	"telewave/dsp/news2"
)

// The ACVPU levels and the air/oxygen choices as the form offers them.
var (
	levelNames = []string{"Alert", "New confusion", "Voice", "Pain", "Unresponsive"}
	levels     = []news2.Level{news2.Alert, news2.NewConfusion, news2.Voice, news2.Pain, news2.Unresponsive}
	supplies   = []string{"Air", "Oxygen"}
)

// news2Panel is the NEWS2 form: what the clinician observes, the score.
type news2Panel struct {
	score    func(news2.Input) (news2.Result, error)
	level    *widget.Select
	oxygen   *widget.RadioGroup
	scale2   *widget.Check
	button   *widget.Button
	total    *canvas.Text
	response *widget.Label
	root     fyne.CanvasObject
}

// news2Form returns the NEWS2 form: consciousness, air or oxygen and SpO2
// scale 2 are entered, the measured values come from score (the
// analysis's latest fresh numerics), and the total is shown with its risk
// band and the response the chart prescribes. score runs on the UI thread
// and must not block.
func news2Form(score func(news2.Input) (news2.Result, error)) fyne.CanvasObject {
	return newNEWS2Panel(score).root
}

func newNEWS2Panel(score func(news2.Input) (news2.Result, error)) *news2Panel {
	p := &news2Panel{score: score}
	p.level = widget.NewSelect(levelNames, nil)
	p.level.PlaceHolder = "Consciousness (ACVPU)"
	p.oxygen = widget.NewRadioGroup(supplies, nil)
	p.oxygen.Horizontal = true
	p.scale2 = widget.NewCheck("SpO2 scale 2 (prescribed target 88–92 %)", nil)
	p.button = widget.NewButton("Score NEWS2", p.compute)
	p.total = canvas.NewText("NEWS2 --", color.NRGBA{R: 0xC0, G: 0xC0, B: 0xC0, A: 0xFF})
	p.total.TextSize = 24
	p.total.TextStyle = fyne.TextStyle{Bold: true}
	p.response = widget.NewLabel("")
	p.response.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Consciousness", p.level),
		widget.NewFormItem("Breathing", p.oxygen),
		widget.NewFormItem("", p.scale2))
	p.root = container.NewVBox(form, p.button, p.total, p.response)
	return p
}

// input returns what the clinician entered.
func (p *news2Panel) input() news2.Input {
	in := news2.Input{Scale2: p.scale2.Checked}
	if i := p.level.SelectedIndex(); i >= 0 {
		in.Consciousness = levels[i]
	}
	switch p.oxygen.Selected {
	case "Air":
		in.Supplement = news2.Air
	case "Oxygen":
		in.Supplement = news2.Oxygen
	}
	return in
}

func (p *news2Panel) compute() {
	r, err := p.score(p.input())
	if err != nil {
		p.total.Text, p.total.Color = "NEWS2 not scored", alarms.StyleOf(devices.Medium).Colour
		p.total.Refresh()
		p.response.SetText(err.Error())
		return
	}
	p.total.Text = fmt.Sprintf("NEWS2 %d — %s risk", r.Total, r.Risk)
	p.total.Color = riskColour(r.Risk)
	p.total.Refresh()
	var lines []string
	if !r.Complete {
		var missing []string
		for _, m := range r.Missing {
			missing = append(missing, m.String())
		}
		lines = append(lines, "Incomplete — at least this score; missing: "+strings.Join(missing, ", "))
	}
	lines = append(lines, "Monitoring: "+r.Response.Monitoring)
	lines = append(lines, r.Response.Actions...)
	p.response.SetText(strings.Join(lines, "\n"))
}

// riskColour follows the alarm colours: high red, medium yellow,
// low-medium cyan (a single red score), low grey.
func riskColour(r news2.Risk) color.Color {
	switch r {
	case news2.HighRisk:
		return alarms.StyleOf(devices.High).Colour
	case news2.MediumRisk:
		return alarms.StyleOf(devices.Medium).Colour
	case news2.LowMediumRisk:
		return alarms.StyleOf(devices.Low).Colour
	}
	return alarms.StyleOf(devices.Info).Colour
}
