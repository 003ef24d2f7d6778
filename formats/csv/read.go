package csv

import (
	"bufio"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Read reads a file written by Write, or imports another CSV whose first
// column is a time in seconds ("time_s", "time" …) and whose other columns
// are signals headed "label [unit]" or "label". t0 is the zero time when
// the file has no "# start" line.
//
// Without the '#' lines a column's rate is measured from the time column
// (rounded to a whole number of hertz when within 0.1 % of one), its
// baseline is 0 and its scale is 10^−d, d being the most decimals any of
// its values has, so that every value is a whole count (see infer).
func Read(r io.Reader) (t0 time.Time, cols []Column, err error) {
	br := bufio.NewReader(r)
	meta := map[string][]string{}
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != '#' {
			break
		}
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return t0, nil, fmt.Errorf("csv: read: %w", err)
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if s, ok := strings.CutPrefix(line, "start "); ok {
			if t0, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err != nil {
				return t0, nil, formatErr("start line", "%q is not an RFC 3339 time", s)
			}
			continue
		}
		f := strings.Split(line, ",")
		meta[f[0]] = f[1:]
	}
	cr := stdcsv.NewReader(br)
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return t0, nil, formatErr("header row", "%v", err)
	}
	if len(head) < 1 || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(head[0])), "time") {
		return t0, nil, formatErr("header row", "first column %q is not a time in seconds", head[0])
	}
	cols = make([]Column, len(head)-1)
	for i, h := range head[1:] {
		cols[i].Label, cols[i].Unit = splitHeading(h)
	}
	found, err := applyMeta(meta, cols)
	if err != nil {
		return t0, nil, err
	}
	vals, lastRow, times, err := readRows(cr, len(cols))
	if err != nil {
		return t0, nil, err
	}
	if !found {
		infer(cols, vals, lastRow, times)
	}
	for i := range cols {
		c := &cols[i]
		c.Samples = make([]int32, len(vals[i]))
		for j, v := range vals[i] {
			n := toCount(v, *c)
			if q := v / c.Scale; math.Abs(q) > 1<<32 || n < math.MinInt32 || n > math.MaxInt32 {
				return t0, nil, formatErr(columnName(i, *c), "sample %d: %v is beyond a 32-bit count", j, v)
			}
			c.Samples[j] = int32(n)
		}
	}
	return t0, cols, nil
}

// splitHeading undoes heading: "label [unit]" at the last " [".
func splitHeading(h string) (label, unit string) {
	if strings.HasSuffix(h, "]") {
		if i := strings.LastIndex(h, " ["); i >= 0 {
			return h[:i], h[i+2 : len(h)-1]
		}
	}
	return h, ""
}

// applyMeta sets rates, scales and baselines from the '#' lines and
// reports whether there were any.
func applyMeta(meta map[string][]string, cols []Column) (bool, error) {
	rates, scales, bases := meta["rate_hz"], meta["scale"], meta["baseline"]
	if rates == nil && scales == nil && bases == nil {
		return false, nil
	}
	for name, v := range map[string][]string{"rate_hz": rates, "scale": scales, "baseline": bases} {
		if len(v) != len(cols) {
			return false, formatErr("'# "+name+"' line", "%d values for %d columns", len(v), len(cols))
		}
	}
	for i := range cols {
		c := &cols[i]
		var err1, err2, err3 error
		c.Rate, err1 = strconv.ParseFloat(strings.TrimSpace(rates[i]), 64)
		c.Scale, err2 = strconv.ParseFloat(strings.TrimSpace(scales[i]), 64)
		b, err3 := strconv.ParseInt(strings.TrimSpace(bases[i]), 10, 32)
		c.Baseline = int32(b)
		if err1 != nil || err2 != nil || err3 != nil || !(c.Rate > 0) || math.IsInf(c.Rate, 0) || c.Scale == 0 || math.IsInf(c.Scale, 0) || math.IsNaN(c.Scale) {
			return false, formatErr(columnName(i, *c), "rate %q, scale %q or baseline %q", rates[i], scales[i], bases[i])
		}
	}
	return true, nil
}

// readRows reads the values of each column (empty cells skipped), the
// row of each column's last value and the time of each row.
func readRows(cr *stdcsv.Reader, ncol int) (vals [][]float64, lastRow [][2]int, times []float64, err error) {
	vals = make([][]float64, ncol)
	lastRow = make([][2]int, ncol) // first and last row holding a value
	for i := range lastRow {
		lastRow[i] = [2]int{-1, -1}
	}
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return vals, lastRow, times, nil
		}
		if err != nil {
			return nil, nil, nil, formatErr(fmt.Sprintf("row %d", row+1), "%v", err)
		}
		if len(rec) != ncol+1 {
			return nil, nil, nil, formatErr(fmt.Sprintf("row %d", row+1), "%d cells, the header has %d", len(rec), ncol+1)
		}
		t, err := number(rec[0])
		if err != nil {
			return nil, nil, nil, formatErr(fmt.Sprintf("row %d, time", row+1), "%v", err)
		}
		times = append(times, t)
		for i, cell := range rec[1:] {
			if cell = strings.TrimSpace(cell); cell == "" {
				continue
			}
			v, err := number(cell)
			if err != nil {
				return nil, nil, nil, formatErr(fmt.Sprintf("row %d, column %d", row+1, i+1), "%v", err)
			}
			vals[i] = append(vals[i], v)
			if lastRow[i][0] < 0 {
				lastRow[i][0] = row
			}
			lastRow[i][1] = row
		}
	}
}

func number(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}
