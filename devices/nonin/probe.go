package nonin

import (
	"context"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// ProbeTime bounds a probe when ctx has no earlier deadline.
const ProbeTime = 2500 * time.Millisecond

// probeMax bounds what a probe keeps of the reply.
const probeMax = 8 << 10

// Probe sends the format command of d.Format and says yes when an ACK is
// followed at once by consecutive frames of that format that pass their
// checks: three DF2/DF7 frames (checksum), or two DF8 frames (framing
// bits; at one frame a second this takes 2 s, so a DF8 probe waits up to
// 3 s). A NAK as the first byte, other bytes or silence rule it out. An
// 06 inside an older stream is no ACK unless frames follow it. The device
// is left streaming the selected format: the previous one cannot be read.
func (d *Driver) Probe(ctx context.Context, port io.ReadWriter) error {
	f := d.format()
	if f.FrameLen() == 0 {
		return fmt.Errorf("nonin probe: unknown format %d", byte(f))
	}
	if _, err := devices.WriteBurst(port, FormatCommand(f), time.Second); err != nil {
		return fmt.Errorf("nonin probe: send format command: %w", err)
	}
	wait, want := ProbeTime, 3
	if f == DF8 {
		wait, want = 3*time.Second, 2
	}
	var got []byte
	return devices.ProbeRead(ctx, port, wait, Protocol, func(b []byte) (bool, error) {
		if len(got) == 0 && b[0] == NAK {
			return false, fmt.Errorf("%v rejected (NAK)", f)
		}
		if len(got)+len(b) > probeMax {
			return false, nil // wait for the time to run out
		}
		got = append(got, b...)
		return ackedFrames(got, f, want), nil
	})
}

// ackedFrames reports whether some ACK in b is followed at once by want
// valid frames of format f.
func ackedFrames(b []byte, f Format, want int) bool {
	n := f.FrameLen()
	for i, c := range b {
		rest := b[i+1:]
		if c != ACK || len(rest) < want*n {
			continue
		}
		ok := true
		for k := range want {
			if _, err := Parse(f, rest[k*n:(k+1)*n]); err != nil {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
