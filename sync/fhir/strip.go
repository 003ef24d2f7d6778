package fhir

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// How a strip is cut into Observations (reference/fhir.md §4): 10 to 30 s
// each, shorter only when the whole strip is, and about segmentSamples
// samples (all leads together, some 600 KB of JSON) at most where the
// 10 s floor allows, so that one resource stays well under a server's
// 1 MB limit.
const (
	minSegmentSeconds = 10
	maxSegmentSeconds = 30
	segmentSamples    = 150_000
)

// ErrEmptyStrip is returned for a strip without samples.
var ErrEmptyStrip = errors.New("strip has no samples")

// Codes of waveform Observations.
var (
	ecgStudyLOINC = Coding{System: SystemLOINC, Code: "11524-6", Display: "EKG study"}
	ecgCode       = mdcCoding(devices.MDCECGElecPotl, "MDC_ECG_ELEC_POTL")
	plethCode     = mdcCoding(devices.MDCPulsOximPleth, "MDC_PULS_OXIM_PLETH")
	procedureCat  = CodeableConcept{Coding: []Coding{{System: SystemObsCategory, Code: "procedure", Display: "Procedure"}}}
)

// mdcNames are the reference ids of the MDC codes strips use; ecgLeads maps
// the usual lead labels to theirs, for devices that send no MDC code.
var (
	mdcNames = map[uint32]string{
		131328: "MDC_ECG_ELEC_POTL", 131329: "MDC_ECG_LEAD_I", 131330: "MDC_ECG_LEAD_II",
		131389: "MDC_ECG_LEAD_III", 131390: "MDC_ECG_LEAD_AVR", 131391: "MDC_ECG_LEAD_AVL",
		131392: "MDC_ECG_LEAD_AVF", 131331: "MDC_ECG_LEAD_V1", 131332: "MDC_ECG_LEAD_V2",
		131333: "MDC_ECG_LEAD_V3", 131334: "MDC_ECG_LEAD_V4", 131335: "MDC_ECG_LEAD_V5",
		131336: "MDC_ECG_LEAD_V6", 150452: "MDC_PULS_OXIM_PLETH",
	}
	ecgLeads = map[string]uint32{
		"I": 131329, "II": 131330, "III": 131389, "AVR": 131390, "AVL": 131391, "AVF": 131392,
		"V1": 131331, "V2": 131332, "V3": 131333, "V4": 131334, "V5": 131335, "V6": 131336,
	}
)

// signalConcept codes one signal (a lead, the pleth) and returns the key
// its DeviceMetric is known by. A signal without a code keeps its label.
func signalConcept(sig devices.Signal) (CodeableConcept, string) {
	code := sig.MDC
	if code == 0 && sig.Kind == devices.KindECG {
		label := strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sig.Label), "ECG")))
		if code = ecgLeads[label]; code == 0 {
			code = devices.MDCECGElecPotl
		}
	}
	if code == 0 && sig.Kind == devices.KindPleth {
		code = devices.MDCPulsOximPleth
	}
	if code == 0 {
		return CodeableConcept{Text: sig.Label}, "signal:" + sig.ID
	}
	return CodeableConcept{Coding: []Coding{mdcCoding(code, mdcNames[code])}, Text: sig.Label}, strconv.FormatUint(uint64(code), 10)
}

// ucumUnit returns the UCUM code to send values of unit in, and what one
// unit is worth in it: ECG goes in mV whatever the device counts in.
func ucumUnit(unit string) (string, float64) {
	switch strings.TrimSpace(unit) {
	case "":
		return "1", 1
	case "uV", "µV", "μV":
		return "mV", 1e-3
	case "V":
		return "mV", 1e3
	}
	return unit, 1
}

// StripUpload is a strip mapped to FHIR: the Device and DeviceMetric
// upserts, and one Observation per segment and kind of signal.
// DeviceBundles and Bundles pack them into transactions.
type StripUpload struct {
	stripID    string
	recorded   string
	author     string
	system     string
	device     []BundleEntry
	deviceRef  string
	obs        []BundleEntry
	segmentLen time.Duration
}

