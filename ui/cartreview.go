package ui

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/formats/ecg12"
	"telewave/storage"
	"telewave/storage/sqlite"
	"telewave/ui/paper"
)

// maxCartSpan is the longest imported recording the records screen opens
// as a 12-lead (a cart's resting ECG is 10 s); longer imports open in the
// time-line review.
const maxCartSpan = 2 * time.Minute

// isCartImport reports whether rec is an imported file short enough to be
// a resting 12-lead.
func isCartImport(rec storage.Recording) bool {
	return strings.HasPrefix(rec.Device.Protocol, "import:") && !rec.Stopped.IsZero() &&
		rec.Stopped.Sub(rec.Started) <= maxCartSpan
}

// cartReview shows an imported 12-lead recording on calibrated paper
// (layouts, speed, gain, calipers: the 12-lead view) with, beside it, the
// cart's own measurements and interpretation as the file gave them and
// Telewave's own measurements, each under a heading that says whose they
// are.
type cartReview struct {
	s    *session
	st   *sqlite.Store
	user storage.User
	p    storage.Patient
	rec  storage.Recording

	view       *twelveLeadView
	cartHead   *widget.Label
	cart       *widget.Label // the cart's measurements
	statements *widget.Label // the cart's interpretation
	oursHead   *widget.Label
	ours       *widget.Label
	status     *widget.Label
	root       fyne.CanvasObject

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// openCartReview shows rec of p as a 12-lead; leaving the screen stops its
// loader.
func (s *session) openCartReview(u storage.User, p storage.Patient, rec storage.Recording) *cartReview {
	r := newCartReview(s, u, p, rec)
	s.show(r.root)
	s.leave = r.stop
	return r
}

func newCartReview(s *session, u storage.User, p storage.Patient, rec storage.Recording) *cartReview {
	ctx, cancel := context.WithCancel(s.ctx)
	r := &cartReview{s: s, st: s.store, user: u, p: p, rec: rec, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		view:     newTwelveLeadView(nil, paper.Standard(s.screen.DPI, s.screen.Calibrated)),
		cartHead: bold("From the cart: its own measurements"), cart: widget.NewLabel("…"), statements: widget.NewLabel(""),
		oursHead: bold("From Telewave: our measurements"), ours: widget.NewLabel("…"),
		status: widget.NewLabel("Opening the recording…")}
	for _, l := range []*widget.Label{r.cartHead, r.cart, r.statements, r.oursHead, r.ours, r.status} {
		l.Wrapping = fyne.TextWrapWord
	}
	back := widget.NewButton("Back to "+p.Name, s.act(func() { s.showHome(u, p.ID) }))
	timeline := widget.NewButton("Time-line review", s.act(func() { s.openReview(u, p, rec) }))
	head := container.NewHBox(back, timeline, widget.NewLabelWithStyle(fmt.Sprintf("%s — %s", p.Name, recordingLine(rec)),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	side := container.NewVScroll(container.NewVBox(
		r.cartHead, r.cart, bold("From the cart: its interpretation"), r.statements,
		widget.NewSeparator(),
		r.oursHead, r.ours,
		widget.NewLabel("Telewave measures; it does not interpret. The cart's statements are the cart's.")))
	split := container.NewHSplit(r.view.content(), side)
	split.SetOffset(0.72)
	r.root = container.NewBorder(head, r.status, nil, nil, split)
	go r.load()
	return r
}

func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// cartFindings is what the loader read and measured.
type cartFindings struct {
	rec        *ecg12.Record
	cart       []ecg12.Measurement
	statements []string
	cartName   string
	ours       []ecg12.Measurement
	lead, why  string
}

// load audits the view, reads the recording whole (10 s of 12 leads) with
// its notes and measures it, off the UI thread.
func (r *cartReview) load() {
	defer close(r.done)
	f, err := r.read()
	if r.ctx.Err() != nil {
		return
	}
	Do(func() { r.show(f, err) })
}

func (r *cartReview) read() (cartFindings, error) {
	var f cartFindings
	if err := r.st.Audit(r.ctx, "view", fmt.Sprintf("patient %d recording %d", r.p.ID, r.rec.ID)); err != nil {
		return f, err
	}
	_, tracks, err := app.ReadTracks(r.ctx, r.st, r.rec.ID)
	if err != nil {
		return f, err
	}
	if f.rec, err = app.CartRecord(tracks); err != nil {
		return f, err
	}
	notes, err := r.st.Annotations(r.ctx, r.rec.ID)
	if err != nil {
		return f, err
	}
	f.cart, f.statements, f.cartName = app.CartFindings(notes)
	f.ours, f.lead, f.why = app.MeasureTwelveLead(f.rec)
	return f, nil
}

// show runs on the UI thread with what the loader found.
func (r *cartReview) show(f cartFindings, err error) {
	if r.ctx.Err() != nil {
		return
	}
	if err != nil {
		r.status.SetText(fmt.Sprintf("Could not open the recording: %v", err))
		return
	}
	r.view.setRecord(f.rec)
	cart := f.cartName
	if cart == "" {
		cart = orDash(strings.TrimSpace(r.rec.Device.Model))
	}
	r.cartHead.SetText(fmt.Sprintf("From the cart (%s): its own measurements", cart))
	r.cart.SetText(measurementLines(f.cart, "The file holds no measurements."))
	if len(f.statements) == 0 {
		r.statements.SetText("The file holds no interpretation.")
	} else {
		r.statements.SetText(strings.Join(f.statements, "\n"))
	}
	r.oursHead.SetText(fmt.Sprintf("From Telewave (QRS detector on lead %s): our measurements", orDash(f.lead)))
	ours := measurementLines(f.ours, "")
	if f.why != "" {
		ours = strings.TrimSpace(ours + "\n" + f.why)
	}
	r.ours.SetText(ours)
	r.status.SetText(fmt.Sprintf("%d leads at %g Hz, %s.", len(f.rec.Leads), f.rec.SampleRate, r.view.strip.cal.Text()))
}

// measurementLines is one "Name: value unit" line per measurement.
func measurementLines(ms []ecg12.Measurement, none string) string {
	if len(ms) == 0 {
		return none
	}
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = measurementName(m.Name) + ": " + measurementValue(m)
	}
	return strings.Join(lines, "\n")
}

// cartNames spells out the measurement names carts use.
var cartNames = map[string]string{
	"VentricularRate": "Ventricular rate", "AtrialRate": "Atrial rate", "RRInterval": "RR interval",
	"PPInterval": "PP interval", "PDuration": "P duration", "PRInterval": "PR interval",
	"QRSDuration": "QRS duration", "QTInterval": "QT interval", "PAxis": "P axis", "QRSAxis": "QRS axis",
	"RAxis": "R axis", "TAxis": "T axis",
}

func measurementName(name string) string {
	if n, ok := cartNames[name]; ok {
		return n
	}
	return name
}

func measurementValue(m ecg12.Measurement) string {
	if math.IsNaN(m.Value) {
		return "not measured"
	}
	v := strconv.FormatFloat(m.Value, 'f', -1, 64)
	switch m.Unit {
	case "":
		return v
	case "deg":
		return v + "°"
	}
	return v + " " + m.Unit
}

// stop ends the loader; it runs on the UI thread when the screen is left.
func (r *cartReview) stop() {
	r.cancel()
	<-r.done
}
