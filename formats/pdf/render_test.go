package pdf

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"telewave/formats/ecg12"
)

// These tests print a report, rasterise it with poppler's pdftoppm at
// 300 dpi and measure the picture: what a ruler on the printed page would
// find. Without poppler-utils they skip, loudly.

const dpi = 300

// rendered is a page rasterised at dpi, with the geometry the writer used
// to know where to look (never what to find).
type rendered struct {
	img image.Image
	g   geometry
}

func render(t *testing.T, r *ecg12.Record, opt Options) rendered {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skipf("SKIPPED LOUDLY: pdftoppm not found (install Debian package poppler-utils); the true-scale measurements of formats/pdf did not run")
	}
	var b bytes.Buffer
	if err := WriteECG12(&b, r, opt); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-r", "300", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode pdftoppm's PNG: %v", err)
	}
	o, err := resolve(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rendered{img: img, g: newGeometry(o.Paper, o.Speed, o.Gain, layouts[o.Layout])}
}

const pxPerMM = dpi / 25.4

// px converts page mm (PDF axes) to image pixels (y down).
func (p rendered) px(x, y float64) (int, int) {
	return int(math.Round(x * pxPerMM)), int(math.Round((p.g.pageH - y) * pxPerMM))
}

func (p rendered) rgb(x, y int) (r, g, b uint32) {
	r, g, b, _ = p.img.At(x, y).RGBA()
	return r >> 8, g >> 8, b >> 8
}

// majorWeight is how much a pixel looks like a 5 mm line: strongly red,
// which neither the 1 mm lines (pale) nor the traces (grey) are.
func majorWeight(r, g, b uint32) float64 {
	if r > 200 && g < 170 && b < 170 {
		return float64(255 - g)
	}
	return 0
}

// inkWeight is how much a pixel looks like the black pen.
func inkWeight(r, g, b uint32) float64 {
	if r < 110 && g < 110 && b < 110 {
		return float64(255 - r)
	}
	return 0
}

// centres scans n pixels and returns the weighted centre, in pixels from
// the scan's start, of each run of pixels with a non-zero weight.
func centres(n int, weight func(i int) float64) []float64 {
	var out []float64
	var sum, moment float64
	for i := 0; i <= n; i++ {
		w := 0.0
		if i < n {
			w = weight(i)
		}
		if w > 0 {
			sum += w
			moment += w * float64(i)
			continue
		}
		if sum > 0 {
			out = append(out, moment/sum)
			sum, moment = 0, 0
		}
	}
	return out
}

// spacingMM is the mean distance in mm between consecutive 5 mm lines
// found in centres (pixels), and the span from the first to the last.
// A gap that is not about one square (a trace hid a line) is left out.
func spacingMM(c []float64) (mean, span float64, n int) {
	var sum float64
	for i := 1; i < len(c); i++ {
		d := (c[i] - c[i-1]) / pxPerMM
		if d > 4 && d < 6 {
			sum += d
			n++
		}
	}
	if n == 0 || len(c) < 2 {
		return 0, 0, 0
	}
	return sum / float64(n), (c[len(c)-1] - c[0]) / pxPerMM, n
}