// MapStrip maps a strip for patientRef ("Patient/<id>"). ECG leads share
// one Observation per segment (code MDC_ECG_ELEC_POTL and LOINC 11524-6,
// one component per lead); the pleth gets its own (MDC_PULS_OXIM_PLETH),
// and so does any other kind of signal.
func MapStrip(st storage.Strip, patientRef string, sys Systems) (*StripUpload, error) {
	sys = sys.withDefaults()
	switch {
	case st.ID == "":
		return nil, errors.New("map strip: strip has no id")
	case !strings.HasPrefix(patientRef, "Patient/") || len(patientRef) == len("Patient/"):
		return nil, fmt.Errorf("map strip %s: patient reference %q is not Patient/<id>", st.ID, patientRef)
	case st.Start.IsZero():
		return nil, fmt.Errorf("map strip %s: no start time", st.ID)
	case len(st.Leads) == 0:
		return nil, fmt.Errorf("map strip %s: %w", st.ID, ErrEmptyStrip)
	}
	var seconds, rates float64
	var signals []devices.Signal
	for i, l := range st.Leads {
		r := l.Signal.SampleRate
		if r <= 0 || math.IsNaN(r) || math.IsInf(r, 0) || len(l.Samples) == 0 {
			return nil, fmt.Errorf("map strip %s lead %d: %w (rate %g, %d samples)", st.ID, i, ErrEmptyStrip, r, len(l.Samples))
		}
		seconds = max(seconds, float64(len(l.Samples))/r)
		rates += r
		signals = append(signals, l.Signal)
	}
	dev, devRef, err := deviceEntries(st.Device, signals, sys)
	if err != nil {
		return nil, fmt.Errorf("map strip %s: %w", st.ID, err)
	}
	n := segmentCount(seconds, rates)
	end := st.Start.Add(time.Duration(seconds * float64(time.Second)))
	u := &StripUpload{stripID: st.ID, recorded: formatTime(end), author: st.Author, system: sys.Provenance,
		device: dev, deviceRef: devRef, segmentLen: time.Duration(seconds / float64(n) * float64(time.Second))}
	for _, g := range groupLeads(st.Leads) {
		for k := range n {
			t0, t1 := seconds*float64(k)/float64(n), seconds*float64(k+1)/float64(n)
			o := Observation{
				ResourceType: "Observation",
				Identifier:   []Identifier{{System: sys.Strip, Value: st.ID}},
				Status:       "final",
				Category:     []CodeableConcept{procedureCat},
				Code:         g.code,
				Subject:      &Reference{Reference: patientRef},
				EffectivePeriod: &Period{
					Start: formatTime(st.Start.Add(time.Duration(t0 * float64(time.Second)))),
					End:   formatTime(st.Start.Add(time.Duration(t1 * float64(time.Second)))),
				},
				Device: &Reference{Reference: devRef},
			}
			if st.Author != "" {
				o.Performer = []Reference{{Display: st.Author}}
			}
			for _, l := range g.leads {
				r := l.Signal.SampleRate
				i0, i1 := min(int(math.Round(t0*r)), len(l.Samples)), min(int(math.Round(t1*r)), len(l.Samples))
				if k == n-1 {
					i1 = len(l.Samples)
				}
				if i0 >= i1 {
					continue // a shorter lead has ended
				}
				code, _ := signalConcept(l.Signal)
				o.Component = append(o.Component, ObservationComponent{Code: code, ValueSampledData: sampledData(l.Signal, l.Samples[i0:i1])})
			}
			if len(o.Component) == 0 {
				continue
			}
			key := fmt.Sprintf("%s/%d", g.key, k)
			id := ObservationIdentifier(st.ID, key)
			o.Identifier = append([]Identifier{{System: sys.Observation, Value: id}}, o.Identifier...)
			e, err := createEntry("Observation", fullURL(st.ID, key), o, sys.Observation, id)
			if err != nil {
				return nil, fmt.Errorf("map strip %s: %w", st.ID, err)
			}
			u.obs = append(u.obs, e)
		}
	}
	return u, nil
}

// segmentCount cuts seconds of waveform sampled at rates (summed over the
// leads) into segments of 10 to 30 s, as few as keep each near
// segmentSamples.
func segmentCount(seconds, rates float64) int {
	if seconds <= minSegmentSeconds {
		return 1
	}
	length := math.Min(math.Max(segmentSamples/rates, minSegmentSeconds), maxSegmentSeconds)
	n := int(math.Ceil(seconds / length))
	lo, hi := int(math.Ceil(seconds/maxSegmentSeconds)), max(1, int(math.Floor(seconds/minSegmentSeconds)))
	return min(max(n, lo), hi)
}

// leadGroup is the leads that share one Observation per segment.
type leadGroup struct {
	key   string
	code  CodeableConcept
	leads []storage.StripLead
}

