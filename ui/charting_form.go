package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"telewave/app"
	"telewave/devices"
	"telewave/storage"
)

// MDC codes of the vitals a clinician charts by hand (ISO/IEEE 11073-10101).
const (
	mdcNIBPSys    uint32 = 150021
	mdcNIBPDia    uint32 = 150022
	mdcRespRate   uint32 = 151562
	mdcTempBody   uint32 = 150364
	mdcMassBody   uint32 = 188736 // MDC_MASS_BODY_ACTUAL
	manualTimeout        = 30 * time.Second
)

// manualField is one typed vital: its label, unit and the range a value
// must be in to be charted (outside it is a typing error, not a reading).
type manualField struct {
	key, label, unit string // unit as shown; ucum as sent
	ucum             string
	code             uint32
	min, max         float64
}

var manualFields = []manualField{
	{"sys", "BP systolic", "mmHg", "mm[Hg]", mdcNIBPSys, 40, 300},
	{"dia", "BP diastolic", "mmHg", "mm[Hg]", mdcNIBPDia, 20, 200},
	{"hr", "Heart rate", "/min", "/min", devices.MDCECGHeartRate, 20, 300},
	{"spo2", "SpO2", "%", "%", devices.MDCPulsOximSatO2, 50, 100},
	{"temp", "Temperature", "°C", "Cel", mdcTempBody, 25, 45},
	{"rr", "Respiratory rate", "/min", "/min", mdcRespRate, 2, 80},
	{"weight", "Weight", "kg", "kg", mdcMassBody, 0.3, 400},
}

// manualVitals turns typed text (by field key) into vitals, checking each
// value's range and that blood pressure comes whole. Empty fields are not
// charted; every problem is reported at once.
func manualVitals(typed map[string]string) ([]storage.Vital, error) {
	var (
		out  []storage.Vital
		errs []error
		got  = map[string]float64{}
	)
	for _, f := range manualFields {
		t := strings.TrimSpace(strings.Replace(typed[f.key], ",", ".", 1)) // a decimal comma is common
		if t == "" {
			continue
		}
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a number", f.label, typed[f.key]))
			continue
		}
		if v < f.min || v > f.max {
			errs = append(errs, fmt.Errorf("%s: %g %s is outside %g–%g %s", f.label, v, f.unit, f.min, f.max, f.unit))
			continue
		}
		got[f.key] = v
		out = append(out, storage.Vital{Code: f.code, Label: f.label, Value: v, Unit: f.ucum, Status: devices.Valid})
	}
	_, sys := got["sys"]
	_, dia := got["dia"]
	switch {
	case strings.TrimSpace(typed["sys"]) != "" && strings.TrimSpace(typed["dia"]) == "",
		strings.TrimSpace(typed["dia"]) != "" && strings.TrimSpace(typed["sys"]) == "":
		errs = append(errs, errors.New("blood pressure: give both systolic and diastolic"))
	case sys && dia && got["dia"] >= got["sys"]:
		errs = append(errs, errors.New("blood pressure: diastolic must be below systolic"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errors.New("nothing to chart: type at least one value")
	}
	return out, nil
}

// chartingForm is manual charting: the clinician types vitals, signs with
// their user name, and the chart and its outbox unit are written in one
// transaction, exactly as the charting timer writes a device's.
type chartingForm struct {
	store   app.ChartStore
	patient storage.Patient
	author  string
	now     func() time.Time
	charted func(unitID int64) // e.g. the drainer's Kick; may be nil

	entries map[string]*widget.Entry
	sign    *widget.Check
	submit  *widget.Button
	status  *widget.Label
	root    fyne.CanvasObject
}

func newChartingForm(store app.ChartStore, patient storage.Patient, author string, now func() time.Time, charted func(int64)) *chartingForm {
	if now == nil {
		now = time.Now
	}
	f := &chartingForm{store: store, patient: patient, author: author, now: now, charted: charted,
		entries: map[string]*widget.Entry{}, status: widget.NewLabel("")}
	f.status.Wrapping = fyne.TextWrapWord
	form := widget.NewForm()
	for _, mf := range manualFields {
		e := widget.NewEntry()
		e.SetPlaceHolder(fmt.Sprintf("%g–%g", mf.min, mf.max))
		f.entries[mf.key] = e
		form.Append(mf.label+" ("+mf.unit+")", e)
	}
	f.sign = widget.NewCheck("Charted by "+author+" (signature)", func(bool) {})
	f.submit = widget.NewButton("Chart", f.chart)
	title := fmt.Sprintf("Chart vitals for %s (%s)", patient.Name, patient.MRN)
	f.root = container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, f.sign, f.submit, f.status)
	return f
}

// chart validates on the UI thread and writes off it.
func (f *chartingForm) chart() {
	typed := map[string]string{}
	for k, e := range f.entries {
		typed[k] = e.Text
	}
	vitals, err := manualVitals(typed)
	if err != nil {
		f.status.SetText(err.Error())
		return
	}
	if !f.sign.Checked {
		f.status.SetText("Sign the chart first: tick the box with your name.")
		return
	}
	c := storage.Chart{ID: uuid.NewString(), PatientMRN: f.patient.MRN, Time: f.now(), Vitals: vitals, Author: f.author}
	f.submit.Disable()
	f.status.SetText("Charting…")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), manualTimeout)
		defer cancel()
		unit, err := f.store.ChartVitals(ctx, c)
		if err == nil && f.charted != nil {
			f.charted(unit)
		}
		Do(func() {
			f.submit.Enable()
			if err != nil {
				f.status.SetText("Not charted: " + err.Error())
				return
			}
			for _, e := range f.entries {
				e.SetText("")
			}
			f.sign.SetChecked(false)
			f.status.SetText(fmt.Sprintf("Charted %d values at %s; queued for the EHR.", len(vitals), c.Time.Local().Format("15:04:05")))
		})
	}()
}
