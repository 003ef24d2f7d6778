package pcg

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrTSV marks a segmentation file that cannot be read.
var ErrTSV = errors.New("pcg: malformed segmentation file")

// maxTSVLine bounds a line of a segmentation file.
const maxTSVLine = 4096

// ReadTSV reads a segmentation in the CirCor DigiScope layout: one
// interval a line, "start end state" separated by tabs (or spaces),
// seconds and a state 0–4.
func ReadTSV(r io.Reader) ([]Interval, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxTSVLine)
	var out []Interval
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("%w: line %d has %d fields, want 3", ErrTSV, n, len(f))
		}
		start, err1 := strconv.ParseFloat(f[0], 64)
		end, err2 := strconv.ParseFloat(f[1], 64)
		st, err3 := strconv.Atoi(f[2])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrTSV, n, err)
		}
		if math.IsNaN(start) || math.IsInf(start, 0) || math.IsNaN(end) || math.IsInf(end, 0) || end < start || start < 0 {
			return nil, fmt.Errorf("%w: line %d: interval %v–%v s", ErrTSV, n, start, end)
		}
		if st < 0 || st > 4 {
			return nil, fmt.Errorf("%w: line %d: state %d, want 0–4", ErrTSV, n, st)
		}
		out = append(out, Interval{Start: start, End: end, State: State(st)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTSV, err)
	}
	return out, nil
}

// WriteTSV writes intervals in the CirCor layout ReadTSV reads, times to
// the microsecond.
func WriteTSV(w io.Writer, ivs []Interval) error {
	bw := bufio.NewWriter(w)
	for _, iv := range ivs {
		fmt.Fprintf(bw, "%s\t%s\t%d\n", seconds(iv.Start), seconds(iv.End), iv.State)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write segmentation: %w", err)
	}
	return nil
}

func seconds(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}
