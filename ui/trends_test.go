package ui

import (
	"errors"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestDecimateTrend(t *testing.T) {
	var pts []TrendPoint
	for i := range 120 { // one HR a minute for 2 h: 60 + i%10
		pts = append(pts, TrendPoint{t0.Add(time.Duration(i) * time.Minute), "HR", float64(60 + i%10)})
	}
	pts = append(pts, TrendPoint{t0, "SpO2", 97}, TrendPoint{t0.Add(time.Minute), "HR", math.Inf(1)})
	b := decimateTrend(pts, "HR", t0, t0.Add(time.Hour), 6) // 10 min a column
	for i, c := range b {
		if c.N != 10 || c.Min != 60 || c.Max != 69 || c.Mean != 64.5 {
			t.Errorf("column %d = %+v, want 10 values 60–69 mean 64.5", i, c)
		}
	}
	if b := decimateTrend(pts, "HR", t0.Add(3*time.Hour), t0.Add(4*time.Hour), 4); b[0].N+b[3].N != 0 {
		t.Errorf("points outside the span counted: %+v", b)
	}
	if b := decimateTrend(pts, "HR", t0, t0, 4); len(b) != 4 || b[0].N != 0 {
		t.Errorf("empty span: %+v", b)
	}
}

func TestDrawTrendBandAndMean(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 101))
	c := color.RGBA{0, 255, 0, 255}
	drawTrend(img, []trendBucket{{Min: 40, Max: 60, Mean: 50, N: 5}, {}, {Min: 100, Max: 100, Mean: 100, N: 1}}, 0, 100, c)
	if img.RGBAAt(0, 50) != c || img.RGBAAt(0, 45) == c || img.RGBAAt(0, 45).A == 0 {
		t.Errorf("column 0: mean %v band %v", img.RGBAAt(0, 50), img.RGBAAt(0, 45))
	}
	if img.RGBAAt(0, 30).A != 0 || img.RGBAAt(1, 50).A != 0 {
		t.Error("drew outside the band or in the empty column")
	}
	if img.RGBAAt(2, 0) != c || img.RGBAAt(2, 25).A != 0 {
		t.Error("after a gap the mean must not be joined to the previous column")
	}
}

func TestTrendsViewLoadsOffTheUIThread(t *testing.T) {
	test.NewTempApp(t)
	now := t0.Add(24 * time.Hour)
	calls := make(chan [2]time.Time, 8)
	var fail error
	src := func(from, to time.Time) ([]TrendPoint, error) {
		calls <- [2]time.Time{from, to}
		return []TrendPoint{{now.Add(-30 * time.Minute), "HR", 72}}, fail
	}
	v := newTrendsView(src, func() time.Time { return now })
	w := test.NewTempWindow(t, v.content())
	_ = w
	got := <-calls
	if !got[1].Equal(now) || got[1].Sub(got[0]) != time.Hour {
		t.Errorf("first load %v, want the last hour", got)
	}
	waitUntil(t, func() bool { return strings.Contains(v.status.Text, "1 values") })
	fail = errors.New("store closed")
	v.span = 8 * time.Hour
	v.reload(t.Context())
	if got := <-calls; got[1].Sub(got[0]) != 8*time.Hour {
		t.Errorf("8 h load %v", got)
	}
	waitUntil(t, func() bool { return strings.Contains(v.status.Text, "store closed") })
	img := v.drawer(trendCharts[0])(120, 60).(*image.RGBA)
	lit := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i+1] > 100 {
			lit++
		}
	}
	if lit == 0 {
		t.Error("HR chart drew nothing for the loaded point")
	}
}

func waitUntil(tb testing.TB, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
