package pdf

import (
	"math"

	"telewave/formats/ecg12"
)

// layoutSpec is a layout's grid of cells: rows × cols leads, plus a
// rhythm row over the whole width.
type layoutSpec struct {
	rows, cols int
	rhythm     bool
}

var layouts = map[string]layoutSpec{
	Layout3x4:       {rows: 3, cols: 4},
	Layout3x4Rhythm: {rows: 3, cols: 4, rhythm: true},
	Layout6x2:       {rows: 6, cols: 2},
	Layout12x1:      {rows: 12, cols: 1},
}

// Page furniture in mm from the top edge; the grid takes what is left.
const (
	gridTopMM    = 47  // below the header and the speed/gain line
	gridBottomMM = 10  // above the footer
	stripWidthMM = 250 // 10 s at 25 mm/s, 5 s at 50 mm/s
	baselineFrac = 0.55
)

// geometry places everything on the page in mm, PDF axes (origin lower
// left, y up). It is computed once from the paper, speed and layout.
type geometry struct {
	pageW, pageH               float64
	gridX, gridY, gridW, gridH float64 // grid rectangle, (gridX, gridY) its lower-left corner
	stripX                     float64 // x of time 0; the calibration pulses stand left of it
	seconds                    float64 // time shown across the strip
	rows                       int
	rowH                       float64
	speed, gain                float64
}

func newGeometry(p Paper, speed, gain float64, spec layoutSpec) geometry {
	wPt, hPt := p.size()
	g := geometry{pageW: wPt / mmToPt, pageH: hPt / mmToPt, speed: speed, gain: gain}
	g.rows = spec.rows
	if spec.rhythm {
		g.rows++
	}
	g.gridH = math.Floor((g.pageH-gridTopMM-gridBottomMM)/5) * 5 // whole 5 mm squares
	g.gridY = g.pageH - gridTopMM - g.gridH
	calW := g.pulseWidth() + 5
	g.gridW = calW + stripWidthMM
	g.gridX = math.Round((g.pageW-g.gridW)/2*10) / 10
	g.stripX = g.gridX + calW
	g.seconds = stripWidthMM / speed
	g.rowH = g.gridH / float64(g.rows)
	return g
}

// pulseWidth is the 200 ms of the calibration pulse at the paper speed.
func (g geometry) pulseWidth() float64 { return 0.2 * g.speed }

// pulseX is where the calibration pulse rises.
func (g geometry) pulseX() float64 { return g.gridX + 2.5 }

// baseline is the y of 0 mV in row (0 is the top row): a little above
// the row's middle, lower when the gain would lift the calibration pulse
// out of its row (20 mm/mV on 6x2), though never out of the row itself.
func (g geometry) baseline(row int) float64 {
	top := g.gridY + g.gridH - float64(row)*g.rowH
	return top - g.baselineDepth()
}

// baselineDepth is how far below its row's top a baseline lies.
func (g geometry) baselineDepth() float64 {
	return max(baselineFrac*g.rowH, min(g.gain+1.5, g.rowH-1))
}

// x is the position of time t (seconds from the first sample).
func (g geometry) x(t float64) float64 { return g.stripX + t*g.speed }

// y is the position of v µV in row.
func (g geometry) y(row int, uv float64) float64 { return g.baseline(row) + uv/1000*g.gain }

// cell is one lead's place on the strip: a row and a time window. lead is
// nil when the record has no such lead ("not recorded").
type cell struct {
	label  string
	row    int
	t0, t1 float64
	lead   *ecg12.Lead
}

// cells assigns the record's leads to the layout. Leads go down the
// columns in StandardOrder (I II III | aVR aVL aVF | V1 V2 V3 | V4 V5 V6
// for 3x4); a record with none of the twelve standard leads (a single
// "ECG" channel, a research file) fills the cells with its own leads in
// file order instead, so that it still prints.
func cells(r *ecg12.Record, spec layoutSpec, g geometry, rhythmLead string) []cell {
	order := ecg12.StandardOrder
	standard := false
	for _, l := range order {
		if _, ok := r.Lead(l); ok {
			standard = true
			break
		}
	}
	if !standard {
		order = make([]string, 0, len(r.Leads))
		for _, l := range r.Leads {
			order = append(order, l.Label)
		}
	}
	find := func(label string) *ecg12.Lead {
		for i := range r.Leads {
			if r.Leads[i].Label == label {
				return &r.Leads[i]
			}
		}
		return nil
	}
	colDur := g.seconds / float64(spec.cols)
	var out []cell
	for c := range spec.cols {
		for row := range spec.rows {
			k := c*spec.rows + row
			if k >= len(order) {
				continue
			}
			out = append(out, cell{label: order[k], row: row, t0: float64(c) * colDur, t1: float64(c+1) * colDur, lead: find(order[k])})
		}
	}
	if spec.rhythm {
		if !standard && rhythmLead == "II" && find("II") == nil {
			rhythmLead = order[0]
		}
		out = append(out, cell{label: rhythmLead, row: spec.rows, t0: 0, t1: g.seconds, lead: find(rhythmLead)})
	}
	return out
}
