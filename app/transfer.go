package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"telewave/devices"
	"telewave/formats/csv"
	"telewave/formats/edf"
	"telewave/formats/wfdb"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// RecordStore is what import and export need of the record store.
type RecordStore interface {
	ChunkStore
	Recording(ctx context.Context, id int64) (storage.Recording, error)
	Signals(ctx context.Context, recordingID int64) ([]devices.Signal, error)
	Chunks(ctx context.Context, recordingID int64, signalID string) ([]devices.Chunk, error)
	AddAnnotations(ctx context.Context, recordingID int64, notes []storage.Annotation) error
	Audit(ctx context.Context, action, detail string) error
	StoreRecording(ctx context.Context, r sqlite.NewRecording) (storage.Recording, error)
}

// Track is one signal of an imported or exported recording, whole.
type Track struct {
	Signal  devices.Signal
	Samples []int32
}

// ImportTracks stores tracks as a new, stopped recording of a patient, in
// chunks of one second (the live format; the store compacts them later),
// with the file's annotations, in one audited transaction: on any failure
// nothing of it is left.
func ImportTracks(ctx context.Context, st RecordStore, patientID int64, dev devices.DeviceInfo, start time.Time,
	tracks []Track, notes []storage.Annotation) (storage.Recording, error) {
	rec, err := st.StoreRecording(ctx, WholeRecording(patientID, dev, start, tracks, notes))
	if err != nil {
		return rec, fmt.Errorf("import: %w", err)
	}
	return rec, nil
}

// ReadTracks reads a recording's signals back whole, chunks concatenated
// (gaps are not filled: a gap's flag is on the chunk after it).
func ReadTracks(ctx context.Context, st RecordStore, recordingID int64) (storage.Recording, []Track, error) {
	rec, err := st.Recording(ctx, recordingID)
	if err != nil {
		return rec, nil, err
	}
	sigs, err := st.Signals(ctx, recordingID)
	if err != nil {
		return rec, nil, err
	}
	out := make([]Track, 0, len(sigs))
	for _, s := range sigs {
		chunks, err := st.Chunks(ctx, recordingID, s.ID)
		if err != nil {
			return rec, nil, err
		}
		t := Track{Signal: s}
		for _, c := range chunks {
			t.Samples = append(t.Samples, c.Samples...)
		}
		out = append(out, t)
	}
	return rec, out, nil
}

// ReadWFDB reads a WFDB record (path without extension) with its
// reference annotations (path.atr) when present.
func ReadWFDB(path string) ([]Track, []storage.Annotation, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	r, err := wfdb.Read(os.DirFS(dir), name)
	if err != nil {
		return nil, nil, err
	}
	tracks := make([]Track, len(r.Signals))
	for i, s := range r.Signals {
		lo, hi := int32(-2048), int32(2047)
		if s.Format == 16 {
			lo, hi = -32768, 32767
		}
		label := s.Description
		if label == "" {
			label = fmt.Sprintf("signal %d", i)
		}
		tracks[i] = Track{Signal: devices.Signal{ID: fmt.Sprintf("sig-%d", i), Label: label, Kind: kindOf(label, s.Units),
			Unit: ucumUnit(s.Units), SampleRate: r.Freq, Scale: 1 / s.Gain, Baseline: s.Baseline, Min: lo, Max: hi}, Samples: r.Samples[i]}
	}
	var notes []storage.Annotation
	if f, err := os.Open(path + ".atr"); err == nil {
		anns, err := wfdb.ReadAnnotations(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read %s.atr: %w", path, err)
		}
		for _, a := range anns {
			text := wfdb.Mnemonic(a.Code)
			if a.Aux != "" {
				text += " " + a.Aux
			}
			notes = append(notes, storage.Annotation{Time: time.Unix(0, int64(float64(a.Sample)/r.Freq*1e9)), Text: text, Author: "wfdb:atr"})
		}
	}
	return tracks, notes, nil
}

