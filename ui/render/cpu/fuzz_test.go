package cpu

import (
	"encoding/binary"
	"math"
	"testing"

	"telewave/ui/render"
)

// FuzzDrawStaysInLane feeds arbitrary envelopes (NaN, ±Inf, swapped, huge)
// and lane geometry: Draw must not panic and must leave every pixel outside
// the lane at background.
func FuzzDrawStaysInLane(f *testing.F) {
	f.Add(int8(5), uint8(10), int16(3), []byte{0, 0, 0x20, 0x41, 0, 0, 0xa0, 0x41, 0, 0, 0x80, 0x7f})
	f.Add(int8(-3), uint8(40), int16(-7), []byte{0, 0, 0xc0, 0x7f, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff})
	f.Add(int8(30), uint8(1), int16(100), []byte{})
	f.Fuzz(func(t *testing.T, top int8, height uint8, eraseX int16, raw []byte) {
		const w, h = 16, 40
		cols := make([]render.Column, 0, w)
		for i := 0; i+12 <= len(raw) && len(cols) < w+2; i += 12 {
			v := func(o int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(raw[i+o:])) }
			cols = append(cols, render.Column{Min: v(0), Max: v(4), Last: v(8), Valid: raw[i]&1 == 0})
		}
		s := &render.Scene{Width: w, Height: h, Background: bg, EraseX: int(eraseX), EraseWidth: 3,
			Lanes: []render.Lane{{Top: int(top), Height: int(height), Color: green, Columns: cols}}}
		img := draw(t, s)
		for y := 0; y < h; y++ {
			if y >= int(top) && y < int(top)+int(height) {
				continue
			}
			for x := 0; x < w; x++ {
				if got := at(img, x, y); got != bg {
					t.Fatalf("pixel (%d,%d) outside lane [%d,%d) = %v", x, y, top, int(top)+int(height), got)
				}
			}
		}
	})
}
