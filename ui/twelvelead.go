package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"telewave/formats/ecg12"
	"telewave/ui/paper"
)

// Paper colours of the 12-lead view: a cart's pink grid, black ink.
var (
	paperWhite = color.RGBA{255, 255, 255, 255}
	paperMinor = color.RGBA{250, 205, 205, 255}
	paperMajor = color.RGBA{235, 130, 130, 255}
	paperInk   = color.RGBA{0, 0, 0, 255}
)

// twelveLeadStrip draws a 10 s 12-lead record on calibrated paper in one
// raster, with a label per strip. The picture is drawn when the painter
// asks at a new size or after a setting changed, and cached.
type twelveLeadStrip struct {
	widget.BaseWidget

	mv     map[string][]float64 // lead → mV
	rate   float64
	cal    paper.Calibration
	layout string
	rhythm string

	cacheKey string
	cache    *image.RGBA
	lanes    []paper.Lane // of the cached picture, in device pixels
}

func newTwelveLeadStrip(cal paper.Calibration) *twelveLeadStrip {
	s := &twelveLeadStrip{cal: cal, layout: paper.Layout3x4Plus, rhythm: "II", mv: map[string][]float64{}}
	s.ExtendBaseWidget(s)
	return s
}

// setRecord shows rec: its leads converted to mV once.
func (s *twelveLeadStrip) setRecord(rec *ecg12.Record) {
	s.mv, s.rate = map[string][]float64{}, 0
	if rec != nil {
		s.rate = rec.SampleRate
		for _, l := range rec.Leads {
			uv := l.Microvolts()
			for i := range uv {
				uv[i] /= 1000
			}
			s.mv[ecg12.NormalizeLabel(l.Label)] = uv
		}
	}
	s.cacheKey = ""
	s.Refresh()
}

// draw renders the strips at pw×ph device pixels.
func (s *twelveLeadStrip) draw(pw, ph int) image.Image {
	key := fmt.Sprintf("%dx%d %+v %s %s %p", pw, ph, s.cal, s.layout, s.rhythm, s.mv)
	if key == s.cacheKey && s.cache != nil {
		return s.cache
	}
	img := image.NewRGBA(image.Rect(0, 0, max(pw, 1), max(ph, 1)))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:i+4], []byte{paperWhite.R, paperWhite.G, paperWhite.B, 255})
	}
	paper.DrawGrid(img, s.cal, paperMinor, paperMajor)
	lanes, err := paper.Layout12(s.layout, float64(pw), float64(ph), s.cal, s.rhythm)
	if err == nil {
		for _, ln := range lanes {
			paper.DrawLane(img, ln, s.cal, s.mv[ln.Lead], s.rate, paperInk)
		}
	}
	s.cache, s.cacheKey, s.lanes = img, key, lanes
	return img
}

func (s *twelveLeadStrip) CreateRenderer() fyne.WidgetRenderer {
	r := &stripRenderer{s: s}
	r.raster = canvas.NewRaster(s.draw)
	return r
}

type stripRenderer struct {
	s      *twelveLeadStrip
	raster *canvas.Raster
	labels []*canvas.Text
}

func (r *stripRenderer) Layout(size fyne.Size) {
	r.raster.Resize(size)
	scale := canvasScale(r.s)
	lanes, err := paper.Layout12(r.s.layout, float64(size.Width*scale), float64(size.Height*scale), r.s.cal, r.s.rhythm)
	if err != nil {
		lanes = nil
	}
	for len(r.labels) < len(lanes) {
		t := canvas.NewText("", paperInk)
		t.TextSize = theme.CaptionTextSize()
		r.labels = append(r.labels, t)
	}
	for i, t := range r.labels {
		t.Hidden = i >= len(lanes)
		if t.Hidden {
			continue
		}
		ln := lanes[i]
		t.Text = ln.Lead
		if _, ok := r.s.mv[ln.Lead]; !ok && len(r.s.mv) > 0 {
			t.Text += " not recorded"
		}
		t.Move(fyne.NewPos(float32(ln.TraceX)/scale+2, float32(ln.Rect.Y)/scale+2))
		t.Resize(t.MinSize())
		t.Refresh()
	}
}

func (r *stripRenderer) MinSize() fyne.Size { return fyne.NewSize(300, 200) }
func (r *stripRenderer) Refresh() {
	r.Layout(r.s.Size())
	r.raster.Refresh()
}
func (r *stripRenderer) Destroy() {}
func (r *stripRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.raster}
	for _, l := range r.labels {
		objs = append(objs, l)
	}
	return objs
}

// canvasScale is device pixels per Fyne unit where o is shown (1 before it
// is on a canvas).
func canvasScale(o fyne.CanvasObject) float32 {
	if a := fyne.CurrentApp(); a != nil {
		if c := a.Driver().CanvasForObject(o); c != nil {
			return c.Scale()
		}
	}
	return 1
}

// twelveLeadView is the 12-lead review: the strips, layout/speed/gain
// selectors and the line saying what the paper is.
type twelveLeadView struct {
	strip  *twelveLeadStrip
	layout *widget.Select
	speed  *widget.Select
	gain   *widget.Select
	status *widget.Label
	root   fyne.CanvasObject
}

// newTwelveLeadView shows rec (nil: an empty paper until setRecord) at
// cal, in layout 3×4 + rhythm II.
func newTwelveLeadView(rec *ecg12.Record, cal paper.Calibration) *twelveLeadView {
	v := &twelveLeadView{strip: newTwelveLeadStrip(cal), status: widget.NewLabel("")}
	v.strip.setRecord(rec)
	v.layout = widget.NewSelect(paper.Layouts, func(s string) { v.strip.layout = s; v.changed() })
	v.speed = widget.NewSelect(mmOptions(paper.Speeds, " mm/s"), func(s string) {
		v.strip.cal.SpeedMMs = parseMM(s, v.strip.cal.SpeedMMs)
		v.changed()
	})
	v.gain = widget.NewSelect(mmOptions(paper.Gains, " mm/mV"), func(s string) {
		v.strip.cal.GainMMmV = parseMM(s, v.strip.cal.GainMMmV)
		v.changed()
	})
	v.layout.SetSelected(v.strip.layout)
	v.speed.SetSelected(fmt.Sprintf("%g mm/s", cal.SpeedMMs))
	v.gain.SetSelected(fmt.Sprintf("%g mm/mV", cal.GainMMmV))
	bar := container.NewHBox(widget.NewLabel("Layout"), v.layout, v.speed, v.gain, v.status)
	// Calipers lie over the paper: Δt and the rate from an RR interval, ΔmV.
	v.root = container.NewBorder(bar, nil, nil, nil,
		container.NewStack(v.strip, newCalipers(func() paper.Calibration { return v.strip.cal })))
	v.changed()
	return v
}

func (v *twelveLeadView) content() fyne.CanvasObject { return v.root }

// setRecord replaces the record shown (UI thread).
func (v *twelveLeadView) setRecord(rec *ecg12.Record) { v.strip.setRecord(rec) }

func (v *twelveLeadView) changed() {
	v.status.SetText(v.strip.cal.Text())
	v.strip.Refresh()
}

func mmOptions(vals []float64, unit string) []string {
	out := make([]string, len(vals))
	for i, x := range vals {
		out[i] = strconv.FormatFloat(x, 'g', -1, 64) + unit
	}
	return out
}

func parseMM(s string, fallback float64) float64 {
	f, err := strconv.ParseFloat(strings.Fields(s + " ")[0], 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return fallback
	}
	return f
}
