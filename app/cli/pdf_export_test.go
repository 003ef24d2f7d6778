package cli

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"telewave/app"
	"telewave/formats/carts"
	"telewave/formats/pdf"
	"telewave/storage/sqlite"
)

const pdfDemoCart = "../../formats/sierra/testdata/1_04_3191723_ZZDEMOPTONLY_1-04_orig.xml"

// pdfContent returns a one-page report's inflated content stream.
func pdfContent(t *testing.T, path string) (file, content []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) {
		t.Fatalf("%s is not a PDF: %.20q", path, b)
	}
	_, s, ok := bytes.Cut(b, []byte("/FlateDecode >>\nstream\n"))
	s, _, ok2 := bytes.Cut(s, []byte("\nendstream"))
	if !ok || !ok2 {
		t.Fatal("no content stream")
	}
	zr, err := zlib.NewReader(bytes.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	c, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b, c
}

func TestReportCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.pdf")
	env, stdout, _ := testEnv(nil)
	if err := runReport(context.Background(), env, []string{pdfDemoCart, "--out", out, "--paper", "letter", "--gain", "5", "--layout", "6x2"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "Philips Sierra XML 1.04, 12 leads, 25 mm/s, 5 mm/mV") {
		t.Errorf("printed %q", stdout.String())
	}
	file, c := pdfContent(t, out)
	if !bytes.Contains(file, []byte("/MediaBox [0 0 792.00 612.00]")) {
		t.Error("not Letter landscape")
	}
	for _, s := range []string{"(ZZDEMOPTONLY, ADULT)", "Layout 6x2", "5 mm/mV", "(V6)"} {
		if !bytes.Contains(c, []byte(s)) {
			t.Errorf("report lacks %q", s)
		}
	}

	bad := []struct {
		args  []string
		usage bool
	}{
		{[]string{pdfDemoCart}, true},
		{[]string{"--out", out}, true},
		{[]string{pdfDemoCart, "--out", out, "--paper", "a3"}, true},
		{[]string{pdfDemoCart, "--out", out, "--gain", "7"}, false},
		{[]string{filepath.Join(t.TempDir(), "missing.xml"), "--out", out}, false},
	}
	for _, tc := range bad {
		dst := filepath.Join(t.TempDir(), "bad.pdf")
		for i, a := range tc.args {
			if a == out {
				tc.args[i] = dst
			}
		}
		err := runReport(context.Background(), env, tc.args)
		if err == nil || errors.Is(err, ErrUsage) != tc.usage {
			t.Errorf("%v: err %v, usage error %v", tc.args, err, tc.usage)
		}
		if _, serr := os.Stat(dst); serr == nil {
			t.Errorf("%v: left a report behind after failing", tc.args)
		}
	}
}

// Import a cart file into a store, then print the stored recording: the
// report carries the chart's patient and the cart's findings kept at
// import, and every lead.
func TestExportPDF(t *testing.T) {
	vars := storeVars(t)
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "9999", "--name", "Ada Lovelace", "--birth", "1950-01-01", "--sex", "female")
	out := runOK(t, vars, "import", pdfDemoCart, "--patient", "9999")
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.Fields(out)[0], "recording="), 10, 64)
	if err != nil {
		t.Fatalf("import printed %q", out)
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, vars["TELEWAVE_STORE"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Unlock(ctx, vars["TELEWAVE_USER"], []byte(vars["TELEWAVE_PASSPHRASE"])); err != nil {
		t.Fatal(err)
	}
	rec, tracks, err := app.ReadTracks(ctx, s, id)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "e.pdf")
	if err := exportPDF(ctx, s, rec, tracks, dst, pdf.Options{Printed: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	_, c := pdfContent(t, dst)
	for _, s := range []string{"(Ada Lovelace)", "(9999)", "(female)", "(84 bpm)", "(SINUS RHYTHM", "(aVF)", "(V6)", "Printed 2026-01-02 03:04:05"} {
		if !bytes.Contains(c, []byte(s)) {
			t.Errorf("report lacks %q", s)
		}
	}
	if bytes.Contains(c, []byte("not recorded")) {
		t.Error("a stored lead printed as not recorded")
	}
}

// app.CartFindings reads back exactly what app.CartNotes wrote.
func TestCartFindingsRoundTrip(t *testing.T) {
	rec, _, err := carts.ReadFile(pdfDemoCart)
	if err != nil {
		t.Fatal(err)
	}
	rec.Measurements[1].Value = math.NaN()
	ms, st, _ := app.CartFindings(app.CartNotes(rec, time.Now()))
	if len(ms) != len(rec.Measurements) || len(st) != len(rec.Statements) || len(st) == 0 {
		t.Fatalf("%d measurements, %d statements; want %d, %d", len(ms), len(st), len(rec.Measurements), len(rec.Statements))
	}
	for i, m := range rec.Measurements {
		g := ms[i]
		if g.Name != m.Name || (g.Unit != m.Unit && !math.IsNaN(m.Value)) || !(g.Value == m.Value || math.IsNaN(g.Value) && math.IsNaN(m.Value)) {
			t.Errorf("measurement %d: %+v, want %+v", i, g, m)
		}
	}
	for i := range st {
		if st[i] != rec.Statements[i] {
			t.Errorf("statement %d: %q, want %q", i, st[i], rec.Statements[i])
		}
	}
}
