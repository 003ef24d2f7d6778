//go:build cgo

package gl

import (
	"image"
	"testing"
	"time"
)

func benchDraw(b *testing.B, period time.Duration) {
	r := newGL(b)
	r.SetPeriod(period)
	s := benchScene(b, 12, 1200, 900)
	img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	r.Draw(img, s)
	before := r.Stats()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r.Draw(img, s)
	}
	st := r.Stats()
	frames := float64(st.Frames - before.Frames)
	b.ReportMetric(float64(st.Thread-before.Thread)/frames, "thread-ns/frame")
	b.ReportMetric(float64(st.Late-before.Late)/frames, "late/frame")
}