// ReadEDF reads an EDF/EDF+ file.
func ReadEDF(path string) ([]Track, []storage.Annotation, time.Time, error) {
	r, err := edf.ReadFile(path)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	tracks := make([]Track, len(r.Signals))
	for i, s := range r.Signals {
		gain := s.Gain()
		tracks[i] = Track{Signal: devices.Signal{ID: fmt.Sprintf("sig-%d", i), Label: s.Label, Kind: kindOf(s.Label, s.Unit),
			Unit: ucumUnit(s.Unit), SampleRate: s.SampleRate, Scale: gain, Baseline: int32(-s.Offset()/gain + 0.5*sign(-s.Offset()/gain)),
			Min: s.DigMin, Max: s.DigMax}, Samples: s.Samples}
	}
	var notes []storage.Annotation
	for _, a := range r.Annotations {
		notes = append(notes, storage.Annotation{Time: r.Start.Add(a.Onset), Text: a.Text, Author: "edf+"})
	}
	return tracks, notes, r.Start, nil
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// ExportWFDB writes the tracks as record name in dir (all tracks must share
// one rate and length, as a WFDB record without multi-frequency does).
func ExportWFDB(dir, name string, tracks []Track) error {
	if len(tracks) == 0 {
		return fmt.Errorf("export wfdb: no signals")
	}
	h := wfdb.Header{Name: name, Freq: tracks[0].Signal.SampleRate}
	samples := make([][]int32, len(tracks))
	for i, t := range tracks {
		if t.Signal.SampleRate != h.Freq || len(t.Samples) != len(tracks[0].Samples) {
			return fmt.Errorf("export wfdb: signal %s has %d samples at %g Hz, signal %s %d at %g Hz: a WFDB record needs one rate and length (export EDF+ instead)",
				t.Signal.ID, len(t.Samples), t.Signal.SampleRate, tracks[0].Signal.ID, len(tracks[0].Samples), h.Freq)
		}
		h.Signals = append(h.Signals, wfdb.SignalSpec{Gain: 1 / t.Signal.Scale, Baseline: t.Signal.Baseline, Units: t.Signal.Unit, Description: t.Signal.Label})
		samples[i] = t.Samples
	}
	return wfdb.WriteRecord(wfdb.Dir(dir), name, h, samples)
}

// ExportEDF writes the tracks as EDF+C (the last record padded with the
// last sample when a signal does not fill it).
func ExportEDF(w io.Writer, start time.Time, tracks []Track, notes []storage.Annotation) error {
	rec := edf.Recording{Patient: "X X X X", RecordingID: "Startdate X X X telewave", Start: start.UTC().Truncate(time.Second)}
	for _, t := range tracks {
		s := t.Signal
		rec.Signals = append(rec.Signals, edf.Signal{Label: s.Label, Unit: s.Unit, DigMin: s.Min, DigMax: s.Max,
			PhysMin: s.Physical(s.Min), PhysMax: s.Physical(s.Max), SampleRate: s.SampleRate, Samples: t.Samples})
	}
	for _, a := range notes {
		rec.Annotations = append(rec.Annotations, edf.Annotation{Onset: a.Time.Sub(rec.Start), Text: a.Text})
	}
	return edf.WriteWith(w, rec, edf.WriteOptions{Pad: true})
}

// ExportCSV writes the tracks in physical units, one column per signal.
func ExportCSV(w io.Writer, start time.Time, tracks []Track) error {
	cols := make([]csv.Column, len(tracks))
	for i, t := range tracks {
		cols[i] = csv.Column{Label: t.Signal.Label, Unit: t.Signal.Unit, Rate: t.Signal.SampleRate, Scale: t.Signal.Scale,
			Baseline: t.Signal.Baseline, Samples: t.Samples}
	}
	return csv.Write(w, start, cols)
}

func kindOf(label, unit string) devices.SignalKind {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "pleth"):
		return devices.KindPleth
	case strings.Contains(l, "abp") || strings.Contains(l, "art") || strings.Contains(l, "press"):
		return devices.KindPressure
	case strings.Contains(l, "resp"):
		return devices.KindRespiration
	case strings.Contains(strings.ToLower(unit), "v"):
		return devices.KindECG
	}
	return devices.KindOther
}

// ucumUnit maps the unit spellings files use to UCUM.
func ucumUnit(u string) string {
	switch strings.TrimSpace(u) {
	case "", "mV":
		return "mV"
	case "uV", "µV":
		return "uV"
	case "mmHg":
		return "mm[Hg]"
	case "NU", "nu":
		return "1"
	}
	return strings.ReplaceAll(strings.TrimSpace(u), " ", "_")
}
