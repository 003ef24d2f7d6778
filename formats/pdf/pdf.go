// Package pdf prints a resting 12-lead ECG (an ecg12.Record) as a one-page
// PDF report at true scale: 1 mm on paper is 1 mm of ECG paper, with the
// 1 mm and 5 mm grid, a 1 mV calibration pulse on every row, the patient,
// device, acquisition, speed, gain, filters, measurements and statements.
//
// The writer is ours and small: PDF 1.4, one page, the base-14 Helvetica
// fonts in WinAnsiEncoding (no embedding), vector grid and traces in a
// zlib-compressed content stream whose user space is millimetres.
package pdf

import (
	"fmt"
	"io"

	"telewave/formats/ecg12"
)

// WriteECG12 writes r as a one-page PDF report to w. Records longer than
// the strip show their first 10 s (5 s at 50 mm/s); in 3x4 each column
// shows the next 2.5 s. Leads the layout wants and the record lacks are
// labelled "not recorded". It returns an error wrapping ErrInvalid for a
// record or options it cannot print truthfully, and writes nothing then.
func WriteECG12(w io.Writer, r *ecg12.Record, opt Options) error {
	o, err := resolve(r, opt)
	if err != nil {
		return err
	}
	spec := layouts[o.Layout]
	g := newGeometry(o.Paper, o.Speed, o.Gain, spec)

	var c canvas
	fmt.Fprintf(&c.b, "%.6f 0 0 %.6f 0 0 cm\n", mmToPt, mmToPt) // user space in mm from here on
	c.strips(g, cells(r, spec, g, o.RhythmLead), r.SampleRate)
	c.header(g, o, r)
	c.footer(g, o)

	f := newFile()
	catalog, pages, page, font, bold, content, info := f.reserve(), f.reserve(), f.reserve(), f.reserve(), f.reserve(), f.reserve(), f.reserve()
	// PrintScaling is read by PDF 1.6 viewers and ignored by older ones; it
	// asks the print dialog not to shrink the page, which would break
	// true scale.
	f.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /ViewerPreferences << /PrintScaling /None >> >>", pages))
	f.object(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	wPt, hPt := o.Paper.size()
	f.object(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> /ProcSet [/PDF /Text] >> /Contents %d 0 R >>",
		pages, wPt, hPt, font, bold, content))
	f.object(font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	f.object(bold, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	if err := f.stream(content, "", c.b.Bytes()); err != nil {
		return fmt.Errorf("write page content: %w", err)
	}
	meta := fmt.Sprintf("<< /Title %s /Producer (Telewave formats/pdf)", textString(o.Title+" "+patientName(o.patient)))
	if !o.Printed.IsZero() {
		t := o.Printed
		_, off := t.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		meta += fmt.Sprintf(" /CreationDate (D:%s%c%02d'%02d')", t.Format("20060102150405"), sign, off/3600, off%3600/60)
	}
	f.object(info, meta+" >>")
	if err := f.finish(w, catalog, info); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}
