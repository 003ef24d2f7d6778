package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/formats/ecg12"
	"telewave/storage"
)

// StripStore is what capturing a strip needs of the record store.
type StripStore interface {
	Signals(ctx context.Context, recordingID int64) ([]devices.Signal, error)
	Recording(ctx context.Context, recordingID int64) (storage.Recording, error)
	FillStrip(ctx context.Context, st *storage.Strip) error
	QueueStrip(ctx context.Context, st storage.Strip) (unitID int64, err error)
}

// StripSeconds is the length of a captured 12-lead strip, as a cart prints.
const StripSeconds = 10

// ErrNoECG is returned when the slot has recorded no ECG to capture.
var ErrNoECG = errors.New("no ECG recorded on this device yet")

// CaptureStrip keeps the last d of every ECG lead of the device in slot as
// a strip for the chart ("12-lead strip"): it waits until the recorder has
// written everything up to now, reads the samples back from the sealed
// recording and queues the strip for the EHR in one transaction. It blocks
// for about one flush interval: call it off the UI thread.
func (w *Workstation) CaptureStrip(ctx context.Context, slot string, d time.Duration) (storage.Strip, error) {
	ss, ok := w.cfg.Store.(StripStore)
	if !ok {
		return storage.Strip{}, errors.New("capture strip: this store keeps no strips")
	}
	if d <= 0 {
		d = StripSeconds * time.Second
	}
	end := w.cfg.Now()
	// The recorder commits every FlushEvery; one interval and a margin
	// later everything up to end is in the store.
	select {
	case <-time.After(FlushEvery + 200*time.Millisecond):
	case <-ctx.Done():
		return storage.Strip{}, ctx.Err()
	}
	recID := w.Recorder.Recordings()[slot]
	if recID == 0 {
		return storage.Strip{}, fmt.Errorf("capture strip from %s: %w", slot, ErrNoECG)
	}
	sigs, err := ss.Signals(ctx, recID)
	if err != nil {
		return storage.Strip{}, fmt.Errorf("capture strip from %s: %w", slot, err)
	}
	rec, err := ss.Recording(ctx, recID)
	if err != nil {
		return storage.Strip{}, fmt.Errorf("capture strip from %s: %w", slot, err)
	}
	st := storage.Strip{ID: uuid.NewString(), PatientMRN: w.cfg.Patient.MRN, RecordingID: recID,
		Start: end.Add(-d), End: end, Device: rec.Device, Author: w.cfg.User}
	for _, s := range sigs {
		if s.Kind == devices.KindECG {
			st.Leads = append(st.Leads, storage.StripLead{Signal: s})
		}
	}
	if len(st.Leads) == 0 {
		return storage.Strip{}, fmt.Errorf("capture strip from %s: %w", slot, ErrNoECG)
	}
	if err := ss.FillStrip(ctx, &st); err != nil {
		return storage.Strip{}, fmt.Errorf("capture strip from %s: %w", slot, err)
	}
	if _, err := ss.QueueStrip(ctx, st); err != nil {
		return storage.Strip{}, fmt.Errorf("capture strip from %s: %w", slot, err)
	}
	return st, nil
}

// StripRecord turns a strip's ECG leads into the 12-lead record that
// layouts and the printed report draw. Gaps (no data) become the lead's
// baseline: flat, never invented waveform; gaps says how many samples were.
func StripRecord(st storage.Strip, p storage.Patient) (rec ecg12.Record, gaps int, err error) {
	rec = ecg12.Record{Format: "Telewave strip", Acquired: st.Start,
		Patient: stripPatient(p),
		Device:  ecg12.Device{Manufacturer: st.Device.Protocol, Model: st.Device.Model, Serial: st.Device.Serial, Software: st.Device.Firmware}}
	for _, l := range st.Leads {
		if l.Signal.Kind != devices.KindECG {
			continue
		}
		uv, ok := microvoltsPer(l.Signal.Unit)
		if !ok {
			return rec, 0, fmt.Errorf("lead %s: unit %q is not a voltage", l.Signal.ID, l.Signal.Unit)
		}
		if rec.SampleRate == 0 {
			rec.SampleRate = l.Signal.SampleRate
		} else if rec.SampleRate != l.Signal.SampleRate {
			return rec, 0, fmt.Errorf("lead %s: %g Hz beside %g Hz", l.Signal.ID, l.Signal.SampleRate, rec.SampleRate)
		}
		samples := make([]int32, len(l.Samples))
		for i, v := range l.Samples {
			if v == storage.GapSample {
				v, gaps = l.Signal.Baseline, gaps+1
			}
			samples[i] = v
		}
		label := l.Signal.Label
		if label == "" {
			label = l.Signal.ID
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: ecg12.NormalizeLabel(label), Samples: samples,
			Scale: l.Signal.Scale * uv, Baseline: l.Signal.Baseline})
	}
	if len(rec.Leads) == 0 {
		return rec, 0, ErrNoECG
	}
	return rec, gaps, nil
}

// microvoltsPer returns how many µV one unit of a UCUM voltage unit is.
func microvoltsPer(unit string) (float64, bool) {
	switch strings.TrimSpace(unit) {
	case "mV":
		return 1000, true
	case "uV", "µV":
		return 1, true
	case "V":
		return 1e6, true
	}
	return 0, false
}

// stripPatient is the record's header from the store's patient (the name
// whole in FamilyName: the store keeps it as one string).
func stripPatient(p storage.Patient) ecg12.Patient {
	out := ecg12.Patient{ID: p.MRN, FamilyName: p.Name, Sex: "U"}
	if b, err := time.Parse(time.DateOnly, p.Birth); err == nil {
		out.BirthDate = b
	}
	switch p.Sex {
	case "female":
		out.Sex = "F"
	case "male":
		out.Sex = "M"
	}
	return out
}
