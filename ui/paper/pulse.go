package paper

// The calibration pulse at the start of each strip: flat for PulseLead,
// 1 mV for PulseWidth, flat again until PulseTotal, after which the trace
// starts.
const (
	PulseLead  = 0.05 // seconds of baseline before the step
	PulseWidth = 0.2  // seconds at 1 mV
	PulseTotal = 0.3  // seconds the pulse occupies, trailing baseline included
)

// PulseMV is the calibration pulse's value in mV t seconds into it: 1
// during [PulseLead, PulseLead+PulseWidth), 0 elsewhere.
func PulseMV(t float64) float64 {
	if t >= PulseLead && t < PulseLead+PulseWidth {
		return 1
	}
	return 0
}

// PulseRect is where the pulse's 1 mV step lies in pixels for a strip
// whose pulse starts at x0 with its baseline at row baseline: X/W cover the
// 200 ms, Y/H the 1 mV above the baseline.
func (c Calibration) PulseRect(x0, baseline float64) Rect {
	w := PulseWidth * c.PxPerSecond()
	h := c.PxPerMV()
	return Rect{X: x0 + PulseLead*c.PxPerSecond(), Y: baseline - h, W: w, H: h}
}

// PulsePx is the width in pixels the whole pulse takes at the start of a
// strip.
func (c Calibration) PulsePx() float64 { return PulseTotal * c.PxPerSecond() }
