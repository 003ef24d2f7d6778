package csv

import (
	"math"
	"strconv"
	"strings"
)

// infer sets what the '#' lines would have said, for CSV files from
// elsewhere: each column's rate from the time column (0 with fewer than
// two values), its baseline 0 and its scale 10^−d, d being the most
// decimals of its values — fewer when the largest value would not fit a
// 32-bit count, in which case the counts are rounded.
func infer(cols []Column, vals [][]float64, rows [][2]int, times []float64) {
	for i := range cols {
		c := &cols[i]
		c.Rate = measuredRate(vals[i], rows[i], times)
		d, peak := 0, 0.0
		for _, v := range vals[i] {
			peak = max(peak, math.Abs(v))
			s := strconv.FormatFloat(v, 'f', -1, 64)
			if _, frac, ok := strings.Cut(s, "."); ok {
				d = max(d, len(frac))
			}
		}
		if peak > 0 {
			d = min(d, int(math.Floor(math.Log10(math.MaxInt32/peak))))
		}
		c.Scale = math.Pow10(-d)
	}
}

// measuredRate is samples per second over the column's span of rows,
// rounded to whole hertz when within 0.1 % of them.
func measuredRate(vals []float64, rows [2]int, times []float64) float64 {
	if len(vals) < 2 || rows[1] <= rows[0] {
		return 0
	}
	span := times[rows[1]] - times[rows[0]]
	if !(span > 0) {
		return 0
	}
	r := float64(len(vals)-1) / span
	if n := math.Round(r); n > 0 && math.Abs(r-n) <= 1e-3*n {
		return n
	}
	return r
}
