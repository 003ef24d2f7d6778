package pdf

import (
	"math"
	"testing"

	"telewave/formats/ecg12"
)

// TestTrueScale rasterises reports at 300 dpi and measures, in pixels,
// the 5 mm grid, the 1 mV calibration pulse and (for a 1 mV square wave)
// the trace's height and the time between its edges.
func TestTrueScale(t *testing.T) {
	tests := []struct {
		name   string
		rec    func(testing.TB) *ecg12.Record
		opt    Options
		square bool // every lead is a 1 mV square wave of period 1 s
	}{
		{"Sierra demo A4 25 mm/s 10 mm/mV 3x4+1", sierraDemo, Options{}, false},
		{"Sierra demo Letter 50 mm/s 5 mm/mV 12x1", sierraDemo, Options{Paper: Letter, Speed: 50, Gain: 5, Layout: Layout12x1}, false},
		{"square A4 25 mm/s 20 mm/mV 6x2", squareRec, Options{Gain: 20, Layout: Layout6x2}, true},
		{"square Letter 25 mm/s 10 mm/mV 3x4", squareRec, Options{Paper: Letter, Layout: Layout3x4}, true},
		{"square A4 50 mm/s 5 mm/mV 3x4+1", squareRec, Options{Speed: 50, Gain: 5}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := render(t, tc.rec(t), tc.opt)
			t.Run("5 mm grid", func(t *testing.T) { checkGrid(t, p) })
			t.Run("calibration pulse", func(t *testing.T) { checkPulses(t, p) })
			if tc.square {
				t.Run("1 mV square wave", func(t *testing.T) { checkSquare(t, p) })
			}
		})
	}
}

func squareRec(testing.TB) *ecg12.Record { return squareWave(10) }

// checkGrid scans rows and columns of the grid for the darker 5 mm lines:
// their mean spacing must be 5 ± 0.1 mm and, where every line was found,
// the first to the last must span the grid within 0.25 mm.
func checkGrid(t *testing.T, p rendered) {
	g := p.g
	type scan struct {
		dir         string
		n           int
		weight      func(i int) float64
		wantSpan    float64
		wantNumbers int
	}
	var scans []scan
	x0, _ := p.px(g.gridX-2, 0)
	x1, _ := p.px(g.gridX+g.gridW+2, 0)
	for y := g.gridY + 2.5; y < g.gridY+g.gridH; y += 25 {
		_, py := p.px(0, y)
		scans = append(scans, scan{"row", x1 - x0, func(i int) float64 { return majorWeight(p.rgb(x0+i, py)) }, g.gridW, int(g.gridW/5) + 1})
	}
	_, y0 := p.px(0, g.gridY+g.gridH+2)
	_, y1 := p.px(0, g.gridY-2)
	for x := g.stripX + 2.5; x < g.gridX+g.gridW; x += 25 {
		px, _ := p.px(x, 0)
		scans = append(scans, scan{"column", y1 - y0, func(i int) float64 { return majorWeight(p.rgb(px, y0+i)) }, g.gridH, int(g.gridH/5) + 1})
	}
	complete := 0
	for _, s := range scans {
		c := centres(s.n, s.weight)
		mean, span, n := spacingMM(c)
		if n < s.wantNumbers/2 {
			t.Fatalf("%s scan found %d lines, %d spacings: not the grid", s.dir, len(c), n)
		}
		if math.Abs(mean-5) > 0.1 {
			t.Errorf("%s scan: 5 mm lines %.3f mm apart on average (%d spacings)", s.dir, mean, n)
		}
		if len(c) == s.wantNumbers {
			complete++
			if math.Abs(span-s.wantSpan) > 0.25 {
				t.Errorf("%s scan: %d lines span %.3f mm, want %.0f mm", s.dir, len(c), span, s.wantSpan)
			}
		}
		t.Logf("%-6s scan: %2d lines, mean spacing %.4f mm, first to last %.3f mm", s.dir, len(c), mean, span)
	}
	if complete == 0 {
		t.Errorf("no scan found every 5 mm line")
	}
}

