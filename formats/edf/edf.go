// Package edf reads and writes European Data Format recordings: EDF and
// EDF+ (continuous "EDF+C" and discontinuous "EDF+D"), with the EDF+
// annotation signals decoded into timed annotations. Samples stay in
// digital counts; Signal.Physical converts them.
//
// EDF has no time zone: Start holds the clock time written in the file,
// in time.UTC, which here means "local time of the recording, zone unknown".
package edf

import (
	"errors"
	"time"
)

// ErrFormat is wrapped by every error about a file that is not valid EDF.
var ErrFormat = errors.New("not valid EDF")

// ErrTruncated is wrapped when the file ends before its header says it does.
var ErrTruncated = errors.New("file truncated")

// annotationLabel is the label EDF+ reserves for annotation signals.
const annotationLabel = "EDF Annotations"

// Recording is a whole EDF file: its identification, its ordinary signals
// and, for EDF+, its annotations. Annotation signals are not in Signals.
type Recording struct {
	Patient     string    // the patient field; EDF+: "code sex birthdate name"
	RecordingID string    // the recording field; EDF+: "Startdate dd-MMM-yyyy admin technician equipment"
	Start       time.Time // start of the first data record (second resolution, see package doc)
	Format      string    // "EDF", "EDF+C" or "EDF+D"; Write always writes "EDF+C"
	// RecordDuration is the length of one data record. When reading it is
	// the file's; when writing, zero lets Write choose one.
	RecordDuration time.Duration
	Signals        []Signal
	Annotations    []Annotation // onsets relative to Start, in file order
	// RecordOnsets holds each data record's start relative to Start: from
	// the EDF+ timekeeping annotations, or i × RecordDuration for plain EDF.
	// Records of EDF+D files may leave gaps between them. Write ignores it.
	RecordOnsets []time.Duration
}

// Signal is one ordinary signal: its description, its calibration and all
// its samples in digital counts, records concatenated.
type Signal struct {
	Label, Transducer, Unit string
	PhysMin, PhysMax        float64
	DigMin, DigMax          int32
	Prefilter               string
	SampleRate              float64 // samples per second: samples per record / record duration
	SamplesPerRecord        int     // as read; Write derives it from SampleRate
	Samples                 []int32
}

// Annotation is one EDF+ annotation. Duration is zero when the file gives
// none. One TAL with several texts yields one Annotation per text.
type Annotation struct {
	Onset    time.Duration // from Recording.Start; may be negative
	Duration time.Duration
	Text     string
}

// Gain is the physical value of one count: (PhysMax−PhysMin)/(DigMax−DigMin).
func (s Signal) Gain() float64 {
	return (s.PhysMax - s.PhysMin) / float64(s.DigMax-s.DigMin)
}

// Offset is the physical value of count zero: PhysMin − Gain×DigMin.
func (s Signal) Offset() float64 { return s.PhysMin - s.Gain()*float64(s.DigMin) }

// Physical converts a count of this signal to its unit.
func (s Signal) Physical(count int32) float64 {
	return s.PhysMin + float64(count-s.DigMin)*s.Gain()
}

// PhysicalSamples converts all of the signal's counts to its unit.
func (s Signal) PhysicalSamples() []float64 {
	out := make([]float64, len(s.Samples))
	for i, c := range s.Samples {
		out[i] = s.Physical(c)
	}
	return out
}

// SampleTime is when sample i of signal sig was taken, from Start, honouring
// the gaps between the records of an EDF+D file.
func (r *Recording) SampleTime(sig, i int) time.Duration {
	s := r.Signals[sig]
	if s.SamplesPerRecord <= 0 || s.SampleRate <= 0 {
		return 0
	}
	k := i / s.SamplesPerRecord
	var base time.Duration
	if k < len(r.RecordOnsets) {
		base = r.RecordOnsets[k]
	} else {
		base = time.Duration(k) * r.RecordDuration
	}
	return base + time.Duration(float64(i%s.SamplesPerRecord)/s.SampleRate*float64(time.Second))
}

// FormatError says where a file departs from EDF: a header field, a signal
// or a data record.
type FormatError struct {
	Where   string // "header field 'number of signals'", "data record 12"
	Problem string
	Err     error // ErrFormat or ErrTruncated
}

func (e *FormatError) Error() string {
	if e.Problem == "" {
		return "edf: " + e.Where + " truncated"
	}
	return "edf: " + e.Where + ": " + e.Problem
}

func (e *FormatError) Unwrap() error { return e.Err }
