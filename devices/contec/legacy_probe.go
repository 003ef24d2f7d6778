package contec

import (
	"context"
	"io"

	"telewave/devices"
)

// LegacyProbeRun is how many consecutive well-formed packets (a sixth of a
// second of stream) Probe wants before it says yes.
const LegacyProbeRun = 10

// Probe listens, sending nothing, and says yes once LegacyProbeRun
// consecutive well-formed legacy packets arrived with no byte skipped
// between them and plausible content (SpO2 0..100 or the invalid 127). A
// V7.0 device never streams unasked, and its packets never hold four
// bytes in a row with bit 7 clear, so it is ruled out by content; silence
// rules the device out after ProbeTime.
func (d *LegacyDriver) Probe(ctx context.Context, port io.ReadWriter) error {
	in := &devices.Feed{}
	dec := NewLegacyDecoder(in)
	run, skipped := 0, 0
	return devices.ProbeRead(ctx, port, ProbeTime, LegacyProtocol, func(b []byte) (bool, error) {
		_, _ = in.Write(b)
		for {
			p, err := dec.Next()
			if err != nil {
				return false, nil // ErrNoData: wait for more bytes
			}
			plausible := p.SpO2 <= 100 || p.SpO2 == LegacyNoSpO2
			if dec.Skipped() != skipped || !plausible {
				run = 0
			}
			skipped = dec.Skipped()
			if plausible {
				run++
			}
			if run >= LegacyProbeRun {
				return true, nil
			}
		}
	})
}
