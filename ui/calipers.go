package ui

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"telewave/ui/paper"
)

var caliperColor = color.RGBA{255, 200, 0, 255}

// caliperGrab is how close (Fyne units) a drag must start to a caliper to
// move it.
const caliperGrab = 12

// calipers is a transparent overlay with two vertical time calipers and two
// horizontal amplitude calipers, dragged with the pointer. It reads Δt in
// ms and the rate 60/Δt (an RR interval) and ΔmV at the calibration's gain.
// Stack it over the 12-lead strip or a frozen waveview.
type calipers struct {
	widget.BaseWidget

	cal    func() paper.Calibration // the paper under the calipers
	x      [2]float32               // time calipers, Fyne units from the left
	y      [2]float32               // amplitude calipers, from the top
	active int                      // 0,1: x[active]; 2,3: y[active-2]; -1: none
}

// newCalipers returns calipers measuring at cal() (called on the UI thread
// at each change, so a speed or gain switch is followed).
func newCalipers(cal func() paper.Calibration) *calipers {
	c := &calipers{cal: cal, x: [2]float32{100, 200}, y: [2]float32{60, 120}, active: -1}
	c.ExtendBaseWidget(c)
	return c
}

// readout is what the calipers measure, as the screen prints it.
func (c *calipers) readout() string {
	cal := c.cal()
	s := float64(canvasScale(c)) // calipers sit in Fyne units; the paper is in device pixels
	ms, bpm := cal.TimeCaliper(float64(c.x[0])*s, float64(c.x[1])*s)
	mv := cal.AmplitudeCaliper(float64(max(c.y[0], c.y[1]))*s, float64(min(c.y[0], c.y[1]))*s)
	rate := "-- /min"
	if bpm > 0 {
		rate = fmt.Sprintf("%.0f /min", bpm)
	}
	return fmt.Sprintf("Δt %.0f ms · %s · Δ %.2f mV", ms, rate, mv)
}

// Dragged moves the caliper nearest to where the drag started by the
// drag's delta. The first event's position picks it: drivers report it a
// few units past the press, well inside caliperGrab.
func (c *calipers) Dragged(e *fyne.DragEvent) {
	if c.active < 0 {
		start := e.Position
		best := float32(caliperGrab)
		for i, x := range c.x {
			if d := abs32(start.X - x); d < best {
				best, c.active = d, i
			}
		}
		for i, y := range c.y {
			if d := abs32(start.Y - y); d < best {
				best, c.active = d, 2+i
			}
		}
		if c.active < 0 {
			return
		}
	}
	sz := c.Size()
	if c.active < 2 {
		c.x[c.active] = clamp32(c.x[c.active]+e.Dragged.DX, 0, sz.Width)
	} else {
		c.y[c.active-2] = clamp32(c.y[c.active-2]+e.Dragged.DY, 0, sz.Height)
	}
	c.Refresh()
}

// DragEnd lets go of the caliper.
func (c *calipers) DragEnd() { c.active = -1 }

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

func clamp32(v, lo, hi float32) float32 { return min(max(v, lo), hi) }

func (c *calipers) CreateRenderer() fyne.WidgetRenderer {
	r := &caliperRenderer{c: c, text: canvas.NewText("", caliperColor)}
	r.text.TextSize = theme.TextSize()
	r.text.TextStyle = fyne.TextStyle{Bold: true}
	for i := range r.lines {
		r.lines[i] = canvas.NewLine(caliperColor)
		r.lines[i].StrokeWidth = 1
	}
	return r
}

type caliperRenderer struct {
	c     *calipers
	lines [4]*canvas.Line
	text  *canvas.Text
}

func (r *caliperRenderer) Layout(size fyne.Size) {
	for i, x := range r.c.x {
		r.lines[i].Position1, r.lines[i].Position2 = fyne.NewPos(x, 0), fyne.NewPos(x, size.Height)
	}
	for i, y := range r.c.y {
		r.lines[2+i].Position1, r.lines[2+i].Position2 = fyne.NewPos(0, y), fyne.NewPos(size.Width, y)
	}
	r.text.Text = r.c.readout()
	r.text.Resize(r.text.MinSize())
	r.text.Move(fyne.NewPos(size.Width-r.text.MinSize().Width-theme.Padding(), theme.Padding()))
}

func (r *caliperRenderer) MinSize() fyne.Size { return fyne.NewSize(50, 50) }

func (r *caliperRenderer) Refresh() {
	r.Layout(r.c.Size())
	for _, l := range r.lines {
		l.Refresh()
	}
	r.text.Refresh()
}

func (r *caliperRenderer) Destroy() {}

func (r *caliperRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.lines[0], r.lines[1], r.lines[2], r.lines[3], r.text}
}
