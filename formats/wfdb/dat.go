package wfdb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrData is wrapped by signal-file decode errors.
var ErrData = errors.New("bad wfdb signal data")

// Decode212 unpacks format 212 (pairs of 12-bit two's complement samples in
// three bytes) interleaved over nsig signals into one slice per signal.
// A trailing incomplete frame is dropped; a torn byte group is an error
// only when it leaves no whole frame at all.
func Decode212(data []byte, nsig int) ([][]int32, error) {
	if nsig <= 0 {
		return nil, fmt.Errorf("%w: %d signals", ErrData, nsig)
	}
	total := len(data) / 3 * 2
	frames := total / nsig
	out := alloc(nsig, frames)
	for i := 0; i < frames*nsig; i++ {
		b := data[i/2*3:]
		var v int32
		if i%2 == 0 {
			v = int32(b[0]) | int32(b[1]&0x0f)<<8
		} else {
			v = int32(b[2]) | int32(b[1]&0xf0)<<4
		}
		if v&0x800 != 0 {
			v -= 0x1000
		}
		out[i%nsig] = append(out[i%nsig], v)
	}
	return out, nil
}

// Encode212 packs interleaved samples in format 212; values are clamped to
// the 12-bit range, with -2048 kept for WFDB's "invalid sample".
func Encode212(sig [][]int32) []byte {
	if len(sig) == 0 {
		return nil
	}
	var flat []int32
	for j := range sig[0] {
		for s := range sig {
			flat = append(flat, clamp(sig[s][j], -2048, 2047))
		}
	}
	if len(flat)%2 == 1 {
		flat = append(flat, 0)
	}
	out := make([]byte, 0, len(flat)/2*3)
	for i := 0; i < len(flat); i += 2 {
		a, b := uint32(flat[i])&0xfff, uint32(flat[i+1])&0xfff
		out = append(out, byte(a), byte(a>>8)|byte(b>>8)<<4, byte(b))
	}
	return out
}

// Decode16 unpacks format 16: little-endian int16 samples, interleaved.
func Decode16(data []byte, nsig int) ([][]int32, error) {
	if nsig <= 0 {
		return nil, fmt.Errorf("%w: %d signals", ErrData, nsig)
	}
	frames := len(data) / 2 / nsig
	out := alloc(nsig, frames)
	for i := 0; i < frames*nsig; i++ {
		out[i%nsig] = append(out[i%nsig], int32(int16(binary.LittleEndian.Uint16(data[2*i:]))))
	}
	return out, nil
}

func alloc(nsig, frames int) [][]int32 {
	out := make([][]int32, nsig)
	for i := range out {
		out[i] = make([]int32, 0, frames)
	}
	return out
}

func clamp(v, lo, hi int32) int32 {
	return max(lo, min(hi, v))
}
