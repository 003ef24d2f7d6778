package paper

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const xrandrLaptopAndMonitor = `Screen 0: minimum 320 x 200, current 4480 x 1440, maximum 16384 x 16384
eDP-1 connected 1920x1080+2560+0 (normal left inverted right x axis y axis) 344mm x 194mm
   1920x1080     60.02*+  59.93
HDMI-1 connected primary 2560x1440+0+0 (normal left inverted right x axis y axis) 597mm x 336mm
   2560x1440     59.95*+
DP-1 disconnected (normal left inverted right x axis y axis)
`

func TestParseXrandr(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		dpi       float64
		ok        bool
		src       string
	}{
		{"primary wins", xrandrLaptopAndMonitor, 108.9, true, "HDMI-1"},
		{"first connected", "Screen 0: x\nVGA-1 disconnected\neDP-1 connected 1920x1080+0+0 (normal left inverted right x axis y axis) 344mm x 194mm\n", 141.5, true, "eDP-1"},
		{"rotated panel", "DP-2 connected primary 1080x1920+0+0 left (normal left inverted right x axis y axis) 527mm x 296mm\n", 92.6, true, "DP-2"},
		{"virtual machine 0mm", "Virtual-1 connected primary 1280x800+0+0 (normal left inverted right x axis y axis) 0mm x 0mm\n", 0, false, ""},
		{"aspect ratio as mm", "HDMI-1 connected 1920x1080+0+0 (normal left inverted right x axis y axis) 16mm x 9mm\n", 0, false, ""},
		{"projector", "HDMI-1 connected 1920x1080+0+0 (normal left inverted right x axis y axis) 1600mm x 900mm\n", 0, false, ""},
		{"connected without mode", "HDMI-2 connected (normal left inverted right x axis y axis)\n", 0, false, ""},
		{"skips bad primary", "HDMI-1 connected primary 1920x1080+0+0 (normal) 0mm x 0mm\neDP-1 connected 1920x1080+1920+0 (normal) 344mm x 194mm\n", 141.5, true, "eDP-1"},
		{"empty", "", 0, false, ""},
		{"no display", "Can't open display\n", 0, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := ParseXrandr(tc.out)
			if ok != tc.ok || !near(s.DPI, tc.dpi, 0.1) || (ok && (!s.Calibrated || !strings.Contains(s.Source, tc.src))) {
				t.Errorf("ParseXrandr = %+v, %v; want %g dpi from %s ok=%v", s, ok, tc.dpi, tc.src, tc.ok)
			}
		})
	}
}

func TestParseXftDPI(t *testing.T) {
	for _, tc := range []struct {
		out string
		dpi float64
		ok  bool
	}{
		{"Xft.antialias:\t1\nXft.dpi:\t144\nXft.hinting:\t1\n", 144, true},
		{"Xft.dpi: 96", 96, true},
		{"Xft.dpi:\tlots\n", 0, false},
		{"Xft.dpi:\t0\n", 0, false},
		{"*background: #000\n", 0, false},
	} {
		s, ok := ParseXftDPI(tc.out)
		if ok != tc.ok || s.DPI != tc.dpi || s.Calibrated {
			t.Errorf("ParseXftDPI(%q) = %+v, %v", tc.out, s, ok)
		}
	}
}

func TestDetectScreen(t *testing.T) {
	fail := errors.New("not found")
	for _, tc := range []struct {
		name         string
		xrandr, xrdb string
		xrandrErr    error
		dpi          float64
		calibrated   bool
		src          string
	}{
		{"xrandr", xrandrLaptopAndMonitor, "", nil, 108.9, true, "xrandr"},
		{"xrdb when xrandr fails", "", "Xft.dpi: 120\n", fail, 120, false, "Xft.dpi"},
		{"xrdb when xrandr has no size", "Virtual-1 connected primary 1280x800+0+0 (normal) 0mm x 0mm\n", "Xft.dpi: 120\n", nil, 120, false, "Xft.dpi"},
		{"default", "", "", fail, DefaultDPI, false, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(_ context.Context, name string, _ ...string) ([]byte, error) {
				switch name {
				case "xrandr":
					return []byte(tc.xrandr), tc.xrandrErr
				case "xrdb":
					if tc.xrdb == "" {
						return nil, fail
					}
					return []byte(tc.xrdb), nil
				}
				return nil, fail
			}
			s := DetectScreen(context.Background(), run)
			if !near(s.DPI, tc.dpi, 0.1) || s.Calibrated != tc.calibrated || !strings.Contains(s.Source, tc.src) {
				t.Errorf("DetectScreen = %+v, want %g dpi calibrated=%v from %s", s, tc.dpi, tc.calibrated, tc.src)
			}
		})
	}
}

// FuzzParseXrandr: any text, no panic, and a DPI found is plausible.
func FuzzParseXrandr(f *testing.F) {
	f.Add(xrandrLaptopAndMonitor)
	f.Add("A connected primary 1x1+0+0 left 1mm x 1mm")
	f.Add("Xft.dpi: 96")
	f.Fuzz(func(t *testing.T, out string) {
		if s, ok := ParseXrandr(out); ok && (s.DPI < 50 || s.DPI > 700) {
			t.Fatalf("implausible DPI %g from %q", s.DPI, out)
		}
		if s, ok := ParseXftDPI(out); ok && (s.DPI < 30 || s.DPI > 1200) {
			t.Fatalf("implausible Xft.dpi %g", s.DPI)
		}
	})
}
