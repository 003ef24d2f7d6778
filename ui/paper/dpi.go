package paper

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// Screen is the DPI found for the screen and where it came from.
type Screen struct {
	DPI float64
	// Calibrated is true when DPI is physical (from the monitor's size in
	// millimetres, or the user's ruler check), false for the 96 dpi guess
	// or a logical setting such as Xft.dpi.
	Calibrated bool
	Source     string // "xrandr HDMI-1 527mm x 296mm", "Xft.dpi", "default"
}

// ParseXrandr finds the physical DPI of the primary connected output (the
// first connected one when none is primary) in `xrandr --query` output,
// from its mode in pixels and its size in millimetres, e.g.
//
//	HDMI-1 connected primary 1920x1080+0+0 (normal left inverted right x axis y axis) 527mm x 296mm
//
// A rotated output (left/right) has its pixel size swapped against the
// panel's millimetres. Outputs that report no size (0mm, virtual machines)
// or a size giving no plausible DPI (projectors, an aspect ratio in mm)
// are skipped; ok is false when none is left.
func ParseXrandr(out string) (s Screen, ok bool) {
	var first Screen
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[1] != "connected" {
			continue
		}
		dpi, ok := outputDPI(f)
		if !ok {
			continue
		}
		scr := Screen{DPI: dpi, Calibrated: true, Source: "xrandr " + f[0] + " " + strings.Join(f[len(f)-3:], " ")}
		if f[2] == "primary" {
			return scr, true
		}
		if first.DPI == 0 {
			first = scr
		}
	}
	return first, first.DPI > 0
}

// outputDPI reads one "NAME connected [primary] WxH+X+Y [rotation] (...) Wmm x Hmm" line.
func outputDPI(f []string) (float64, bool) {
	var pw, ph int
	geo, rotated := false, false
	for i, tok := range f[2:] {
		if !geo {
			if w, h, ok := parseGeometry(tok); ok {
				pw, ph, geo = w, h, true
				if i+3 < len(f) && (f[i+3] == "left" || f[i+3] == "right") {
					rotated = true
				}
			}
		}
	}
	n := len(f)
	if !geo || n < 6 || f[n-2] != "x" {
		return 0, false
	}
	wmm, err1 := parseMM(f[n-3])
	hmm, err2 := parseMM(f[n-1])
	if err1 != nil || err2 != nil || wmm <= 0 || hmm <= 0 {
		return 0, false
	}
	if rotated {
		pw, ph = ph, pw
	}
	dx := float64(pw) / (wmm / 25.4)
	dy := float64(ph) / (hmm / 25.4)
	// Square pixels: the two must agree, or the mm are not a real size.
	if math.Abs(dx-dy) > 0.1*dx || dx < 50 || dx > 700 {
		return 0, false
	}
	return (dx + dy) / 2, true
}

func parseGeometry(tok string) (w, h int, ok bool) {
	plus := strings.IndexByte(tok, '+')
	if plus < 0 {
		return 0, 0, false
	}
	ws, hs, found := strings.Cut(tok[:plus], "x")
	if !found {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	return w, h, err1 == nil && err2 == nil && w > 0 && h > 0
}

func parseMM(s string) (float64, error) {
	v, ok := strings.CutSuffix(s, "mm")
	if !ok {
		return 0, fmt.Errorf("%q: no mm suffix", s)
	}
	return strconv.ParseFloat(v, 64)
}

// ParseXftDPI reads Xft.dpi from `xrdb -query` output. It is the desktop's
// logical DPI (a font scaling choice), not a measurement, so the Screen is
// not Calibrated.
func ParseXftDPI(out string) (Screen, bool) {
	for line := range strings.Lines(out) {
		k, v, found := strings.Cut(line, ":")
		if !found || strings.TrimSpace(k) != "Xft.dpi" {
			continue
		}
		d, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || d < 30 || d > 1200 {
			return Screen{}, false
		}
		return Screen{DPI: d, Source: "Xft.dpi"}, true
	}
	return Screen{}, false
}

// Runner runs a command and returns its standard output; tests pass a fake.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// ExecRunner runs the command with os/exec.
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).Output()
}

// DetectScreen asks xrandr, then xrdb, for the screen's DPI and falls back
// to DefaultDPI, uncalibrated. It runs commands: call it off the UI thread.
func DetectScreen(ctx context.Context, run Runner) Screen {
	if out, err := run(ctx, "xrandr", "--query"); err == nil {
		if s, ok := ParseXrandr(string(out)); ok {
			return s
		}
	}
	if out, err := run(ctx, "xrdb", "-query"); err == nil {
		if s, ok := ParseXftDPI(string(out)); ok {
			return s
		}
	}
	return Screen{DPI: DefaultDPI, Source: "default"}
}