// inkCentres returns the centres (mm from the scan's start) of the black
// pen crossed by a vertical scan at x from y (bottom) to y+h, in page mm.
func (p rendered) inkVertical(x, yLo, yHi float64) []float64 {
	px, top := p.px(x, yHi)
	_, bottom := p.px(x, yLo)
	c := centres(bottom-top, func(i int) float64 { return inkWeight(p.rgb(px, top+i)) })
	for i := range c { // to page mm, y up
		c[i] = yHi - c[i]/pxPerMM
	}
	return c
}

func (p rendered) inkHorizontal(y, xLo, xHi float64) []float64 {
	left, py := p.px(xLo, y)
	right, _ := p.px(xHi, y)
	c := centres(right-left, func(i int) float64 { return inkWeight(p.rgb(left+i, py)) })
	for i := range c {
		c[i] = xLo + c[i]/pxPerMM
	}
	return c
}

// checkPulses measures every row's pulse: height (top line to baseline)
// gain ± 0.2 mm, width (rising to falling edge) 200 ms ± 0.2 mm.
func checkPulses(t *testing.T, p rendered) {
	g := p.g
	for row := range g.rows {
		b := g.baseline(row)
		top := p.inkVertical(g.pulseX()+g.pulseWidth()/2, b-3, b+g.gain+1.5)
		base := p.inkVertical((g.gridX+1+g.pulseX())/2, b-3, b+g.gain+1.5)
		if len(top) != 1 || len(base) != 1 {
			t.Fatalf("row %d: pen crossings %v above the pulse, %v beside it; want one each", row, top, base)
		}
		h := top[0] - base[0]
		if math.Abs(h-g.gain) > 0.2 {
			t.Errorf("row %d: 1 mV pulse %.3f mm tall at %g mm/mV", row, h, g.gain)
		}
		edges := p.inkHorizontal(b+g.gain/2, g.gridX+0.5, g.stripX)
		if len(edges) != 2 {
			t.Fatalf("row %d: %d pulse edges at half height, want 2", row, len(edges))
		}
		if w := edges[1] - edges[0]; math.Abs(w-0.2*g.speed) > 0.2 {
			t.Errorf("row %d: pulse %.3f mm wide, want 200 ms = %.1f mm", row, w, 0.2*g.speed)
		}
		if row == 0 {
			t.Logf("pulse: %.3f mm tall (gain %g mm/mV), %.3f mm wide", h, g.gain, edges[1]-edges[0])
		}
	}
}

// checkSquare measures the square wave in the first cell: the high level
// gain mm above the low one, and edges every 0.5 s at the paper speed.
func checkSquare(t *testing.T, p rendered) {
	g := p.g
	b := g.baseline(0)
	low := p.inkVertical(g.x(0.25), b-3, b+g.gain+1.5)
	high := p.inkVertical(g.x(0.75), b-3, b+g.gain+1.5)
	if len(low) != 1 || len(high) != 1 {
		t.Fatalf("pen crossings %v at 0.25 s, %v at 0.75 s; want one each", low, high)
	}
	if h := high[0] - low[0]; math.Abs(h-g.gain) > 0.2 {
		t.Errorf("1 mV step %.3f mm on paper at %g mm/mV", h, g.gain)
	} else {
		t.Logf("1 mV square wave: %.3f mm at %g mm/mV", h, g.gain)
	}
	if math.Abs(low[0]-b) > 0.2 {
		t.Errorf("0 µV drawn %.3f mm from the baseline", low[0]-b)
	}
	edges := p.inkHorizontal(b+g.gain/2, g.x(0.1), g.x(g.seconds/4-0.1))
	if len(edges) < 2 {
		t.Fatalf("%d edges of the square wave", len(edges))
	}
	for i := 1; i < len(edges); i++ {
		if d := edges[i] - edges[i-1]; math.Abs(d-0.5*g.speed) > 0.2 {
			t.Errorf("edges %.3f mm apart, want 0.5 s = %.1f mm at %g mm/s", d, 0.5*g.speed, g.speed)
		}
	}
}
