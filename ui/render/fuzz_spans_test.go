package render

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzLaneSpans feeds arbitrary columns (NaN, ±Inf, huge, swapped) and
// lane geometry to Lane.Spans: it must not panic, yield at most one span
// per column, in increasing column order, and every span must lie inside
// its lane with lo < end, which is what keeps a wild value from drawing
// over a neighbouring trace.
func FuzzLaneSpans(f *testing.F) {
	f.Add(int16(5), int16(20), uint8(8), []byte{0, 0, 0x20, 0x41, 0, 0, 0x20, 0x41, 0, 0, 0x20, 0x41, 1})
	f.Add(int16(-3), int16(0), uint8(1), []byte{0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, top, height int16, w uint8, data []byte) {
		var cols []Column
		for len(data) >= 13 && len(cols) < 512 {
			v := func(i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(data[i:])) }
			cols = append(cols, Column{Min: v(0), Max: v(4), Last: v(8), Valid: data[12]&1 == 1})
			data = data[13:]
		}
		ln := &Lane{Top: int(top), Height: int(height), Columns: cols}
		n, prev := 0, -1
		for x, sp := range ln.Spans(int(w)) {
			n++
			if x <= prev || x >= min(int(w), len(cols)) {
				t.Fatalf("column %d after %d, %d columns in a frame %d wide", x, prev, len(cols), w)
			}
			prev = x
			if !(sp.Lo >= 0 && sp.Lo < sp.End && sp.End <= float32(height)) {
				t.Fatalf("span %+v outside a lane %d high", sp, height)
			}
		}
		if n > 0 && height <= 0 {
			t.Fatalf("%d spans in a lane %d high", n, height)
		}
	})
}
