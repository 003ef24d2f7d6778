package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
)

// ehrSettings is the settings screen of the EHR link: the fields of the
// configuration file, Save, and Test connection. Saving and testing run
// off the UI thread. A change takes effect at the next start of
// monitoring, when the workstation is built from the file.
type ehrSettings struct {
	path  string // the configuration file
	check func(ctx context.Context, s app.EHRSettings) error

	base, mrn, interval, client, token, key, kid, scopes *widget.Entry
	save, test                                           *widget.Button
	status                                               *widget.Label
	root                                                 fyne.CanvasObject
}

// newEHRSettings shows s, as loaded from path; loadErr, when not nil, says
// what was wrong with the file (its bad settings are at their defaults).
func newEHRSettings(path string, s app.EHRSettings, loadErr error) *ehrSettings {
	e := &ehrSettings{path: path, check: app.CheckEHRConnection, status: widget.NewLabel("")}
	e.status.Wrapping = fyne.TextWrapWord
	entry := func(value, placeholder string) *widget.Entry {
		w := widget.NewEntry()
		w.SetText(value)
		w.SetPlaceHolder(placeholder)
		return w
	}
	interval := ""
	if s.ChartEvery != 0 {
		interval = time.Duration(s.ChartEvery).String()
	}
	e.base = entry(s.BaseURL, "https://ehr.example.org/fhir/R4")
	e.mrn = entry(s.MRNSystem, "urn:oid:… or https://…")
	e.interval = entry(interval, app.DefaultChartEvery.String())
	e.client = entry(s.SMARTClientID, "SMART client id (empty: no SMART)")
	e.token = entry(s.SMARTTokenURL, "empty: discovered from the EHR")
	e.key = entry(s.SMARTKeyFile, "/path/to/private-key.pem")
	e.kid = entry(s.SMARTKeyID, "key id in the registered JWKS")
	e.scopes = entry(strings.Join(s.SMARTScopes, " "), "empty: the scopes the workstation needs")
	form := widget.NewForm(
		widget.NewFormItem("FHIR base URL", e.base), widget.NewFormItem("MRN system", e.mrn),
		widget.NewFormItem("Chart interval", e.interval), widget.NewFormItem("SMART client id", e.client),
		widget.NewFormItem("Token URL", e.token), widget.NewFormItem("Key file (path)", e.key),
		widget.NewFormItem("Key id (kid)", e.kid), widget.NewFormItem("Scopes", e.scopes))
	e.save = widget.NewButton("Save", e.doSave)
	e.test = widget.NewButton("Test connection", e.doTest)
	if loadErr != nil {
		e.status.SetText("The configuration file has problems; those settings are at their defaults:\n" + loadErr.Error())
	}
	e.root = container.NewVBox(widget.NewLabelWithStyle("EHR connection", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Saved in "+path+"; command-line flags override it."),
		form, container.NewHBox(e.save, e.test), e.status)
	return e
}

// settings reads the form; a chart interval that does not parse is an
// error, everything else is checked by Validate.
func (e *ehrSettings) settings() (app.EHRSettings, error) {
	s := app.EHRSettings{BaseURL: strings.TrimSpace(e.base.Text), MRNSystem: strings.TrimSpace(e.mrn.Text),
		SMARTClientID: strings.TrimSpace(e.client.Text), SMARTTokenURL: strings.TrimSpace(e.token.Text),
		SMARTKeyFile: strings.TrimSpace(e.key.Text), SMARTKeyID: strings.TrimSpace(e.kid.Text),
		SMARTScopes: strings.Fields(e.scopes.Text)}
	if t := strings.TrimSpace(e.interval.Text); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil {
			return s, &settingsError{"Chart interval " + t + ": write it like 90s, 15m or 1h"}
		}
		s.ChartEvery = app.Duration(d)
	}
	return s, s.Validate()
}

type settingsError struct{ msg string }

func (e *settingsError) Error() string { return e.msg }

func (e *ehrSettings) doSave() {
	s, err := e.settings()
	if err != nil {
		e.status.SetText("Not saved:\n" + err.Error())
		return
	}
	e.save.Disable()
	e.status.SetText("Saving…")
	go func() {
		err := app.SaveConfigFile(e.path, app.ConfigFile{EHR: s})
		Do(func() {
			e.save.Enable()
			if err != nil {
				e.status.SetText("Not saved: " + err.Error())
				return
			}
			e.status.SetText("Saved. The EHR settings apply the next time monitoring starts.")
		})
	}()
}

func (e *ehrSettings) doTest() {
	s, err := e.settings()
	if err != nil {
		e.status.SetText("Cannot test:\n" + err.Error())
		return
	}
	e.test.Disable()
	e.status.SetText("Asking " + s.BaseURL + " for its capabilities…")
	go func() {
		start := time.Now()
		err := e.check(context.Background(), s)
		took := time.Since(start).Round(time.Millisecond)
		Do(func() {
			e.test.Enable()
			if err != nil {
				e.status.SetText("Connection failed: " + err.Error())
				return
			}
			e.status.SetText("Connected: the EHR answered with its CapabilityStatement in " + took.String() + ".")
		})
	}()
}
