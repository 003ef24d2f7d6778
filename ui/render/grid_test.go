package render

import (
	"math"
	"slices"
	"testing"
)

// pxPerMM96 is 1 mm at 96 dpi: 3.7795 px.
const pxPerMM96 = 96 / 25.4

// exactClasses places line k at round(k·pitch) independently of the code
// under test, every every-th major.
func exactClasses(n int, pitch float64, every int) []uint8 {
	cls := make([]uint8, n)
	for k := 0; ; k++ {
		p := int(math.Round(float64(k) * pitch))
		if p >= n {
			return cls
		}
		cls[p] = MinorLine
		if every > 0 && k%every == 0 {
			cls[p] = MajorLine
		}
	}
}

func TestGridClasses(t *testing.T) {
	const n, m, M = NoLine, MinorLine, MajorLine
	for _, tc := range []struct {
		name       string
		g          Grid
		n          int
		cols, rows []uint8
	}{
		{"96 dpi, 1 mm and 5 mm", Grid{PitchX: pxPerMM96, PitchY: pxPerMM96, MajorEvery: 5}, 1920,
			exactClasses(1920, pxPerMM96, 5), exactClasses(1920, pxPerMM96, 5)},
		{"5 mm only", Grid{PitchX: 5 * pxPerMM96 / 2, PitchY: 5 * pxPerMM96 / 2, MajorEvery: 1}, 500,
			exactClasses(500, 5*pxPerMM96/2, 1), exactClasses(500, 5*pxPerMM96/2, 1)},
		{"no majors", Grid{PitchX: 4.5, PitchY: 4.5}, 100, exactClasses(100, 4.5, 0), exactClasses(100, 4.5, 0)},
		{"whole pixels", Grid{MinorX: 2, MajorX: 6, MinorY: 3, MajorY: 9}, 13,
			[]uint8{M, n, m, n, m, n, M, n, m, n, m, n, M}, []uint8{M, n, n, m, n, n, m, n, n, M, n, n, m}},
		{"the pitch wins over whole pixels", Grid{PitchX: 2.5, MajorEvery: 2, MinorX: 2, MajorX: 10, MinorY: 4}, 13,
			[]uint8{M, n, n, m, n, M, n, n, m, n, M, n, n}, []uint8{m, n, n, n, m, n, n, n, m, n, n, n, m}},
		{"denser than a pixel: off", Grid{PitchX: 0.9, PitchY: math.NaN(), MajorEvery: 5}, 20,
			make([]uint8, 20), make([]uint8, 20)},
		{"infinite pitch: off", Grid{PitchX: math.Inf(1), PitchY: -3}, 20, make([]uint8, 20), make([]uint8, 20)},
		{"nothing set", Grid{}, 20, make([]uint8, 20), make([]uint8, 20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.g.AppendColumns(nil, tc.n); !slices.Equal(got, tc.cols) {
				t.Errorf("columns %v, want %v", head(got), head(tc.cols))
			}
			if got := tc.g.AppendRows(nil, tc.n); !slices.Equal(got, tc.rows) {
				t.Errorf("rows %v, want %v", head(got), head(tc.rows))
			}
		})
	}
}

func head(b []uint8) []uint8 { return b[:min(len(b), 40)] }

// TestGridAt96DPI is the acceptance check: the 50th 5 mm line (line 250)
// at round(250·3.7795) = 945 px, and every 5 mm square 18 or 19 px.
func TestGridAt96DPI(t *testing.T) {
	g := Grid{PitchX: pxPerMM96, PitchY: pxPerMM96, MajorEvery: 5}
	cols := g.AppendColumns(nil, 1000)
	var majors []int
	for x, c := range cols {
		if c == MajorLine {
			majors = append(majors, x)
		}
	}
	if len(majors) < 51 || majors[50] != 945 || int(math.Round(250*pxPerMM96)) != 945 {
		t.Fatalf("5 mm lines at %v; want the 50th at 945", majors)
	}
	for i := 1; i < len(majors); i++ {
		if d := majors[i] - majors[i-1]; d != 18 && d != 19 {
			t.Errorf("5 mm square %d is %d px, want 18 or 19", i, d)
		}
	}
}

func TestGridAppends(t *testing.T) {
	g := Grid{MinorX: 2}
	dst := []uint8{9, 9}
	got := g.AppendColumns(dst, 4)
	if want := []uint8{9, 9, MinorLine, NoLine, MinorLine, NoLine}; !slices.Equal(got, want) {
		t.Errorf("AppendColumns after 2 bytes = %v, want %v", got, want)
	}
	if got := g.AppendRows(dst, 0); !slices.Equal(got, dst) {
		t.Errorf("AppendRows with h 0 = %v, want dst unchanged", got)
	}
}
