package pdf

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestStructure(t *testing.T) {
	tests := []struct {
		name  string
		opt   Options
		media string
	}{
		// Landscape: A4's 595.28 × 841.89 pt and Letter's 612 × 792 pt turned.
		{"A4", Options{Paper: A4}, "[0 0 841.89 595.28]"},
		{"Letter", Options{Paper: Letter}, "[0 0 792.00 612.00]"},
		{"Letter 50 mm/s 12x1", Options{Paper: Letter, Speed: 50, Gain: 5, Layout: Layout12x1}, "[0 0 792.00 612.00]"},
		{"A4 6x2", Options{Layout: Layout6x2, Gain: 20}, "[0 0 841.89 595.28]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteECG12(&b, sierraDemo(t), tc.opt); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-1.4\n")) {
				t.Fatalf("header %q", b.Bytes()[:9])
			}
			objs, trailer := pdfObjects(t, b.Bytes())
			root := regexp.MustCompile(`/Root (\d+) 0 R`).FindStringSubmatch(trailer)
			if root == nil {
				t.Fatalf("trailer has no /Root: %q", trailer)
			}
			var page, fonts []string
			var content []byte
			for _, o := range objs {
				s := string(o)
				switch {
				case strings.Contains(s, "/Type /Page "):
					page = append(page, s)
				case strings.Contains(s, "/Type /Font"):
					fonts = append(fonts, s)
				case strings.HasPrefix(s, "<< /Length"):
					content = streamData(t, o)
				}
			}
			if len(page) != 1 {
				t.Fatalf("%d pages", len(page))
			}
			m := regexp.MustCompile(`/MediaBox (\[[^\]]*\])`).FindStringSubmatch(page[0])
			if m == nil || m[1] != tc.media {
				t.Fatalf("MediaBox %v, want %s", m, tc.media)
			}
			joined := strings.Join(fonts, "\n")
			for _, f := range []string{"/BaseFont /Helvetica ", "/BaseFont /Helvetica-Bold "} {
				if !strings.Contains(joined, f+"/Encoding /WinAnsiEncoding") || !strings.Contains(joined, "/Subtype /Type1") {
					t.Fatalf("fonts %q lack %s in WinAnsi", joined, f)
				}
			}
			if !bytes.HasPrefix(content, []byte("2.834646 0 0 2.834646 0 0 cm\n")) {
				t.Fatalf("content does not start in mm: %.40q", content)
			}
			for _, s := range []string{"(Resting 12-lead ECG)", "(Statements)", "(ZZDEMOPTONLY", "mm/mV", "Printed at true scale: check", "(V6)", "(aVR)"} {
				if !bytes.Contains(content, []byte(s)) {
					t.Errorf("content lacks %q", s)
				}
			}
		})
	}
}
