package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"telewave/app"
	"telewave/formats/carts"
	"telewave/formats/ecg12"
	"telewave/formats/pdf"
	"telewave/storage"
)

const usageReport = "report CART_FILE --out F.pdf [--paper a4|letter] [--speed 25|50] [--gain 5|10|20] [--layout 3x4|3x4+1|6x2|12x1] [--rhythm LEAD] [--filters TEXT]   (prints an ECG cart file as a true-scale PDF 12-lead report)"

// pdfFlags registers the report's layout flags on fs; the returned
// function, called after parsing, yields the options or a usage error.
func pdfFlags(fs *flag.FlagSet) func() (pdf.Options, error) {
	paper := fs.String("paper", "a4", "a4 or letter")
	speed := fs.Float64("speed", 25, "paper speed, mm/s (25 or 50)")
	gain := fs.Float64("gain", 10, "mm/mV (5, 10 or 20)")
	layout := fs.String("layout", pdf.Layout3x4Rhythm, "3x4, 3x4+1, 6x2 or 12x1")
	rhythm := fs.String("rhythm", "II", "rhythm lead of 3x4+1")
	filters := fs.String("filters", "", "filters to print in the header")
	return func() (pdf.Options, error) {
		o := pdf.Options{Speed: *speed, Gain: *gain, Layout: *layout, RhythmLead: *rhythm, Filters: *filters}
		switch strings.ToLower(*paper) {
		case "a4":
			o.Paper = pdf.A4
		case "letter":
			o.Paper = pdf.Letter
		default:
			return o, usagef("--paper %q: want a4 or letter", *paper)
		}
		return o, nil
	}
}

// runReport prints a cart file (any format formats/carts reads) as a PDF
// report, without a store.
func runReport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	out := fs.String("out", "", "PDF file to write")
	options := pdfFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usagef("report CART_FILE --out F.pdf")
	}
	opt, err := options()
	if err != nil {
		return err
	}
	rec, _, err := carts.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("report %s: %w", pos[0], err)
	}
	opt.Printed = time.Now()
	if err := writePDF(*out, rec, opt); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s, %d leads, %g mm/s, %g mm/mV)\n", *out, rec.Format, len(rec.Leads), opt.Speed, opt.Gain)
	return nil
}

// pdfSource is what exportPDF needs of the store beyond the tracks.
type pdfSource interface {
	Patient(ctx context.Context, id int64) (storage.Patient, error)
	Annotations(ctx context.Context, recordingID int64) ([]storage.Annotation, error)
}

// exportPDF prints a stored recording's ECG tracks as a PDF report at
// out, with the chart's patient, the recording's device and start, and the
// cart's measurements and statements that import kept as annotations.
// From runExport: case "pdf": err = exportPDF(ctx, s, rec, tracks, *out, pdf.Options{}).
func exportPDF(ctx context.Context, s pdfSource, rec storage.Recording, tracks []app.Track, out string, opt pdf.Options) error {
	r, err := app.CartRecord(tracks)
	if err != nil {
		return err
	}
	p, err := s.Patient(ctx, rec.PatientID)
	if err != nil {
		return fmt.Errorf("patient %d: %w", rec.PatientID, err)
	}
	r.Patient = chartPatient(p)
	r.Device = ecg12.Device{Model: rec.Device.Model, Serial: rec.Device.Serial, Software: rec.Device.Firmware}
	r.Acquired = rec.Started
	notes, err := s.Annotations(ctx, rec.ID)
	if err != nil {
		return fmt.Errorf("annotations of recording %d: %w", rec.ID, err)
	}
	r.Measurements, r.Statements, _ = app.CartFindings(notes)
	if opt.Printed.IsZero() {
		opt.Printed = time.Now()
	}
	return writePDF(out, r, opt)
}

func writePDF(out string, r *ecg12.Record, opt pdf.Options) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	err = pdf.WriteECG12(f, r, opt)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out) // a half-written report must not be mistaken for one
		return fmt.Errorf("write report %s: %w", out, err)
	}
	return nil
}

func chartPatient(p storage.Patient) ecg12.Patient {
	out := ecg12.Patient{ID: p.MRN, GivenName: p.Name}
	if b, err := time.Parse("2006-01-02", p.Birth); err == nil {
		out.BirthDate = b
	}
	out.Sex = map[string]string{"female": "F", "male": "M", "unknown": "U"}[p.Sex]
	if out.Sex == "" {
		out.Sex = p.Sex
	}
	return out
}
