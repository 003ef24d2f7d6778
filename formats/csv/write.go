package csv

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Write writes the columns as CSV: the '#' lines (start, rates, scales,
// baselines; no start line when t0 is the zero time), the header row
// "time_s,<label> [<unit>],…" and one row per sample of the fastest
// column. Times have as many decimals as make 1/rate exact, or enough
// that time × rate rounds back to the row. Values are written with the
// fewest decimals for which round(value/Scale + Baseline) gives the count
// back, checked value by value.
func Write(w io.Writer, t0 time.Time, signals []Column) error {
	fastest := 0.0
	for i, c := range signals {
		if !(c.Rate > 0) || math.IsInf(c.Rate, 0) {
			return formatErr(columnName(i, c), "rate %v", c.Rate)
		}
		if c.Scale == 0 || math.IsInf(c.Scale, 0) || math.IsNaN(c.Scale) {
			return formatErr(columnName(i, c), "scale %v", c.Scale)
		}
		fastest = max(fastest, c.Rate)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if !t0.IsZero() {
		fmt.Fprintf(bw, "# start %s\n", t0.Format(time.RFC3339Nano))
	}
	meta := func(name string, f func(Column) string) {
		bw.WriteString("# " + name)
		for _, c := range signals {
			bw.WriteString("," + f(c))
		}
		bw.WriteByte('\n')
	}
	meta("rate_hz", func(c Column) string { return strconv.FormatFloat(c.Rate, 'g', -1, 64) })
	meta("scale", func(c Column) string { return strconv.FormatFloat(c.Scale, 'g', -1, 64) })
	meta("baseline", func(c Column) string { return strconv.Itoa(int(c.Baseline)) })
	bw.WriteString("time_s")
	for _, c := range signals {
		bw.WriteString("," + quote(heading(c)))
	}
	bw.WriteByte('\n')

	rows, place := layout(signals, fastest)
	tdec := timeDecimals(fastest)
	next := make([]int, len(signals)) // next sample of each column
	decs := make([]int, len(signals))
	for i, c := range signals {
		decs[i] = valueDecimals(c.Scale)
	}
	line := make([]byte, 0, 256)
	for r := 0; r < rows; r++ {
		line = strconv.AppendFloat(line[:0], float64(r)/fastest, 'f', tdec, 64)
		for i, c := range signals {
			line = append(line, ',')
			j := next[i]
			if j < len(c.Samples) && place(i, j) == r {
				line = appendValue(line, c, c.Samples[j], decs[i])
				next[i]++
			}
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("csv: write row %d: %w", r, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("csv: write: %w", err)
	}
	return nil
}

func columnName(i int, c Column) string { return fmt.Sprintf("column %d (%s)", i+1, c.Label) }

// heading is "label [unit]"; the brackets are kept for an empty unit when
// the label itself ends in ']', so that reading splits it the same way.
func heading(c Column) string {
	if c.Unit == "" && !strings.HasSuffix(c.Label, "]") {
		return c.Label
	}
	return c.Label + " [" + c.Unit + "]"
}

func quote(s string) string {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '#' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// layout gives the number of rows and the row of each column's sample j.
func layout(signals []Column, fastest float64) (int, func(i, j int) int) {
	ratio := make([]float64, len(signals))
	rows := 0
	place := func(i, j int) int { return int(math.Round(float64(j) * ratio[i])) }
	for i, c := range signals {
		ratio[i] = fastest / c.Rate
		if n := len(c.Samples); n > 0 {
			rows = max(rows, place(i, n-1)+1)
		}
	}
	return rows, place
}

// timeDecimals is the fewest decimals in which 1/rate is exact (up to 9),
// else enough that time × rate is within 0.05 of the row number.
func timeDecimals(rate float64) int {
	for d := 0; d <= 9; d++ {
		x := math.Pow10(d) / rate
		if math.Abs(x-math.Round(x)) < 1e-9*x {
			return d
		}
	}
	return max(0, int(math.Ceil(math.Log10(rate)))) + 1
}

// valueDecimals is the first place at or below one count: 10^−d ≤ |Scale|,
// so rounding a value moves it by at most half a count (appendValue checks
// each value and falls back to the shortest exact form).
func valueDecimals(scale float64) int {
	return min(17, max(0, int(math.Ceil(-math.Log10(math.Abs(scale))-1e-9))))
}

func appendValue(b []byte, c Column, count int32, dec int) []byte {
	v := c.Physical(count)
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', dec, 64)
	if back, err := strconv.ParseFloat(string(b[n:]), 64); err == nil && toCount(back, c) == int64(count) {
		return b
	}
	return strconv.AppendFloat(b[:n], v, 'g', -1, 64) // shortest exact form
}

// toCount is the count nearest a physical value.
func toCount(v float64, c Column) int64 {
	return int64(math.Round(v/c.Scale)) + int64(c.Baseline)
}
