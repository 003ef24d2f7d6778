package app

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"telewave/dsp/qrs"
	"telewave/formats/ecg12"
	"telewave/storage"
)

// uvPer converts the voltage units tracks carry to µV.
var uvPer = map[string]float64{"uV": 1, "µV": 1, "mV": 1000, "V": 1e6}

// CartRecord makes the 12-lead record a stored recording shows as: its
// voltage tracks at the first one's sampling rate (a 12-lead has one time
// axis), labels made canonical ("ECG II" → "II", "aVR (derived)" → "aVR",
// Derived kept), in standard lead order.
func CartRecord(tracks []Track) (*ecg12.Record, error) {
	r := &ecg12.Record{Format: "Telewave recording"}
	for _, t := range tracks {
		k, ok := uvPer[t.Signal.Unit]
		if !ok || len(t.Samples) == 0 || !(t.Signal.SampleRate > 0) {
			continue
		}
		if r.SampleRate == 0 {
			r.SampleRate = t.Signal.SampleRate
		}
		if t.Signal.SampleRate != r.SampleRate {
			continue
		}
		label := t.Signal.Label
		if label == "" {
			label = t.Signal.ID
		}
		plain := strings.TrimSuffix(label, " (derived)")
		r.Leads = append(r.Leads, ecg12.Lead{Label: ecg12.NormalizeLabel(plain), Samples: t.Samples, Scale: t.Signal.Scale * k,
			Baseline: t.Signal.Baseline, Derived: plain != label})
	}
	if len(r.Leads) == 0 {
		return nil, fmt.Errorf("the recording has no ECG (voltage) tracks")
	}
	r.SortLeads()
	return r, nil
}

// CartFindings reads back what CartNotes stored at import: the cart's
// measurements (one "Cart measurements: Name value unit, …" note; "Name
// not measured" is NaN) and its statements ("Cart statement: …"), with the
// cart named in the notes' author ("cart Philips PageWriter"; "" when no
// note is the cart's).
func CartFindings(notes []storage.Annotation) (ms []ecg12.Measurement, statements []string, cart string) {
	for _, n := range notes {
		s, isStatement := strings.CutPrefix(n.Text, "Cart statement: ")
		list, isList := strings.CutPrefix(n.Text, "Cart measurements: ")
		if !isStatement && !isList {
			continue
		}
		if cart == "" {
			cart = strings.TrimSpace(strings.TrimPrefix(n.Author, "cart"))
		}
		if isStatement {
			statements = append(statements, s)
			continue
		}
		for _, part := range strings.Split(list, ", ") {
			f := strings.Fields(part)
			switch {
			case len(f) == 3 && f[1] == "not" && f[2] == "measured":
				ms = append(ms, ecg12.Measurement{Name: f[0], Value: math.NaN()})
			case len(f) >= 2:
				v, err := strconv.ParseFloat(f[1], 64)
				if err != nil {
					continue
				}
				m := ecg12.Measurement{Name: f[0], Value: v}
				if len(f) > 2 {
					m.Unit = strings.Join(f[2:], " ")
				}
				ms = append(ms, m)
			}
		}
	}
	return ms, statements, cart
}

// Names of Telewave's own measurements of a 12-lead (MeasureTwelveLead).
const (
	OurRate     = "Heart rate (QRS detector)"
	OurMeanRate = "Rate from the mean RR"
	OurBeats    = "QRS complexes detected"
	OurRRMin    = "Shortest RR"
	OurRRMax    = "Longest RR"
)

// MeasureTwelveLead is Telewave's own analysis of a 12-lead record, for
// review beside the cart's: the QRS detector the monitor uses, run over
// lead II (the first lead when there is no II), gives the heart rate (the
// detector's: the median of its last RR intervals, as the monitor shows
// it at the end of the strip), the rate from the mean RR over the strip,
// the number of QRS complexes and the shortest and longest RR. With sinus
// arrhythmia the two rates differ, as they should. lead names the lead
// used; why says why the rates could not be measured.
func MeasureTwelveLead(rec *ecg12.Record) (ms []ecg12.Measurement, lead, why string) {
	if rec == nil || len(rec.Leads) == 0 || !(rec.SampleRate > 0) {
		return nil, "", "no ECG to measure"
	}
	l := rec.Leads[0]
	for _, c := range rec.Leads {
		if c.Label == "II" {
			l = c
			break
		}
	}
	mv := l.Microvolts()
	for i := range mv {
		mv[i] /= 1000
	}
	beats, d := detectStrip(mv, rec.SampleRate)
	ms = append(ms, ecg12.Measurement{Name: OurBeats, Value: float64(len(beats))})
	if len(beats) < 2 {
		return ms, l.Label, fmt.Sprintf("fewer than two QRS complexes found in lead %s", l.Label)
	}
	rr := make([]float64, 0, len(beats)-1)
	for i := 1; i < len(beats); i++ {
		rr = append(rr, float64(beats[i]-beats[i-1])/rec.SampleRate*1000)
	}
	rate := d.HeartRate() // the median of the detector's recent RR intervals
	if rate == 0 {
		rate = 60000 / medianOf(rr)
	}
	mean := 0.0
	for _, v := range rr {
		mean += v
	}
	mean /= float64(len(rr))
	ms = append(ms,
		ecg12.Measurement{Name: OurRate, Value: math.Round(rate), Unit: "/min"},
		ecg12.Measurement{Name: OurMeanRate, Value: math.Round(60000 / mean), Unit: "/min"},
		ecg12.Measurement{Name: OurRRMin, Value: math.Round(slices.Min(rr)), Unit: "ms"},
		ecg12.Measurement{Name: OurRRMax, Value: math.Round(slices.Max(rr)), Unit: "ms"})
	return ms, l.Label, ""
}

// detectStrip runs the QRS detector over a strip of mV and returns the R
// peaks (sample numbers in the strip) and the detector. The live detector
// learns for its first seconds and would miss a 10 s strip's first beats,
// so it first learns on the strip played backwards, which ends where the
// strip begins (no step between the two) and holds the same beats; a
// second of the strip's last value after its end lets it decide on the
// last beats.
func detectStrip(mv []float64, rate float64) ([]int64, *qrs.Detector) {
	d := qrs.New(rate)
	if len(mv) == 0 {
		return nil, d
	}
	const block = 256 // as samples arrive live
	back := slices.Clone(mv)
	slices.Reverse(back)
	for i := 0; i < len(back); i += block {
		d.Push(back[i:min(i+block, len(back))])
	}
	n := int64(len(mv))
	var beats []int64
	keep := func(bs []qrs.Beat) {
		for _, b := range bs {
			if at := b.Sample - n; at >= 0 && at < n {
				beats = append(beats, at)
			}
		}
	}
	for i := 0; i < len(mv); i += block {
		keep(d.Push(mv[i:min(i+block, len(mv))]))
	}
	// The strip's last beats are resolved on a second of its last value
	// held past the end (no step, no beat).
	tail := make([]float64, max(int(rate), 1))
	for i := range tail {
		tail[i] = mv[len(mv)-1]
	}
	keep(d.Push(tail))
	keep(d.Flush())
	return beats, d
}

func medianOf(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
