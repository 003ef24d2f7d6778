package render

import "telewave/ui/paper"

// Line classes of one pixel column or row of a Grid, as AppendColumns and
// AppendRows return them.
const (
	NoLine    uint8 = iota // background
	MinorLine              // a minor (1 mm) line
	MajorLine              // a major (5 mm) line
)

// AppendColumns appends the line class of each of the first w pixel
// columns (the vertical lines) to dst and returns it.
func (g *Grid) AppendColumns(dst []uint8, w int) []uint8 {
	return appendClasses(dst, w, g.PitchX, g.MinorX, g.MajorX, g.MajorEvery)
}

// AppendRows appends the line class of each of the first h pixel rows
// (the horizontal lines) to dst and returns it.
func (g *Grid) AppendRows(dst []uint8, h int) []uint8 {
	return appendClasses(dst, h, g.PitchY, g.MinorY, g.MajorY, g.MajorEvery)
}

// appendClasses places the lines of one axis over [0, n): from the exact
// pitch with paper.AppendGridLines (line k at round(k·pitch)) when it is
// set, else every minor and every major pixels.
func appendClasses(dst []uint8, n int, pitch float64, minor, major, every int) []uint8 {
	if n <= 0 {
		return dst
	}
	base := len(dst)
	dst = append(dst, make([]uint8, n)...)
	cls := dst[base:]
	if pitch > 0 {
		for _, l := range paper.AppendGridLines(nil, n, pitch, every) {
			if l.Major {
				cls[l.Pos] = MajorLine
			} else {
				cls[l.Pos] = MinorLine
			}
		}
		return dst
	}
	for i := range cls {
		switch {
		case major > 0 && i%major == 0:
			cls[i] = MajorLine
		case minor > 0 && i%minor == 0:
			cls[i] = MinorLine
		}
	}
	return dst
}
