package gl

import (
	"encoding/binary"
	"math"
	"testing"

	"telewave/ui/render"
)

// FuzzAppendSpans feeds arbitrary columns (NaN, ±Inf, huge, swapped) and
// lane geometry to the span builder: it must not panic, emit at most one
// span per column, and every span must lie inside its lane with lo < end,
// which is what keeps a wild value from drawing over a neighbouring trace.
func FuzzAppendSpans(f *testing.F) {
	f.Add(int16(5), int16(20), uint8(8), []byte{0, 0, 0x20, 0x41, 0, 0, 0x20, 0x41, 0, 0, 0x20, 0x41, 1})
	f.Add(int16(-3), int16(0), uint8(1), []byte{0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, top, height int16, w uint8, data []byte) {
		var cols []render.Column
		for len(data) >= 13 && len(cols) < 512 {
			v := func(i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(data[i:])) }
			cols = append(cols, render.Column{Min: v(0), Max: v(4), Last: v(8), Valid: data[12]&1 == 1})
			data = data[13:]
		}
		s := &render.Scene{Lanes: []render.Lane{{Top: int(top), Height: int(height), Columns: cols}}}
		spans := appendSpans(nil, s, int(w))
		if len(spans) > min(int(w), len(cols)) {
			t.Fatalf("%d spans for %d columns in a frame %d wide", len(spans), len(cols), w)
		}
		for _, sp := range spans {
			if !(sp.Lo >= 0 && sp.Lo < sp.End && sp.End <= float32(height)) || sp.Top != float32(top) {
				t.Fatalf("span %+v outside lane top %d height %d", sp, top, height)
			}
		}
	})
}
