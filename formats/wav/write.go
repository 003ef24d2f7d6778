package wav

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Write encodes a as a WAVE file with a plain fmt chunk (PCM, or IEEE
// float when a.Float) at a.Bits bits. Channels must all hold the same
// number of frames; samples outside [-1, 1) are clipped, integer samples
// rounded to the nearest step.
func Write(w io.Writer, a Audio) error {
	if err := check(a.Rate, len(a.Samples), a.Bits, a.Float); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	if a.Channels != 0 && a.Channels != len(a.Samples) {
		return fmt.Errorf("write wav: Channels is %d but Samples holds %d", a.Channels, len(a.Samples))
	}
	frames := a.Frames()
	for c, ch := range a.Samples {
		if len(ch) != frames {
			return fmt.Errorf("write wav: channel %d has %d frames, channel 0 has %d", c, len(ch), frames)
		}
	}
	channels := len(a.Samples)
	width := a.Bits / 8
	dataSize := int64(frames) * int64(channels) * int64(width)
	if dataSize > math.MaxUint32-64 {
		return fmt.Errorf("write wav: %d bytes of samples exceed the 4 GiB RIFF limit", dataSize)
	}
	tag, fmtSize := uint16(tagPCM), uint32(16)
	if a.Float {
		tag, fmtSize = tagFloat, 18 // cbSize = 0, as non-PCM formats require
	}
	riffSize := 4 + 8 + fmtSize + 8 + uint32(dataSize) + uint32(dataSize%2)

	bw := bufio.NewWriter(w)
	le := binary.LittleEndian
	var h []byte
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, riffSize)
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, fmtSize)
	h = le.AppendUint16(h, tag)
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(a.Rate))
	h = le.AppendUint32(h, uint32(a.Rate*channels*width))
	h = le.AppendUint16(h, uint16(channels*width))
	h = le.AppendUint16(h, uint16(a.Bits))
	if a.Float {
		h = le.AppendUint16(h, 0)
	}
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(dataSize))
	bw.Write(h)

	enc := sampleEncoder(a.Bits, a.Float)
	buf := make([]byte, 0, channels*width)
	for i := range frames {
		buf = buf[:0]
		for c := range channels {
			buf = enc(buf, a.Samples[c][i])
		}
		bw.Write(buf)
	}
	if dataSize%2 == 1 {
		bw.WriteByte(0)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	return nil
}

// quantise scales v in [-1, 1) to a signed integer of bits bits, rounding
// and clipping.
func quantise(v float32, bits int) int64 {
	full := float64(int64(1) << (bits - 1))
	q := math.Round(float64(v) * full)
	if q != q { // NaN
		return 0
	}
	return int64(max(-full, min(full-1, q)))
}

func sampleEncoder(bits int, float bool) func([]byte, float32) []byte {
	le := binary.LittleEndian
	switch {
	case float && bits == 32:
		return func(b []byte, v float32) []byte { return le.AppendUint32(b, math.Float32bits(v)) }
	case float:
		return func(b []byte, v float32) []byte { return le.AppendUint64(b, math.Float64bits(float64(v))) }
	case bits == 8:
		return func(b []byte, v float32) []byte { return append(b, byte(quantise(v, 8)+128)) }
	case bits == 16:
		return func(b []byte, v float32) []byte { return le.AppendUint16(b, uint16(quantise(v, 16))) }
	case bits == 24:
		return func(b []byte, v float32) []byte {
			q := uint32(quantise(v, 24))
			return append(b, byte(q), byte(q>>8), byte(q>>16))
		}
	default:
		return func(b []byte, v float32) []byte { return le.AppendUint32(b, uint32(quantise(v, 32))) }
	}
}
