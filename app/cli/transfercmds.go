package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"telewave/app"
	"telewave/devices"
	"telewave/formats/carts"
	"telewave/formats/csv"
	"telewave/formats/ecg12"
	"telewave/storage"
)

const (
	usageImport = "import FILE [--patient MRN] [--start RFC3339] [--store DIR]   (ECG cart files: SCP-ECG, DICOM, HL7 aECG, GE MUSE, Philips Sierra, Contec; WFDB record, EDF/EDF+, CSV; the patient from the file's id when --patient is not given)"
	usageExport = "export --recording ID --format wfdb|edf|csv|pdf --out PATH [--store DIR] [pdf: --paper --speed --gain --layout --rhythm --filters]"
)

func runImport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	mrn := fs.String("patient", "", "patient MRN")
	startFlag := fs.String("start", "", "start time (RFC 3339) when the file has none")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("import FILE [--patient MRN]")
	}
	start := time.Now().UTC().Truncate(time.Second)
	if *startFlag != "" {
		if start, err = time.Parse(time.RFC3339, *startFlag); err != nil {
			return usagef("--start %q: %v", *startFlag, err)
		}
	}
	path := pos[0]
	var (
		tracks []app.Track
		notes  []storage.Annotation
		kind   string
		dev    devices.DeviceInfo
		fileID string // the patient id the file carries
	)
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case isCartFile(path):
		var rec *ecg12.Record
		if rec, _, err = carts.ReadFile(path); err == nil {
			kind, fileID, dev = rec.Format, rec.Patient.ID, app.CartDevice(rec, filepath.Base(path))
			if *startFlag == "" && !rec.Acquired.IsZero() {
				start = rec.Acquired
			}
			tracks, notes = app.ECGTracks(rec), app.CartNotes(rec, start)
		}
	case ext == ".edf":
		kind = "edf"
		var t0 time.Time
		tracks, notes, t0, err = app.ReadEDF(path)
		if *startFlag == "" && !t0.IsZero() {
			start = t0
		}
	case ext == ".csv":
		kind = "csv"
		tracks, start, err = readCSV(path, start, *startFlag != "")
	case ext == ".hea" || ext == "" || ext == ".dat":
		kind = "wfdb"
		rec := strings.TrimSuffix(strings.TrimSuffix(path, ".hea"), ".dat")
		tracks, notes, err = app.ReadWFDB(rec)
		for i := range notes { // WFDB annotation times are offsets from the start
			notes[i].Time = start.Add(notes[i].Time.Sub(time.Unix(0, 0)))
		}
	default:
		return usagef("import: unknown file type %q (want an ECG cart file, a WFDB record, .edf or .csv)", ext)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err) // nothing was stored: a half-read file imports nothing
	}
	s, _, err := openStore(ctx, env, storeDir(env, *dirFlag))
	if err != nil {
		return err
	}
	defer s.Close()
	if *mrn == "" && fileID == "" {
		return usagef("import: %s names no patient: give --patient MRN", filepath.Base(path))
	}
	who := *mrn
	if who == "" {
		who = fileID
	}
	p, err := s.PatientByMRN(ctx, who)
	if err != nil {
		if *mrn == "" {
			return fmt.Errorf("import: the file's patient id matches no patient in the store (give --patient MRN to choose one): %w", err)
		}
		return err
	}
	if dev.Protocol == "" {
		dev = devices.DeviceInfo{Protocol: "import:" + kind, Model: filepath.Base(path)}
	}
	rec, err := app.ImportTracks(ctx, s, p.ID, dev, start, tracks, notes)
	if err != nil {
		return err
	}
	if _, err := s.Compact(ctx, time.Now().Add(time.Hour), 0); err != nil {
		return err
	}
	var samples int
	for _, t := range tracks {
		samples += len(t.Samples)
	}
	fmt.Fprintf(env.Stdout, "recording=%d signals=%d samples=%d annotations=%d\n", rec.ID, len(tracks), samples, len(notes))
	return nil
}

// isCartFile reports whether a cart reader recognises the file's first
// bytes.
func isCartFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	_, ok := carts.Sniff(head[:n])
	return ok
}

func readCSV(path string, start time.Time, keepStart bool) ([]app.Track, time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, start, err
	}
	defer f.Close()
	t0, cols, err := csv.Read(f)
	if err != nil {
		return nil, start, err
	}
	if !keepStart && !t0.IsZero() {
		start = t0
	}
	tracks := make([]app.Track, len(cols))
	for i, c := range cols {
		tracks[i] = app.Track{Signal: devices.Signal{ID: fmt.Sprintf("sig-%d", i), Label: c.Label, Unit: c.Unit, SampleRate: c.Rate,
			Scale: c.Scale, Baseline: c.Baseline, Min: -1 << 31, Max: 1<<31 - 1}, Samples: c.Samples}
	}
	return tracks, start, nil
}

func runExport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	recID := fs.Int64("recording", 0, "recording id")
	format := fs.String("format", "edf", "wfdb, edf, csv or pdf (a true-scale 12-lead report)")
	out := fs.String("out", "", "output file (edf, csv) or record path without extension (wfdb)")
	pdfOpt := pdfFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *recID == 0 || *out == "" {
		return usagef("export --recording ID --format wfdb|edf|csv|pdf --out PATH")
	}
	s, _, err := openStore(ctx, env, storeDir(env, *dirFlag))
	if err != nil {
		return err
	}
	defer s.Close()
	rec, tracks, err := app.ReadTracks(ctx, s, *recID)
	if err != nil {
		return err
	}
	switch *format {
	case "wfdb":
		err = app.ExportWFDB(filepath.Dir(*out), filepath.Base(*out), tracks)
	case "edf", "csv":
		var f *os.File
		if f, err = os.Create(*out); err != nil {
			return err
		}
		if *format == "edf" {
			notes, aerr := s.Annotations(ctx, *recID)
			if aerr != nil {
				f.Close()
				return aerr
			}
			err = app.ExportEDF(f, rec.Started, tracks, notes)
		} else {
			err = app.ExportCSV(f, rec.Started, tracks)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	case "pdf":
		opt, oerr := pdfOpt()
		if oerr != nil {
			return oerr
		}
		err = exportPDF(ctx, s, rec, tracks, *out, opt)
	default:
		return usagef("--format %q: want wfdb, edf, csv or pdf", *format)
	}
	if err != nil {
		return fmt.Errorf("export recording %d: %w", *recID, err)
	}
	if err := s.Audit(ctx, "export", fmt.Sprintf("recording %d of patient %d as %s", *recID, rec.PatientID, *format)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exported recording %d as %s to %s\n", *recID, *format, *out)
	return nil
}
