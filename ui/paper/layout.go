package paper

import (
	"fmt"
	"math"
)

// Rect is a rectangle in device pixels, top-left origin.
type Rect struct{ X, Y, W, H float64 }

// Lane is one strip of a 12-lead layout.
type Lane struct {
	Rect Rect
	// Lead is the lead's canonical label (I, II, III, aVR, aVL, aVF,
	// V1…V6).
	Lead string
	// Offset is the record time (seconds from its start) of the strip's
	// first sample; Duration is how many seconds fit in the trace area.
	Offset, Duration float64
	// TraceX is where the trace starts: after the calibration pulse for the
	// first strip of a row, Rect.X otherwise.
	TraceX float64
	// Pulse is true for a row's first strip: the pulse is drawn at Rect.X.
	Pulse bool
	// Baseline is the row of 0 mV.
	Baseline float64
}

// Layout names as the selectors and the PDF report spell them.
const (
	Layout12x1    = "12x1"
	Layout3x4     = "3x4"
	Layout3x4Plus = "3x4+1"
	Layout6x2     = "6x2"
)

// Layouts are the 12-lead layouts in the order a selector offers them.
var Layouts = []string{Layout3x4, Layout3x4Plus, Layout6x2, Layout12x1}

// RecordSeconds is the length of a resting 12-lead record.
const RecordSeconds = 10.0

// columns of the standard layouts: the leads of each column, top to bottom.
var (
	cols3x4 = [][]string{{"I", "II", "III"}, {"aVR", "aVL", "aVF"}, {"V1", "V2", "V3"}, {"V4", "V5", "V6"}}
	cols6x2 = [][]string{{"I", "II", "III", "aVR", "aVL", "aVF"}, {"V1", "V2", "V3", "V4", "V5", "V6"}}
	cols1   = [][]string{{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"}}
)

// Layout12 divides a w×h pixel area into the strips of layout (Layouts) at
// calibration c, as a cart prints them: each row starts with the pulse,
// each column of a multi-column layout shows the next stretch of the 10 s
// (3×4: I/II/III 0–2.5 s, aVR/aVL/aVF 2.5–5 s, V1–V3 5–7.5 s, V4–V6
// 7.5–10 s). A column is as wide as its seconds at the paper speed; when
// the area is narrower each strip shows less time from the same offset.
// rhythm names the lead of the full-width row of "3x4+1" (II when empty).
// Rows share the height equally; the baseline sits at 60 % of the row.
func Layout12(layout string, w, h float64, c Calibration, rhythm string) ([]Lane, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("layout %s: %w", layout, err)
	}
	if !(w > 0) || !(h > 0) || math.IsInf(w+h, 0) {
		return nil, fmt.Errorf("layout %s: size %g×%g", layout, w, h)
	}
	var cols [][]string
	switch layout {
	case Layout12x1:
		cols = cols1
	case Layout3x4, Layout3x4Plus:
		cols = cols3x4
	case Layout6x2:
		cols = cols6x2
	default:
		return nil, fmt.Errorf("layout %q: not one of %v", layout, Layouts)
	}
	rows := len(cols[0])
	if layout == Layout3x4Plus {
		rows++
		if rhythm == "" {
			rhythm = "II"
		}
	}
	rowH := h / float64(rows)
	pulse := c.PulsePx()
	pps := c.PxPerSecond()
	colSec := RecordSeconds / float64(len(cols))
	colW := min(colSec*pps, (w-pulse)/float64(len(cols)))
	if colW <= 0 {
		return nil, fmt.Errorf("layout %s: %g px is too narrow for the pulse", layout, w)
	}
	lanes := make([]Lane, 0, 13)
	for j, leads := range cols {
		for i, lead := range leads {
			x := pulse + float64(j)*colW
			ln := Lane{Rect: Rect{X: x, Y: float64(i) * rowH, W: colW, H: rowH}, Lead: lead,
				Offset: float64(j) * colSec, Duration: colW / pps, TraceX: x, Baseline: float64(i)*rowH + 0.6*rowH}
			if j == 0 {
				ln.Rect.X, ln.Rect.W, ln.Pulse = 0, colW+pulse, true
			}
			lanes = append(lanes, ln)
		}
	}
	if layout == Layout3x4Plus {
		y := float64(rows-1) * rowH
		full := min(RecordSeconds*pps, w-pulse)
		lanes = append(lanes, Lane{Rect: Rect{X: 0, Y: y, W: full + pulse, H: rowH}, Lead: rhythm,
			Duration: full / pps, TraceX: pulse, Pulse: true, Baseline: y + 0.6*rowH})
	}
	return lanes, nil
}
