package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// TrendPoint is one timestamped value of a numeric for the trends view.
// Param is one of trendParams' names ("HR", "SpO2", "PR", "RR", "NIBP sys",
// "NIBP dia", "Temp").
type TrendPoint struct {
	Time  time.Time
	Param string
	Value float64
}

// TrendSource returns the points in [from, to); the view calls it off the
// UI thread.
type TrendSource func(from, to time.Time) ([]TrendPoint, error)

// trendChart is one small chart: the params drawn in it and its range.
type trendChart struct {
	Title  string
	Params []string
	Lo, Hi float64
	Color  color.RGBA
}

var trendCharts = []trendChart{
	{"HR /min", []string{"HR"}, 30, 180, ecgGreen},
	{"SpO2 %", []string{"SpO2"}, 80, 100, plethCyan},
	{"PR /min", []string{"PR"}, 30, 180, plethCyan},
	{"RR /min", []string{"RR"}, 0, 40, color.RGBA{255, 255, 100, 255}},
	{"NIBP mmHg", []string{"NIBP sys", "NIBP dia"}, 30, 200, abpRed},
	{"Temp °C", []string{"Temp"}, 34, 41, color.RGBA{230, 230, 230, 255}},
}

// trendSpans are the time ranges offered.
var trendSpans = []time.Duration{time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour}

// trendBucket is what fell into one pixel column of a chart.
type trendBucket struct {
	Min, Max, Mean float64
	N              int
}

// decimateTrend folds the points of param in [from, to) into n columns:
// min, max and mean of each. The band min–max is what decimation hid.
func decimateTrend(pts []TrendPoint, param string, from, to time.Time, n int) []trendBucket {
	out := make([]trendBucket, max(n, 0))
	span := to.Sub(from)
	if n <= 0 || span <= 0 {
		return out
	}
	for _, p := range pts {
		if p.Param != param || p.Time.Before(from) || !p.Time.Before(to) || math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			continue
		}
		i := int(int64(p.Time.Sub(from)) * int64(n) / int64(span))
		b := &out[i]
		if b.N == 0 {
			b.Min, b.Max = p.Value, p.Value
		}
		b.Min, b.Max = min(b.Min, p.Value), max(b.Max, p.Value)
		b.Mean += (p.Value - b.Mean) / float64(b.N+1)
		b.N++
	}
	return out
}

// drawTrend draws buckets into img: a dim band from min to max, and the
// mean as a line joining neighbouring columns that have data.
func drawTrend(img *image.RGBA, buckets []trendBucket, lo, hi float64, c color.RGBA) {
	h := img.Rect.Dy()
	row := func(v float64) int {
		r := int(math.Round((hi - v) / (hi - lo) * float64(h-1)))
		return min(max(r, 0), h-1)
	}
	band := color.RGBA{c.R / 3, c.G / 3, c.B / 3, 255}
	prev := -1
	for x, b := range buckets {
		if x >= img.Rect.Dx() {
			break
		}
		if b.N == 0 {
			prev = -1
			continue
		}
		for y := row(b.Max); y <= row(b.Min); y++ {
			img.SetRGBA(x, y, band)
		}
		m := row(b.Mean)
		a, z := m, m
		if prev >= 0 {
			a, z = min(m, prev), max(m, prev)
		}
		for y := a; y <= z; y++ {
			img.SetRGBA(x, y, c)
		}
		prev = m
	}
}

// trendsView shows the numerics' trends over a chosen span.
type trendsView struct {
	source TrendSource
	now    func() time.Time
	span   time.Duration
	points []TrendPoint
	from   time.Time     // of the points shown
	shown  time.Duration // their span
	status *widget.Label
	charts []*canvas.Raster
	root   fyne.CanvasObject
	loads  int // loads started, for tests
}

// newTrendsView shows source's points over the last 1/4/8/24 h before
// now(); call reload (or pick a span) to fetch them.
func newTrendsView(source TrendSource, now func() time.Time) *trendsView {
	v := &trendsView{source: source, now: now, span: time.Hour, status: widget.NewLabel("")}
	names := []string{"1 h", "4 h", "8 h", "24 h"}
	spans := widget.NewRadioGroup(names, func(s string) {
		for i, n := range names {
			if n == s {
				v.span = trendSpans[i]
			}
		}
		v.reload(context.Background())
	})
	spans.Horizontal = true
	grid := container.NewGridWithColumns(2)
	for _, tc := range trendCharts {
		r := canvas.NewRaster(v.drawer(tc))
		r.SetMinSize(fyne.NewSize(240, 90))
		v.charts = append(v.charts, r)
		grid.Add(container.NewBorder(widget.NewLabel(tc.Title), nil, nil, nil, r))
	}
	spans.SetSelected(names[0])
	v.root = container.NewBorder(container.NewHBox(spans, v.status), nil, nil, nil, grid)
	return v
}

func (v *trendsView) content() fyne.CanvasObject { return v.root }

// reload fetches the span's points off the UI thread and redraws.
func (v *trendsView) reload(ctx context.Context) {
	to := v.now()
	span := v.span
	from := to.Add(-span)
	v.loads++
	v.status.SetText("loading…")
	go func() {
		pts, err := v.source(from, to)
		if ctx.Err() != nil {
			return
		}
		Do(func() {
			if err != nil {
				v.status.SetText(fmt.Sprintf("trends: %v", err))
				return
			}
			v.points, v.from, v.shown = pts, from, span
			v.status.SetText(fmt.Sprintf("%d values, %s – %s", len(pts), from.Format("15:04"), to.Format("15:04")))
			for _, c := range v.charts {
				c.Refresh()
			}
		})
	}()
}

func (v *trendsView) drawer(tc trendChart) func(w, h int) image.Image {
	return func(w, h int) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 255
		}
		if v.from.IsZero() {
			return img
		}
		for _, p := range tc.Params {
			drawTrend(img, decimateTrend(v.points, p, v.from, v.from.Add(v.shown), w), tc.Lo, tc.Hi, tc.Color)
		}
		return img
	}
}