func groupLeads(leads []storage.StripLead) []leadGroup {
	var out []leadGroup
	index := map[string]int{}
	for _, l := range leads {
		var g leadGroup
		switch l.Signal.Kind {
		case devices.KindECG:
			g = leadGroup{key: "ecg", code: CodeableConcept{Coding: []Coding{ecgCode, ecgStudyLOINC}, Text: "ECG strip"}}
		case devices.KindPleth:
			g = leadGroup{key: "pleth", code: CodeableConcept{Coding: []Coding{plethCode}, Text: "Plethysmogram strip"}}
		default:
			code, key := signalConcept(l.Signal)
			g = leadGroup{key: "signal/" + key, code: code}
		}
		i, ok := index[g.key]
		if !ok {
			i = len(out)
			index[g.key] = i
			out = append(out, g)
		}
		out[i].leads = append(out[i].leads, l)
	}
	return out
}

// sampledData writes samples as integer counts with the factor and origin
// that turn them into the signal's unit (mV for ECG), "E" for a gap and
// "L"/"U" beyond the device's valid range.
func sampledData(sig devices.Signal, samples []int32) *SampledData {
	unit, per := ucumUnit(sig.Unit)
	sd := &SampledData{
		Origin:     Quantity{Unit: unit, System: SystemUCUM, Code: unit},
		Period:     1000 / sig.SampleRate,
		Dimensions: 1,
	}
	factor := 1.0
	if sig.Scale != 0 && !math.IsNaN(sig.Scale) && !math.IsInf(sig.Scale, 0) {
		factor = sig.Scale * per
		sd.Factor = &factor
	}
	sd.Origin.Value = -float64(sig.Baseline) * factor
	limits := sig.Min < sig.Max
	if limits {
		lo, hi := sd.Origin.Value+factor*float64(sig.Min), sd.Origin.Value+factor*float64(sig.Max)
		if factor < 0 {
			lo, hi = hi, lo
		}
		sd.LowerLimit, sd.UpperLimit = &lo, &hi
	}
	buf := make([]byte, 0, len(samples)*5)
	for i, v := range samples {
		if i > 0 {
			buf = append(buf, ' ')
		}
		switch {
		case v == storage.GapSample:
			buf = append(buf, 'E')
		case limits && v < sig.Min:
			buf = append(buf, 'L')
		case limits && v > sig.Max:
			buf = append(buf, 'U')
		default:
			buf = strconv.AppendInt(buf, int64(v), 10)
		}
	}
	sd.Data = string(buf)
	return sd
}

// formatTime writes an R4 dateTime with milliseconds and the zone.
func formatTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z07:00") }

// Observations is how many Observations the strip maps to.
func (u *StripUpload) Observations() int { return len(u.obs) }

// SegmentLength is the time each Observation covers.
func (u *StripUpload) SegmentLength() time.Duration { return u.segmentLen }

// MaxTransactionEntries is the most entries a transaction with conditional
// creates or updates may have on Medplum's engine (its fhir-router refuses
// more: "Transaction requires strict isolation but has too many
// entries"). Strip transactions keep to it.
const MaxTransactionEntries = 8

// DeviceBundles are the transactions that upsert the Device and its
// DeviceMetrics, each repeating the Device upsert so that its metrics'
// source resolves inside it. They change nothing once sent; a Sender sends
// them once per device and process.
func (u *StripUpload) DeviceBundles() []Bundle {
	var out []Bundle
	metrics := u.device[1:]
	for first := 0; first < len(metrics); first += MaxTransactionEntries - 1 {
		part := metrics[first:min(first+MaxTransactionEntries-1, len(metrics))]
		out = append(out, Bundle{ResourceType: "Bundle", Type: "transaction", Entry: append([]BundleEntry{u.device[0]}, part...)})
	}
	return out
}

// Bundles packs the Observations into transactions of at most
// perTransaction each (as many as a transaction may hold when
// perTransaction ≤ 0). Every transaction repeats the Device upsert, which
// its Observations point at, and carries a Provenance of its Observations,
// so each stands alone.
func (u *StripUpload) Bundles(perTransaction int) ([]Bundle, error) {
	if limit := MaxTransactionEntries - 2; perTransaction <= 0 || perTransaction > limit {
		perTransaction = limit
	}
	var out []Bundle
	for first := 0; first < len(u.obs); first += perTransaction {
		part := u.obs[first:min(first+perTransaction, len(u.obs))]
		b := Bundle{ResourceType: "Bundle", Type: "transaction"}
		b.Entry = append(append(b.Entry, u.device[0]), part...)
		var targets []Reference
		for _, e := range part {
			targets = append(targets, Reference{Reference: e.FullURL})
		}
		prov, err := provenanceEntry(u.stripID, fmt.Sprintf("provenance/%d+%d", first, len(part)), targets, u.recorded, u.deviceRef, u.author, u.system)
		if err != nil {
			return nil, err
		}
		out = append(out, Bundle{ResourceType: b.ResourceType, Type: b.Type, Entry: append(b.Entry, prov)})
	}
	return out, nil
}
