// Package render describes one frame of the waveform display as plain data
// (a Scene) and the Rasterizer interface that turns a Scene into pixels.
//
// It imports no GUI toolkit: the data path (rings, sweep, min/max envelope)
// builds Scenes off the UI thread, and a backend (render/cpu, later render/gl)
// draws them into an *image.RGBA that the UI only swaps and shows.
package render

import (
	"image"
	"image/color"
)

// Scene is everything one frame draws, in device pixels with the origin at
// the top-left corner of the destination image.
type Scene struct {
	Width, Height int
	// Background fills the frame before anything else and fills the erase bar.
	Background color.RGBA
	Grid       Grid
	Lanes      []Lane
	// EraseX is the first pixel column of the erase bar that runs just ahead
	// of the sweep position; the bar is EraseWidth columns wide and wraps at
	// the right edge to column 0, as the bar of a bedside monitor does.
	EraseX     int
	EraseWidth int
}

// Grid is the paper behind the traces: vertical and horizontal lines
// counted from the frame's top-left corner. Major lines are drawn over minor
// ones.
//
// With PitchX (PitchY) set, vertical (horizontal) line k sits at pixel
// round(k·PitchX), k = 0, 1, …, and every MajorEvery-th line (k divisible by
// it) is major: the pitch is the calibration's exact pixels per millimetre,
// so squares do not drift across the screen (paper.AppendGridLines places
// them; AppendColumns and AppendRows give every backend the same lines). A
// pitch under 1 pixel draws no lines on that axis; MajorEvery 0 makes every
// line minor, 1 every line major.
//
// Without a pitch on an axis, MinorX and MajorX (MinorY, MajorY) space its
// lines a whole number of pixels apart: a line at every multiple, zero or
// less turning that set off. They are for grids that are not paper.
type Grid struct {
	PitchX, PitchY float64
	MajorEvery     int
	MinorX, MinorY int
	MajorX, MajorY int
	Minor, Major   color.RGBA
}

// Lane is the horizontal band one trace is drawn in.
type Lane struct {
	// Top and Height are the lane's rows in the frame: [Top, Top+Height).
	Top, Height int
	Color       color.RGBA
	// Label names the trace; rasterizers do not draw it (the widget shows
	// text itself), it travels here so that a Scene is self-describing.
	Label string
	// Columns holds one envelope per pixel column, index = x. Columns past
	// the Scene's Width are ignored; missing ones are not drawn.
	Columns []Column
}

// Column is the envelope of the samples that fell into one pixel column, in
// pixel rows relative to the lane's Top (so 0 is the lane's first row). Min
// is the smaller row (higher on screen), Max the larger. Last is the row of
// the column's last sample in time: the next column's span is stretched to
// reach it, so that a steep QRS stays one continuous stroke.
type Column struct {
	Min, Max, Last float32
	// Valid is false for a gap (no data): nothing is drawn in that column and
	// the next column does not connect to it.
	Valid bool
}

// Rasterizer draws a Scene into an image. Implementations write every pixel
// of dst within the Scene's Width×Height (clipped to dst), so dst need not be
// cleared first, and keep their scratch space between calls so that a frame
// does not allocate.
type Rasterizer interface {
	Draw(dst *image.RGBA, s *Scene)
	// Name is the backend's name as the --render flag spells it.
	Name() string
}
