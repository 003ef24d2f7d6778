// Package csv exports and imports recordings as comma-separated text: a
// time column in seconds from the start, then one column per signal in
// physical units, precise enough that converting a value back gives its
// exact count.
//
// The file starts with '#' lines that Read uses to restore the recording
// and that spreadsheets show as a few leading rows:
//
//	# start 2024-03-09T14:05:07.25Z
//	# rate_hz,360,128
//	# scale,0.005,0.1
//	# baseline,1024,0
//	time_s,II [mV],Pleth [%]
//	0.0000,-0.145,2.5
//	0.0028,-0.145,
//
// Signals of different rates share one row per sample of the fastest
// signal: a slower signal's sample j sits in the row nearest its time,
// j × fastest/rate, and its other cells are empty.
package csv

import (
	"errors"
	"fmt"
)

// ErrFormat is wrapped by every error about text that is not such a file.
var ErrFormat = errors.New("not a recording CSV")

// Column is one signal: its name, its rate and its samples in counts.
// A count c is the physical value (c − Baseline) × Scale in Unit.
type Column struct {
	Label, Unit string
	Rate        float64 // samples per second
	Scale       float64 // Unit per count; not zero
	Baseline    int32   // the count of physical zero
	Samples     []int32
}

// Physical converts count c of this column to its unit.
func (c Column) Physical(count int32) float64 { return float64(count-c.Baseline) * c.Scale }

func formatErr(where, format string, a ...any) error {
	return fmt.Errorf("csv: %s: %s: %w", where, fmt.Sprintf(format, a...), ErrFormat)
}
