package paper

import "math"

// TimeCaliper is what two vertical calipers x1, x2 (pixels) measure at c:
// Δt in milliseconds (never negative) and, read as one RR interval, the
// heart rate 60/Δt in beats per minute (0 when Δt is 0).
func (c Calibration) TimeCaliper(x1, x2 float64) (ms, bpm float64) {
	pps := c.PxPerSecond()
	if !(pps > 0) {
		return 0, 0
	}
	dt := math.Abs(x2-x1) / pps
	if !(dt > 0) || math.IsInf(dt, 0) {
		return 0, 0
	}
	return dt * 1000, 60 / dt
}

// AmplitudeCaliper is the amplitude in mV between two horizontal calipers
// at rows y1 and y2 at c's gain: positive when y2 is above y1 (screen rows
// grow downwards).
func (c Calibration) AmplitudeCaliper(y1, y2 float64) float64 {
	ppm := c.PxPerMV()
	if !(ppm > 0) {
		return 0
	}
	return (y1 - y2) / ppm
}
