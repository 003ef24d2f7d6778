// Package ecg12 is the shape every ECG-cart reader in formats/… yields and
// every writer takes: a resting ECG (usually 10 s, 12 leads) with its leads
// in integer counts, the scale that turns counts into microvolts, and what
// the cart knew about the patient, the device, the acquisition, its own
// measurements and its statements.
//
// The package holds no codec; it imports nothing outside the standard
// library so that each format package can depend on it alone.
package ecg12

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ErrFormat is wrapped by readers for any file that is not what it claims to
// be; the message names the section or element that was wrong.
var ErrFormat = errors.New("not a valid ECG file")

// Record is one resting ECG as a cart exported it.
type Record struct {
	// Format names the file format it was read from ("SCP-ECG 2.0",
	// "HL7 aECG", "DICOM 12-Lead ECG", "GE MUSE XML", "Philips Sierra XML 1.04",
	// "EDF+", "WFDB", "Contec ECG90A").
	Format     string
	SampleRate float64 // samples per second, the same for every lead
	Leads      []Lead
	Patient    Patient
	Device     Device
	Acquired   time.Time // start of the first sample; zero when the file has none
	// Measurements are the cart's own global measurements (intervals, axes,
	// rate), in the order the file gives them.
	Measurements []Measurement
	// Statements are the cart's interpretation lines, in order.
	Statements []string
	// Median holds the representative (median) beat when the file has one,
	// at MedianRate; empty otherwise.
	Median     []Lead
	MedianRate float64
}

// Lead is one lead's samples in counts. The physical value in microvolts of
// count c is (c - Baseline) × Scale.
type Lead struct {
	Label    string  // canonical label: I, II, III, aVR, aVL, aVF, V1…V6, or the file's own for others
	Samples  []int32 // counts
	Scale    float64 // µV per count
	Baseline int32   // counts of 0 µV
	// Derived is true when the file did not store this lead and the reader
	// computed it from others (III, aVR, aVL, aVF from I and II).
	Derived bool
}

// Microvolts is the lead's samples in µV.
func (l Lead) Microvolts() []float64 {
	out := make([]float64, len(l.Samples))
	for i, c := range l.Samples {
		out[i] = float64(c-l.Baseline) * l.Scale
	}
	return out
}

// Patient is what the file says about the patient. Any field may be empty.
type Patient struct {
	ID                    string // the cart's patient id, usually the MRN
	FamilyName, GivenName string
	BirthDate             time.Time // zero when absent
	Sex                   string    // "M", "F", "U" or ""
}

// Device is the cart.
type Device struct {
	Manufacturer, Model, Serial, Software string
}

// Measurement is one of the cart's global measurements.
type Measurement struct {
	Name  string  // e.g. "VentricularRate", "PRInterval", "QRSDuration", "QTInterval", "QTc", "PAxis"
	Value float64 // NaN when the cart wrote "not measured"
	Unit  string  // UCUM: "/min", "ms", "deg"
}

// StandardOrder is the usual display order of the twelve leads.
var StandardOrder = []string{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"}

// NormalizeLabel maps the spellings carts use ("MDC_ECG_LEAD_I", "AVR",
// "V1 ", "Lead II", "ECG II") to the canonical label; unknown labels are
// returned trimmed.
func NormalizeLabel(s string) string {
	t := strings.TrimSpace(s)
	u := strings.ToUpper(t)
	for _, p := range []string{"MDC_ECG_LEAD_", "LEAD ", "LEAD_", "ECG ", "ECG_"} {
		u = strings.TrimPrefix(u, p)
	}
	u = strings.TrimSpace(u)
	switch u {
	case "I", "II", "III", "V1", "V2", "V3", "V4", "V5", "V6":
		return u
	case "AVR", "AVL", "AVF":
		return "aV" + u[2:]
	case "-AVR", "NEG_AVR":
		return "-aVR"
	}
	return t
}

// Lead returns the lead with the canonical label, if present.
func (r *Record) Lead(label string) (Lead, bool) {
	for _, l := range r.Leads {
		if l.Label == label {
			return l, true
		}
	}
	return Lead{}, false
}

// Duration is the length of the longest lead.
func (r *Record) Duration() time.Duration {
	if r.SampleRate <= 0 {
		return 0
	}
	n := 0
	for _, l := range r.Leads {
		n = max(n, len(l.Samples))
	}
	return time.Duration(float64(n) / r.SampleRate * float64(time.Second))
}

// Validate checks what every reader promises: at least one lead, a positive
// sampling rate, positive finite scales, equal lead lengths and labels
// without duplicates.
func (r *Record) Validate() error {
	if len(r.Leads) == 0 {
		return fmt.Errorf("%w: no leads", ErrFormat)
	}
	if !(r.SampleRate > 0) || math.IsInf(r.SampleRate, 0) {
		return fmt.Errorf("%w: sampling rate %v", ErrFormat, r.SampleRate)
	}
	seen := map[string]bool{}
	n := len(r.Leads[0].Samples)
	for _, l := range r.Leads {
		if seen[l.Label] {
			return fmt.Errorf("%w: lead %q twice", ErrFormat, l.Label)
		}
		seen[l.Label] = true
		if !(l.Scale > 0) || math.IsInf(l.Scale, 0) {
			return fmt.Errorf("%w: lead %s scale %v", ErrFormat, l.Label, l.Scale)
		}
		if len(l.Samples) != n {
			return fmt.Errorf("%w: lead %s has %d samples, lead %s %d", ErrFormat, l.Label, len(l.Samples), r.Leads[0].Label, n)
		}
	}
	return nil
}

// DeriveLimbLeads adds III, aVR, aVL and aVF computed from I and II when
// they are missing and I and II share scale and baseline (Einthoven and
// Goldberger: III = II − I, aVR = −(I + II)/2, aVL = I − II/2,
// aVF = II − I/2; halves rounded half away from zero). Leads are then put in
// StandardOrder, others after them in file order.
func (r *Record) DeriveLimbLeads() {
	i, okI := r.Lead("I")
	ii, okII := r.Lead("II")
	if !okI || !okII || i.Scale != ii.Scale || len(i.Samples) != len(ii.Samples) {
		return
	}
	derive := func(label string, f func(a, b int32) int32) {
		if _, ok := r.Lead(label); ok {
			return
		}
		s := make([]int32, len(i.Samples))
		for k := range s {
			s[k] = f(i.Samples[k]-i.Baseline, ii.Samples[k]-ii.Baseline) + i.Baseline
		}
		r.Leads = append(r.Leads, Lead{Label: label, Samples: s, Scale: i.Scale, Baseline: i.Baseline, Derived: true})
	}
	half := func(x int32) int32 { return int32(math.Round(float64(x) / 2)) }
	derive("III", func(a, b int32) int32 { return b - a })
	derive("aVR", func(a, b int32) int32 { return -half(a + b) })
	derive("aVL", func(a, b int32) int32 { return a - half(b) })
	derive("aVF", func(a, b int32) int32 { return b - half(a) })
	r.SortLeads()
}

// SortLeads puts the leads in StandardOrder, others after in their order.
func (r *Record) SortLeads() {
	rank := func(label string) int {
		for k, s := range StandardOrder {
			if s == label {
				return k
			}
		}
		return len(StandardOrder)
	}
	out := make([]Lead, 0, len(r.Leads))
	for k := range len(StandardOrder) + 1 {
		for _, l := range r.Leads {
			if rank(l.Label) == k {
				out = append(out, l)
			}
		}
	}
	r.Leads = out
}
