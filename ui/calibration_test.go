package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"telewave/ui/paper"
)

func TestCalibrationFormCorrectsDPI(t *testing.T) {
	test.NewTempApp(t)
	var saved []float64
	var fail error
	f := newCalibrationForm(paper.Screen{DPI: 96, Source: "default"}, func(d float64) error {
		if fail != nil {
			return fail
		}
		saved = append(saved, d)
		return nil
	})
	w := test.NewTempWindow(t, f.content())
	_ = w
	if got := f.bar.Size().Width; got < 188.9 || got > 189.1 { // 50 mm at 96 dpi = 188.98 px
		t.Fatalf("ruler bar %g units, want 50 mm at 96 dpi", got)
	}
	if !strings.Contains(f.status.Text, "uncalibrated") {
		t.Errorf("status %q", f.status.Text)
	}
	for _, tc := range []struct {
		typed   string
		fail    error
		wantDPI float64
		status  string
	}{
		{"abc", nil, 96, "measured length"},
		{"0", nil, 96, "Not applied"},
		{"40", errors.New("disk full"), 96, "Not saved: disk full"},
		{"40 mm", nil, 120, "120.0 dpi from ruler check"},
		{"50", nil, 120, "120.0 dpi"},
	} {
		fail = tc.fail
		test.Type(f.measured, tc.typed)
		f.apply()
		f.measured.SetText("")
		if f.dpi != tc.wantDPI || !strings.Contains(f.status.Text, tc.status) {
			t.Errorf("after %q: dpi %g status %q; want %g, %q", tc.typed, f.dpi, f.status.Text, tc.wantDPI, tc.status)
		}
	}
	if len(saved) != 2 || saved[0] != 120 {
		t.Errorf("saved %v, want [120 120]", saved)
	}
	if got := f.bar.Size().Width; got < 236.1 || got > 236.3 { // 50 mm at 120 dpi = 236.2 px
		t.Errorf("ruler bar after correction %g units", got)
	}
}
