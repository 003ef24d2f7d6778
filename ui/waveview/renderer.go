package waveview

import (
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

var _ fyne.WidgetRenderer = (*waveRenderer)(nil)

// waveRenderer shows the front frame in one raster with a label per lane. It
// only reads the widget's state.
type waveRenderer struct {
	w       *WaveView
	raster  *canvas.Raster
	labels  []*canvas.Text
	objects []fyne.CanvasObject
}

// CreateRenderer is called by Fyne on the UI thread.
func (w *WaveView) CreateRenderer() fyne.WidgetRenderer {
	r := &waveRenderer{w: w}
	r.raster = canvas.NewRaster(r.generate)
	r.objects = append(r.objects, r.raster)
	for _, t := range w.Traces() {
		l := canvas.NewText(t.Label, t.Color)
		l.TextSize = theme.CaptionTextSize()
		r.labels = append(r.labels, l)
		r.objects = append(r.objects, l)
	}
	w.raster.Store(r.raster)
	return r
}

// generate is called by the painter with the raster's size in device
// pixels, which is the size the render goroutine must draw at.
func (r *waveRenderer) generate(pw, ph int) image.Image {
	r.w.setPixelSize(pw, ph)
	if f := r.w.front.Load(); f != nil {
		return f.img
	}
	return r.w.empty
}

func (r *waveRenderer) Layout(size fyne.Size) {
	r.raster.Move(fyne.NewPos(0, 0))
	r.raster.Resize(size)
	// A first estimate of the pixel size so that the render goroutine can
	// draw before the first paint; generate corrects it.
	scale := float32(1)
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(r.w); c != nil {
			scale = c.Scale()
		}
	}
	r.w.setPixelSize(int(math.Ceil(float64(size.Width*scale))), int(math.Ceil(float64(size.Height*scale))))
	n := float32(len(r.labels))
	pad := theme.Padding() / 2
	for i, l := range r.labels {
		l.Move(fyne.NewPos(pad, float32(i)*size.Height/n+pad))
		l.Resize(l.MinSize())
	}
}

func (r *waveRenderer) MinSize() fyne.Size { return r.w.MinSize() }

func (r *waveRenderer) Refresh() {
	for i, t := range r.w.Traces() {
		r.labels[i].Text, r.labels[i].Color = t.Label, t.Color
		r.labels[i].Refresh()
	}
	r.raster.Refresh()
}

func (r *waveRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *waveRenderer) Destroy() {
	r.w.raster.CompareAndSwap(r.raster, nil)
}
