package pdf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"telewave/formats/ecg12"
)

const (
	bodyMM  = 2.9 // ≈ 8.2 pt
	lineMM  = 3.6
	titleMM = 4.2 // ≈ 12 pt
)

// headerLine is the baseline y of header line i (0 under the title).
func headerLine(g geometry, i int) float64 { return g.pageH - 15.5 - float64(i)*lineMM }

// header prints the title, patient, acquisition and device, the
// statements, the measurements, and the speed/gain/filters line.
func (c *canvas) header(g geometry, o resolved, r *ecg12.Record) {
	c.fillRGB(0, 0, 0)
	c.text("F2", titleMM, g.gridX, g.pageH-10, o.Title)

	x1, x2, x3 := g.gridX, g.gridX+85, g.gridX+170
	field := func(x float64, line int, name, value string) {
		c.text("F1", bodyMM, x, headerLine(g, line), name)
		c.text("F2", bodyMM, x+17, headerLine(g, line), clip(value, 40))
	}
	p := o.patient
	field(x1, 0, "Patient", patientName(p))
	field(x1, 1, "MRN", p.ID)
	field(x1, 2, "Born", birth(p.BirthDate, o.Acquired))
	field(x1, 3, "Sex", sexWord(p.Sex))

	field(x2, 0, "Acquired", stamp(o.Acquired))
	d := o.device
	field(x2, 1, "Device", strings.TrimSpace(d.Manufacturer+" "+d.Model))
	field(x2, 2, "Serial", d.Serial)
	field(x2, 3, "Software", d.Software)

	c.text("F1", bodyMM, x1, headerLine(g, 4), "Statements")
	st := o.statements
	if len(st) == 0 {
		st = []string{"none"}
	}
	for i, s := range statementLines(st, 3) {
		c.text("F2", bodyMM, x1+17, headerLine(g, 4+i), clip(s, 105))
	}

	c.text("F1", bodyMM, x3, headerLine(g, 0), "Measurements ("+clip(o.MeasuredBy, 20)+")")
	ms := o.measurements
	if len(ms) == 0 {
		c.text("F2", bodyMM, x3, headerLine(g, 1), "none")
	}
	const perCol, cols = 7, 2
	for i, m := range ms {
		if i == perCol*cols-1 && len(ms) > perCol*cols {
			c.text("F1", bodyMM, x3+45, headerLine(g, perCol), fmt.Sprintf("+ %d more", len(ms)-i))
			break
		}
		x := x3 + float64(i/perCol)*45
		line := 1 + i%perCol
		c.text("F1", bodyMM, x, headerLine(g, line), clip(measurementName(m.Name), 14))
		c.text("F2", bodyMM, x+22, headerLine(g, line), measurementValue(m))
	}

	filters := o.Filters
	if filters == "" {
		filters = "as recorded"
	}
	settings := fmt.Sprintf("%g mm/s    %g mm/mV    Filters: %s    Layout %s", o.Speed, o.Gain, clip(filters, 50), o.Layout)
	if layouts[o.Layout].rhythm {
		settings += " (rhythm " + clip(o.RhythmLead, 10) + ")"
	}
	settings += fmt.Sprintf("    %s s shown of %s s at %s Hz", num(math.Min(g.seconds, r.Duration().Seconds())), num(r.Duration().Seconds()), num(r.SampleRate))
	if r.Format != "" {
		settings += "    from " + clip(r.Format, 30)
	}
	c.text("F2", bodyMM, g.gridX, g.pageH-gridTopMM+2.2, settings)
}

// footer says how to check the print's scale and when it was printed.
func (c *canvas) footer(g geometry, o resolved) {
	s := fmt.Sprintf("Page 1 of 1.  Printed at true scale: check %g mm/mV pulse is %g mm tall and large squares are 5 mm; print at 100 %% (no fit to page), %s.",
		o.Gain, o.Gain, o.Paper)
	if !o.Printed.IsZero() {
		s += "  Printed " + stamp(o.Printed) + "."
	}
	c.text("F1", 2.5, g.gridX, 5, s)
	c.text("F2", 2.5, g.gridX+g.gridW-14, 5, "Telewave")
}

// num prints a figure as people write it: no exponent, at most three
// decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// clip shortens s to n characters with an ellipsis: Helvetica has no
// fixed width, so n is chosen per field with room to spare.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func patientName(p ecg12.Patient) string {
	switch {
	case p.FamilyName != "" && p.GivenName != "":
		return strings.ToUpper(p.FamilyName) + ", " + p.GivenName
	case p.FamilyName != "":
		return strings.ToUpper(p.FamilyName)
	}
	return p.GivenName
}

func birth(b, at time.Time) string {
	if b.IsZero() {
		return ""
	}
	s := b.Format("2006-01-02")
	if !at.IsZero() && at.After(b) {
		age := at.Year() - b.Year()
		if at.YearDay() < b.YearDay() {
			age--
		}
		s += fmt.Sprintf("  (%d y)", age)
	}
	return s
}

func sexWord(s string) string {
	switch strings.ToUpper(s) {
	case "M":
		return "male"
	case "F":
		return "female"
	case "U":
		return "unknown"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}

// statementLines fits the statements into n lines, joining the overflow
// into the last.
func statementLines(st []string, n int) []string {
	if len(st) <= n {
		return st
	}
	out := append([]string(nil), st[:n-1]...)
	return append(out, strings.Join(st[n-1:], "; "))
}

var measurementNames = map[string]string{
	"VentricularRate": "Vent. rate", "AtrialRate": "Atrial rate", "PRInterval": "PR", "QRSDuration": "QRS",
	"QTInterval": "QT", "QTc": "QTc", "PAxis": "P axis", "QRSAxis": "QRS axis", "TAxis": "T axis",
	"RRInterval": "RR", "PPInterval": "PP", "PDuration": "P duration", "QRSCount": "QRS count",
}

func measurementName(n string) string {
	if s, ok := measurementNames[n]; ok {
		return s
	}
	return n
}

func measurementValue(m ecg12.Measurement) string {
	if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
		return "—"
	}
	unit := map[string]string{"/min": " bpm", "deg": "°", "ms": " ms", "": ""}[m.Unit]
	if unit == "" && m.Unit != "" {
		unit = " " + clip(m.Unit, 6)
	}
	v := fmt.Sprintf("%.1f", m.Value)
	if m.Value == math.Trunc(m.Value) && math.Abs(m.Value) < 1e9 {
		v = fmt.Sprintf("%.0f", m.Value)
	}
	return clip(v, 12) + unit
}
