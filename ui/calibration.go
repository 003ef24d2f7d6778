package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/ui/paper"
)

// rulerMM is the length of the bar the user measures.
const rulerMM = 50.0

// calibrationForm is the screen-calibration setting: a bar drawn 50 mm
// long at the current DPI, a field for the length the user measured with a
// real ruler, and Apply, which corrects the DPI and hands it to save (the
// lead's settings store). The line under it says where the DPI came from.
type calibrationForm struct {
	dpi      float64
	source   string
	save     func(dpi float64) error
	bar      *canvas.Rectangle
	row      *fixedHeight
	measured *widget.Entry
	status   *widget.Label
	root     fyne.CanvasObject
}

// newCalibrationForm starts from screen (paper.DetectScreen, or the saved
// setting) and calls save with a corrected DPI.
func newCalibrationForm(screen paper.Screen, save func(dpi float64) error) *calibrationForm {
	f := &calibrationForm{dpi: screen.DPI, source: screen.Source, save: save,
		bar: canvas.NewRectangle(color.RGBA{0, 200, 120, 255}), measured: widget.NewEntry(), status: widget.NewLabel("")}
	if !screen.Calibrated {
		f.source += " (uncalibrated)"
	}
	f.measured.SetPlaceHolder("measured length in mm")
	apply := widget.NewButton("Apply", f.apply)
	f.row = &fixedHeight{}
	rulerBox := container.New(f.row, f.bar)
	f.root = container.NewVBox(
		widget.NewLabel(fmt.Sprintf("Hold a ruler to the bar: it should be %g mm long.", rulerMM)),
		rulerBox,
		container.NewBorder(nil, nil, widget.NewLabel("Measured"), apply, f.measured),
		f.status)
	f.layoutBar()
	return f
}

func (f *calibrationForm) content() fyne.CanvasObject { return f.root }

// barUnits is the bar's length in Fyne units at the current DPI.
func (f *calibrationForm) barUnits() float32 {
	px := rulerMM * f.dpi / 25.4
	return float32(px) / canvasScale(f.bar)
}

func (f *calibrationForm) layoutBar() {
	w := f.barUnits()
	f.row.size = fyne.NewSize(w, 18)
	f.bar.Resize(fyne.NewSize(w, 14))
	f.bar.Refresh()
	f.status.SetText(fmt.Sprintf("%.1f dpi from %s", f.dpi, f.source))
}

func (f *calibrationForm) apply() {
	mm, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.measured.Text), "mm")), 64)
	if err != nil {
		f.status.SetText(fmt.Sprintf("Type the measured length in mm, e.g. 48.5 (%v)", err))
		return
	}
	dpi, err := paper.CorrectDPI(f.dpi, rulerMM, mm)
	if err != nil {
		f.status.SetText("Not applied: " + err.Error())
		return
	}
	if err := f.save(dpi); err != nil {
		f.status.SetText("Not saved: " + err.Error())
		return
	}
	f.dpi, f.source = dpi, "ruler check"
	f.measured.SetText("")
	f.layoutBar()
}

// fixedHeight lays the ruler bar out at its own size and asks for it.
type fixedHeight struct{ size fyne.Size }

func (l *fixedHeight) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 2))
		o.Resize(fyne.NewSize(l.size.Width, l.size.Height-4))
	}
}

func (l *fixedHeight) MinSize([]fyne.CanvasObject) fyne.Size { return l.size }
