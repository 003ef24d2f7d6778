package waveview

import (
	"math"

	"telewave/ui/paper"
	"telewave/ui/render"
)

// paperBaseline is where 0 mV sits in a Paper lane, as a share of its
// height from the top: QRS complexes are mostly upwards.
const paperBaseline = 0.6

// buildScene converts each sweep's envelopes (signal units) to lane pixel
// rows. In sweep mode the first trace's sweep places the erase bar; every
// lane also blanks its own erase columns, so a trace from another device,
// whose sweep runs on its own clock, gets its own bar. In scroll mode the
// columns are rotated so that the newest sits at the right edge.
func (rs *renderState) buildScene(pw, ph int) {
	w := rs.w
	st := &rs.settings
	sc := &rs.scene
	sc.Width, sc.Height = pw, ph
	sc.Background, sc.Grid = w.opts.Background, w.opts.Grid
	if st.hasCal {
		sc.Grid = calibratedGrid(st.cal, w.opts.Grid)
	}
	x0 := rs.geo.x0
	sw := pw - x0
	bar := max(w.opts.EraseWidth, 0)
	if st.mode == ModeScroll {
		bar = 0
	}
	sc.EraseWidth = 0
	n := len(rs.sweeps)
	for i, s := range rs.sweeps {
		t := rs.traces[i]
		ln := &sc.Lanes[i]
		ln.Top = i * ph / n
		ln.Height = (i+1)*ph/n - ln.Top
		ln.Color, ln.Label = t.Color, t.Label
		// row(v) = off - v*scale: Min/Max range, or mV at the paper's gain.
		scale := float32(ln.Height-1) / (t.Max - t.Min)
		off := t.Max * scale
		paperLane := st.hasCal && t.Paper
		if paperLane {
			scale = float32(st.cal.PxPerMV())
			off = float32(math.Round(paperBaseline * float64(ln.Height)))
		}
		rs.pulseColumns(ln.Columns[:x0], paperLane, off, scale)
		head := s.Head()
		erase0, erase1 := head+1, head+1+bar
		for j := range sw {
			src := j
			if st.mode == ModeScroll {
				src = (head + 1 + j) % sw
			}
			e := s.Column(src)
			inBar := (j >= erase0 && j < erase1) || j+sw < erase1
			if !e.Valid || head < 0 || inBar {
				ln.Columns[x0+j] = render.Column{}
				continue
			}
			ln.Columns[x0+j] = render.Column{Min: off - e.Max*scale, Max: off - e.Min*scale,
				Last: off - e.Last*scale, Valid: true}
		}
		if i == 0 && head >= 0 && bar > 0 {
			// The scene-wide bar also clears the grid; it stops at the
			// right edge so that it never wipes the pulse, and the lanes
			// blank their own wrapped part.
			sc.EraseX = x0 + erase0
			sc.EraseWidth = min(bar, pw-sc.EraseX)
		}
	}
}

// pulseColumns fills the columns before the sweep: the 1 mV calibration
// pulse in a paper lane, nothing in others.
func (rs *renderState) pulseColumns(cols []render.Column, paperLane bool, off, scale float32) {
	if !paperLane {
		clear(cols)
		return
	}
	pps := rs.settings.cal.PxPerSecond()
	for x := range cols {
		// Sample the pulse at the column's centre, so the step's edges
		// fall on whole columns.
		row := off - float32(paper.PulseMV((float64(x)+0.5)/pps))*scale
		cols[x] = render.Column{Min: row, Max: row, Last: row, Valid: true}
	}
}

// calibratedGrid is the 1 mm / 5 mm paper grid at c in g's colours, at the
// calibration's exact pitch: line k at round(k·px/mm), so a 5 mm square is
// 5 mm on average and the lines do not drift across the screen (at 96 dpi
// 1 mm is 3.78 px: squares of 19 and 18 px, not 20).
func calibratedGrid(c paper.Calibration, g render.Grid) render.Grid {
	mm := c.PxPerMM()
	if math.Round(mm) < 3 { // a 1 mm grid denser than 3 px is a grey wash: 5 mm only
		return render.Grid{PitchX: 5 * mm, PitchY: 5 * mm, MajorEvery: 1, Minor: g.Minor, Major: g.Major}
	}
	return render.Grid{PitchX: mm, PitchY: mm, MajorEvery: 5, Minor: g.Minor, Major: g.Major}
}
