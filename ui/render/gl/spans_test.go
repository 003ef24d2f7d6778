package gl

import (
	"errors"
	"image"
	"image/color"
	"testing"

	"telewave/ui/render"
)

func TestIsSoftware(t *testing.T) {
	for _, tc := range []struct {
		renderer string
		want     bool
	}{
		{"llvmpipe (LLVM 15.0.6, 256 bits) (Mesa/X.org)", true},
		{"softpipe (Mesa/X.org)", true},
		{"Software Rasterizer (Mesa Project)", true},
		{"Mesa DRI swrast", true},
		{"Apple Software Renderer (Apple Inc.)", true},
		{"GDI Generic (Microsoft Corporation)", true},
		{"Microsoft Basic Render Driver", true},
		{"SVGA3D; build: RELEASE; LLVM; (VMware, Inc.)", true},
		{"virgl (Mesa/X.org)", true},
		{"", true},
		{"NVIDIA GeForce RTX 3060/PCIe/SSE2 (NVIDIA Corporation)", false},
		{"Mesa Intel(R) UHD Graphics 620 (KBL GT2) (Intel)", false},
		{"AMD Radeon RX 6600 (radeonsi, navi23, LLVM 15.0.6) (AMD)", false},
		{"Apple M1 (Apple)", false},
	} {
		if got := IsSoftware(tc.renderer); got != tc.want {
			t.Errorf("IsSoftware(%q) = %v, want %v", tc.renderer, got, tc.want)
		}
	}
}

// TestAppendSpans: the rules are render.Lane.Spans's (tested there); here
// each span carries its column, lane top and colour, lane after lane.
func TestAppendSpans(t *testing.T) {
	green, red := color.RGBA{G: 255, A: 255}, color.RGBA{R: 255, A: 255}
	col := func(v float32) render.Column { return render.Column{Min: v, Max: v, Last: v, Valid: true} }
	s := &render.Scene{Lanes: []render.Lane{
		{Top: 10, Height: 20, Color: green, Columns: []render.Column{col(5), {}, col(7)}},
		{Top: 30, Height: 0, Color: red, Columns: []render.Column{col(1)}}, // draws nothing
		{Top: 40, Height: 20, Color: red, Columns: []render.Column{col(2), col(3), col(4)}},
	}}
	want := []span{{0, 10, 5, 6, green}, {2, 10, 7, 8, green}, {0, 40, 2, 3, red}, {1, 40, 2, 4, red}, {2, 40, 3, 5, red}}
	got := appendSpans(nil, s, 3)
	if len(got) != len(want) {
		t.Fatalf("got %d spans %v, want %v", len(got), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("span %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestEraseRects(t *testing.T) {
	for _, tc := range []struct {
		name        string
		w, x, width int
		a, b        [2]int
	}{
		{"inside", 32, 10, 5, [2]int{10, 15}, [2]int{}},
		{"wraps", 32, 30, 5, [2]int{30, 32}, [2]int{0, 3}},
		{"negative start", 32, -2, 4, [2]int{30, 32}, [2]int{0, 2}},
		{"past the width", 32, 70, 4, [2]int{6, 10}, [2]int{}},
		{"wider than the frame", 8, 3, 20, [2]int{3, 8}, [2]int{0, 3}},
		{"off", 32, 10, 0, [2]int{}, [2]int{}},
		{"empty frame", 0, 10, 5, [2]int{}, [2]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := eraseRects(tc.w, tc.x, tc.width)
			if a != tc.a || b != tc.b {
				t.Errorf("eraseRects(%d, %d, %d) = %v, %v; want %v, %v", tc.w, tc.x, tc.width, a, b, tc.a, tc.b)
			}
		})
	}
}

func TestCopyRowsHonoursStride(t *testing.T) {
	src := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16} // 2×2
	dst := image.NewRGBA(image.Rect(0, 0, 3, 2))
	copyRows(dst, src, 2, 2)
	want := []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 0}
	for i := range want {
		if dst.Pix[i] != want[i] {
			t.Fatalf("Pix = %v, want %v", dst.Pix, want)
		}
	}
}

func TestNewWithoutCgoOrMainThread(t *testing.T) {
	// nil onMain is refused before anything touches GLFW, with or without cgo.
	r, err := New(nil)
	if err == nil || r != nil {
		t.Fatalf("New(nil) = %v, %v; want an error", r, err)
	}
	if cgoEnabled && errors.Is(err, ErrNoCgo) {
		t.Errorf("with cgo New(nil) says %v", err)
	}
	if !cgoEnabled && !errors.Is(err, ErrNoCgo) {
		t.Errorf("without cgo New(nil) = %v, want ErrNoCgo", err)
	}
}
