package paper

import "math"

// GridLine is one line of the paper grid at a whole pixel.
type GridLine struct {
	Pos   int  // pixel column (vertical lines) or row (horizontal lines)
	Major bool // a 5 mm line
}

// AppendGridLines appends to dst the lines of a grid with a line every
// pitch pixels (1 mm at the calibration: PxPerMM) over [0, length) and
// returns it. Line k sits at round(k·pitch): the spacing is not an integer,
// so each line is rounded on its own from the exact position instead of
// adding a rounded step, and a 5 mm square measures 5 mm on average with
// no drift across the screen. Every majorEvery-th line (5) is major.
func AppendGridLines(dst []GridLine, length int, pitch float64, majorEvery int) []GridLine {
	if !(pitch >= 1) || math.IsInf(pitch, 0) || length <= 0 {
		return dst
	}
	for k := 0; ; k++ {
		p := int(math.Round(float64(k) * pitch))
		if p >= length {
			return dst
		}
		dst = append(dst, GridLine{Pos: p, Major: majorEvery > 0 && k%majorEvery == 0})
	}
}

// GridLines is AppendGridLines into a new slice at 1 mm pitch with a major
// line every 5 mm.
func (c Calibration) GridLines(length int) []GridLine {
	return AppendGridLines(nil, length, c.PxPerMM(), 5)
}
