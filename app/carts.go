package app

import (
	"fmt"
	"math"
	"strings"
	"time"

	"telewave/devices"
	"telewave/formats/ecg12"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// leadMDC maps canonical lead labels to their MDC codes (ISO/IEEE
// 11073-10101, as the FHIR R4 ECG example uses them).
var leadMDC = map[string]uint32{
	"I": 131329, "II": 131330, "III": 131389, "aVR": 131390, "aVL": 131391, "aVF": 131392,
	"V1": 131331, "V2": 131332, "V3": 131333, "V4": 131334, "V5": 131335, "V6": 131336,
}

// ECGTracks turns a cart's record into tracks for ImportTracks: one ECG
// signal per lead, in µV, with the file's scale and baseline kept so the
// stored counts are the file's counts.
func ECGTracks(rec *ecg12.Record) []Track {
	out := make([]Track, 0, len(rec.Leads))
	for _, l := range rec.Leads {
		lo, hi := int32(math.MaxInt32), int32(math.MinInt32)
		for _, v := range l.Samples {
			lo, hi = min(lo, v), max(hi, v)
		}
		if len(l.Samples) == 0 {
			lo, hi = 0, 0
		}
		label := l.Label
		if l.Derived {
			label += " (derived)"
		}
		code := leadMDC[l.Label]
		if code == 0 {
			code = devices.MDCECGElecPotl
		}
		out = append(out, Track{Signal: devices.Signal{ID: l.Label, Label: label, Kind: devices.KindECG, MDC: code, Unit: "uV",
			SampleRate: rec.SampleRate, Scale: l.Scale, Baseline: l.Baseline, Min: lo, Max: hi}, Samples: l.Samples})
	}
	return out
}

// CartNotes keeps what the cart said beside the waveform: its
// measurements and statements as annotations at the start of the
// recording, marked as the cart's so review shows them beside ours.
func CartNotes(rec *ecg12.Record, start time.Time) []storage.Annotation {
	var notes []storage.Annotation
	author := "cart"
	if d := strings.TrimSpace(rec.Device.Manufacturer + " " + rec.Device.Model); d != "" {
		author = "cart " + d
	}
	if len(rec.Measurements) > 0 {
		parts := make([]string, 0, len(rec.Measurements))
		for _, m := range rec.Measurements {
			if math.IsNaN(m.Value) {
				parts = append(parts, m.Name+" not measured")
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %g %s", m.Name, m.Value, m.Unit))
		}
		notes = append(notes, storage.Annotation{Time: start, Text: "Cart measurements: " + strings.Join(parts, ", "), Author: author})
	}
	for _, s := range rec.Statements {
		notes = append(notes, storage.Annotation{Time: start, Text: "Cart statement: " + s, Author: author})
	}
	return notes
}

// CartDevice describes the cart for the recording's device line.
func CartDevice(rec *ecg12.Record, file string) devices.DeviceInfo {
	model := strings.TrimSpace(rec.Device.Manufacturer + " " + rec.Device.Model)
	if model == "" {
		model = file
	}
	return devices.DeviceInfo{Protocol: "import:" + rec.Format, Model: model, Serial: rec.Device.Serial, Firmware: rec.Device.Software}
}

// CartSays is what a cart file says of its patient and acquisition, as the
// cart wrote it (names as given, the acquisition time on the cart's
// clock), for a clinician choosing the patient of a file that matched
// none.
func CartSays(rec *ecg12.Record) sqlite.FileSays {
	p := rec.Patient
	says := sqlite.FileSays{PatientID: strings.TrimSpace(p.ID), Sex: p.Sex,
		Device: strings.TrimSpace(rec.Device.Manufacturer + " " + rec.Device.Model)}
	switch family, given := strings.TrimSpace(p.FamilyName), strings.TrimSpace(p.GivenName); {
	case family != "" && given != "":
		says.Name = family + ", " + given
	default:
		says.Name = family + given
	}
	if !p.BirthDate.IsZero() {
		says.Birth = p.BirthDate.Format(time.DateOnly)
	}
	if !rec.Acquired.IsZero() {
		says.Acquired = rec.Acquired.Format(time.DateTime)
	}
	if rec.Device.Serial != "" {
		says.Device = strings.TrimSpace(says.Device + " serial " + rec.Device.Serial)
	}
	return says
}

// WholeRecording is tracks as one recording for the store's one-transaction
// import (sqlite.Store.StoreRecording, CompleteImport): chunks of one
// second (the live format; the store compacts them later) from start, and
// the file's notes.
func WholeRecording(patientID int64, dev devices.DeviceInfo, start time.Time, tracks []Track, notes []storage.Annotation) sqlite.NewRecording {
	r := sqlite.NewRecording{PatientID: patientID, Device: dev, Started: start, Stopped: start, Notes: notes}
	for _, t := range tracks {
		r.Signals = append(r.Signals, t.Signal)
		if !(t.Signal.SampleRate > 0) {
			continue
		}
		per := max(int(t.Signal.SampleRate), 1)
		for i, seq := 0, uint64(0); i < len(t.Samples); i, seq = i+per, seq+1 {
			end := min(i+per, len(t.Samples))
			at := start.Add(time.Duration(float64(i) / t.Signal.SampleRate * 1e9))
			r.Chunks = append(r.Chunks, devices.Chunk{Signal: t.Signal.ID, Seq: seq, HostTime: at, Samples: t.Samples[i:end]})
		}
		if e := start.Add(time.Duration(float64(len(t.Samples)) / t.Signal.SampleRate * 1e9)); e.After(r.Stopped) {
			r.Stopped = e
		}
	}
	return r
}
