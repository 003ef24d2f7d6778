package paper

// Kind is what a monitor lane shows; it sets the lane's share of height.
type Kind int

// Monitor lane kinds.
const (
	ECG Kind = iota
	Pleth
	Pressure
	Resp
)

// weight is each kind's share of height: ECG lanes get the most, as on a
// bedside monitor.
func (k Kind) weight() float64 {
	switch k {
	case ECG:
		return 1.0
	case Pressure:
		return 0.8
	default:
		return 0.65
	}
}

// MonitorLane is one waveform lane of the monitor layout.
type MonitorLane struct {
	Kind  Kind
	Label string
	Rect  Rect
}

// MonitorLayout divides a w×h area into waveform lanes stacked top to
// bottom (heights by kind, in the order given) and a column of numeric
// tiles on the right, one per tile, each beside the lanes in the same
// order, as a bedside monitor places its numbers. The tile column takes
// 22 % of the width, at least 120 and at most 280 pixels, and none when
// tiles is 0.
func MonitorLayout(w, h float64, lanes []MonitorLane, tiles int) (waves []MonitorLane, tileRects []Rect) {
	if !(w > 0) || !(h > 0) {
		return nil, nil
	}
	tileW := 0.0
	if tiles > 0 {
		tileW = min(max(0.22*w, 120), 280, w/2)
	}
	waveW := w - tileW
	total := 0.0
	for _, l := range lanes {
		total += l.Kind.weight()
	}
	y := 0.0
	for _, l := range lanes {
		hh := h * l.Kind.weight() / total
		l.Rect = Rect{X: 0, Y: y, W: waveW, H: hh}
		waves = append(waves, l)
		y += hh
	}
	for i := range tiles {
		tileRects = append(tileRects, Rect{X: waveW, Y: float64(i) * h / float64(tiles), W: tileW, H: h / float64(tiles)})
	}
	return waves, tileRects
}
