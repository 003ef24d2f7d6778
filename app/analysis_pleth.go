package app

import (
	"math"
	"time"

	"telewave/devices"
	ppg "telewave/dsp/pleth"
)

// plethStream measures the pulse rate of one pleth signal.
type plethStream struct {
	sig        devices.Signal
	det        *ppg.Detector
	pushed     int64
	nextReport int64
	valid      bool // the last rate published was valid
}

func newPlethStream(s devices.Signal) (*plethStream, error) {
	det, err := ppg.NewDetector(s.SampleRate)
	if err != nil {
		return nil, err
	}
	return &plethStream{sig: s, det: det}, nil
}

// plethChunk feeds a chunk and publishes the pulse rate once a second of
// signal. A gap restarts the detector; a chunk with the sensor off counts
// as missing.
func (a *Analysis) plethChunk(d *deviceAnalysis, p *plethStream, c *devices.Chunk) {
	switch {
	case c.Flags&devices.LeadOff != 0:
		p.det.Gap(len(c.Samples))
	default:
		if c.Flags&devices.GapBefore != 0 && p.pushed > 0 {
			p.det.Gap(0)
		}
		x := make([]float64, len(c.Samples))
		for i, v := range c.Samples {
			x[i] = p.sig.Physical(v)
		}
		p.det.Push(x)
	}
	p.pushed += int64(len(c.Samples))
	if p.pushed < p.nextReport {
		return
	}
	p.nextReport = p.pushed + int64(math.Max(1, p.sig.SampleRate))
	end := c.HostTime.Add(time.Duration(float64(len(c.Samples)) / p.sig.SampleRate * float64(time.Second)))
	rate, ok := p.det.Rate()
	switch {
	case ok:
		p.valid = true
		a.rateNumeric(d, devices.MDCPulsOximPulsRt, "PR (telewave)", d.ownPR, math.Round(rate), devices.Valid, end)
	case p.valid:
		p.valid = false
		a.rateNumeric(d, devices.MDCPulsOximPulsRt, "PR (telewave)", d.ownPR, 0, devices.Unavailable, end)
	}
}
