package compare

import (
	"image"
	"testing"

	"telewave/ui/render"
	"telewave/ui/render/cpu"
	"telewave/ui/render/gl"
	"telewave/ui/render/gl/gltest"
)

// BenchmarkECG12Lanes1200x900 draws the realistic 12-lead frame (10 s at
// 500 Hz across 1200 columns) with each backend; ns/op is one frame,
// read-back included for gl. Under Xvfb gl is Mesa's llvmpipe (software).
func BenchmarkECG12Lanes1200x900(b *testing.B) {
	s := twelveLeads(1200, 900, 700)
	b.Run("cpu", func(b *testing.B) { bench(b, cpu.New(), s) })
	b.Run("gl", func(b *testing.B) {
		gltest.Require(b)
		r, err := gl.New(gltest.OnMain)
		if err != nil {
			b.Skipf("SKIPPED: %v", err)
		}
		defer r.Close()
		bench(b, r, s)
	})
}

func bench(b *testing.B, r render.Rasterizer, s *render.Scene) {
	img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	r.Draw(img, s)
	b.ReportAllocs()
	for b.Loop() {
		r.Draw(img, s)
	}
}
