package pdf

import (
	"errors"
	"fmt"
	"math"
	"time"

	"telewave/formats/ecg12"
)

// ErrInvalid is wrapped by WriteECG12 for a record or options it cannot
// print truthfully; the message says which field was wrong.
var ErrInvalid = errors.New("cannot print ECG report")

// Paper is the sheet the report is laid out for, always landscape.
type Paper int

const (
	// A4 is 297 × 210 mm (842 × 595 pt landscape).
	A4 Paper = iota
	// Letter is 11 × 8.5 in (792 × 612 pt landscape).
	Letter
)

// String names the paper as the header prints it.
func (p Paper) String() string {
	switch p {
	case A4:
		return "A4"
	case Letter:
		return "Letter"
	}
	return fmt.Sprintf("Paper(%d)", int(p))
}

// size is the sheet in points, landscape (width > height). A4 is the ISO
// 210 × 297 mm rounded to 1/100 pt as every PDF writer does.
func (p Paper) size() (w, h float64) {
	if p == Letter {
		return 792, 612
	}
	return 841.89, 595.28
}

// Layouts the report can print, as Options.Layout spells them.
const (
	Layout3x4       = "3x4"   // 3 rows × 4 columns of 2.5 s (at 25 mm/s)
	Layout3x4Rhythm = "3x4+1" // 3x4 and one rhythm lead over the whole width
	Layout6x2       = "6x2"   // limb leads left, chest leads right, 5 s each
	Layout12x1      = "12x1"  // every lead over the whole width
)

// Options say how a record is printed and what the header carries beyond
// the record itself. The zero value prints A4, 25 mm/s, 10 mm/mV, 3x4+1
// with rhythm lead II, with everything else from the record.
type Options struct {
	Paper   Paper
	Speed   float64 // paper speed in mm/s: 25 or 50 (0 means 25)
	Gain    float64 // mm per mV: 5, 10 or 20 (0 means 10)
	Filters string  // as printed, e.g. "0.05–150 Hz, 50 Hz notch"; "" prints "as recorded"
	Layout  string  // Layout3x4, Layout3x4Rhythm, Layout6x2, Layout12x1 ("" means 3x4+1)
	// RhythmLead is the lead of the 3x4+1 rhythm strip ("" means II).
	RhythmLead string
	// Patient, when not nil, replaces Record.Patient in the header (the
	// workstation's chart is more trusted than the cart's keyboard).
	Patient *ecg12.Patient
	// Device, when not nil, replaces Record.Device.
	Device *ecg12.Device
	// Acquired, when not zero, replaces Record.Acquired.
	Acquired time.Time
	// Measurements, when not nil, replace Record.Measurements; MeasuredBy
	// names whose they are ("cart" when empty).
	Measurements []ecg12.Measurement
	MeasuredBy   string
	// Statements, when not nil, replace Record.Statements.
	Statements []string
	Title      string    // first header line; "" means "Resting 12-lead ECG"
	Printed    time.Time // printed in the footer and the file's metadata when not zero
}

// resolved is Options with defaults filled in and the record's values
// merged, so drawing code never looks at two sources.
type resolved struct {
	Options
	patient      ecg12.Patient
	device       ecg12.Device
	measurements []ecg12.Measurement
	statements   []string
}

func resolve(r *ecg12.Record, o Options) (resolved, error) {
	if o.Speed == 0 {
		o.Speed = 25
	}
	if o.Gain == 0 {
		o.Gain = 10
	}
	if o.Layout == "" {
		o.Layout = Layout3x4Rhythm
	}
	if o.RhythmLead == "" {
		o.RhythmLead = "II"
	}
	if o.Title == "" {
		o.Title = "Resting 12-lead ECG"
	}
	if o.MeasuredBy == "" {
		o.MeasuredBy = "cart"
	}
	switch {
	case o.Paper != A4 && o.Paper != Letter:
		return resolved{}, fmt.Errorf("%w: paper %v", ErrInvalid, o.Paper)
	case o.Speed != 25 && o.Speed != 50:
		return resolved{}, fmt.Errorf("%w: speed %v mm/s (want 25 or 50)", ErrInvalid, o.Speed)
	case o.Gain != 5 && o.Gain != 10 && o.Gain != 20:
		return resolved{}, fmt.Errorf("%w: gain %v mm/mV (want 5, 10 or 20)", ErrInvalid, o.Gain)
	}
	if _, ok := layouts[o.Layout]; !ok {
		return resolved{}, fmt.Errorf("%w: layout %q (want 3x4, 3x4+1, 6x2 or 12x1)", ErrInvalid, o.Layout)
	}
	if err := checkRecord(r); err != nil {
		return resolved{}, err
	}
	res := resolved{Options: o, patient: r.Patient, device: r.Device, measurements: r.Measurements, statements: r.Statements}
	if o.Patient != nil {
		res.patient = *o.Patient
	}
	if o.Device != nil {
		res.device = *o.Device
	}
	if o.Acquired.IsZero() {
		res.Acquired = r.Acquired
	}
	if o.Measurements != nil {
		res.measurements = o.Measurements
	}
	if o.Statements != nil {
		res.statements = o.Statements
	}
	return res, nil
}

// checkRecord refuses what would print a wrong picture: no leads, no
// usable rate, a scale that makes every sample NaN or infinite.
func checkRecord(r *ecg12.Record) error {
	switch {
	case r == nil:
		return fmt.Errorf("%w: no record", ErrInvalid)
	case len(r.Leads) == 0:
		return fmt.Errorf("%w: record has no leads", ErrInvalid)
	case !(r.SampleRate > 0) || math.IsInf(r.SampleRate, 0):
		return fmt.Errorf("%w: sampling rate %v Hz", ErrInvalid, r.SampleRate)
	}
	for i, l := range r.Leads {
		if !(l.Scale > 0) || math.IsInf(l.Scale, 0) {
			return fmt.Errorf("%w: lead %d (%s): scale %v µV per count gives no finite samples", ErrInvalid, i, l.Label, l.Scale)
		}
		if len(l.Samples) == 0 {
			return fmt.Errorf("%w: lead %d (%s) has no samples", ErrInvalid, i, l.Label)
		}
	}
	return nil
}
