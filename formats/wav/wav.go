// Package wav reads and writes RIFF WAVE audio: integer PCM of 8, 16, 24
// or 32 bits and IEEE float of 32 or 64 bits, any number of channels, any
// rate, in the plain or the WAVE_FORMAT_EXTENSIBLE fmt layout. It is how a
// stethoscope clip enters and leaves the workstation.
//
// Samples are held as float32 scaled to [-1, 1): an integer sample v of b
// bits reads as v / 2^(b-1), so 8-, 16- and 24-bit audio round-trips
// exactly; 32-bit integer audio keeps its top 24 bits (float32 mantissa),
// about 144 dB of dynamic range, which no stethoscope approaches.
package wav

import (
	"errors"
	"fmt"
)

// Audio is a decoded WAVE file.
type Audio struct {
	Rate     int  // frames per second
	Channels int  // interleaved channels in the file; len(Samples)
	Bits     int  // bits per sample in the file: 8, 16, 24, 32 (or 64 if Float)
	Float    bool // IEEE float samples rather than integer PCM
	// Samples holds one slice per channel, all the same length, scaled to
	// [-1, 1). Writing clips values outside that range.
	Samples [][]float32
}

// Frames returns the number of sample frames (samples per channel).
func (a *Audio) Frames() int {
	if len(a.Samples) == 0 {
		return 0
	}
	return len(a.Samples[0])
}

// Mono returns the channels averaged into one.
func (a *Audio) Mono() []float32 {
	if len(a.Samples) == 1 {
		return a.Samples[0]
	}
	out := make([]float32, a.Frames())
	if len(a.Samples) == 0 {
		return out
	}
	for _, ch := range a.Samples {
		for i, v := range ch {
			out[i] += v
		}
	}
	k := 1 / float32(len(a.Samples))
	for i := range out {
		out[i] *= k
	}
	return out
}

// Format tags of the fmt chunk and of the extensible sub-format GUID.
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagExtensible = 0xFFFE
)

// Limits that keep a hostile header from asking for absurd allocations.
const (
	maxChannels = 256
	maxRate     = 10_000_000
)

// ErrFormat marks a file that is not WAVE audio this package can decode.
var ErrFormat = errors.New("wav: unsupported or malformed file")

// ErrTruncated marks a file that ends inside a chunk.
var ErrTruncated = errors.New("wav: truncated")

// check validates the fields Write and Read share.
func check(rate, channels, bits int, float bool) error {
	switch {
	case channels < 1 || channels > maxChannels:
		return fmt.Errorf("%w: %d channels", ErrFormat, channels)
	case rate < 1 || rate > maxRate:
		return fmt.Errorf("%w: rate %d Hz", ErrFormat, rate)
	case float && bits != 32 && bits != 64:
		return fmt.Errorf("%w: %d-bit float samples", ErrFormat, bits)
	case !float && bits != 8 && bits != 16 && bits != 24 && bits != 32:
		return fmt.Errorf("%w: %d-bit integer samples", ErrFormat, bits)
	}
	return nil
}
