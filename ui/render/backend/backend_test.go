package backend

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"telewave/ui/render"
)

func TestNewRejectsUnknownNames(t *testing.T) {
	if _, err := New("vulkan", nil, nil); err == nil || !strings.Contains(err.Error(), "auto, gl or cpu") {
		t.Fatalf("New(vulkan) = %v, want a usage error", err)
	}
}

// cpu draws at once; gl or auto without a GUI main loop (no display, or a
// build without cgo) fall back to cpu and say why — never a blank screen.
func TestChoiceAndFallback(t *testing.T) {
	for _, name := range []string{"cpu", "gl", "auto"} {
		t.Run(name, func(t *testing.T) {
			var notes []string
			s, err := New(name, func(f func()) { f() }, func(n string) { notes = append(notes, n) })
			if err != nil {
				t.Fatal(err)
			}
			dst := image.NewRGBA(image.Rect(0, 0, 8, 8))
			sc := &render.Scene{Width: 8, Height: 8, Background: color.RGBA{1, 2, 3, 255}}
			s.Draw(dst, sc)
			s.Draw(dst, sc)
			if len(notes) != 1 {
				t.Fatalf("notes %q, want one", notes)
			}
			if got := dst.RGBAAt(4, 4); got != sc.Background {
				t.Fatalf("pixel %v, want the background drawn", got)
			}
			if name == "cpu" && s.Name() != "cpu" {
				t.Fatalf("Name %q", s.Name())
			}
			if s.Name() == "cpu" && name != "cpu" && !strings.Contains(s.Note(), "cpu rasterizer") {
				t.Fatalf("fallback note %q does not say cpu", s.Note())
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
