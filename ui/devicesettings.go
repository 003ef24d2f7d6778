package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/devices"
)

var (
	bauds     = []string{"1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200", "230400", "460800"}
	dataBits  = []string{"7", "8"}
	parities  = []string{"N", "O", "E"}
	stopBits  = []string{"1", "2"}
	parityFor = map[string]devices.Parity{"N": devices.NoParity, "O": devices.OddParity, "E": devices.EvenParity}
)

// linkForm edits a device slot's serial settings: the protocol's defaults
// are what most devices use, but a monitor configured for another baud
// rate must be reachable without a new build.
type linkForm struct {
	baud, bits, parity, stop *widget.Select
	rtscts                   *widget.Check
	box                      fyne.CanvasObject
}

func newLinkForm(l devices.Link) *linkForm {
	f := &linkForm{
		baud:   widget.NewSelect(bauds, nil),
		bits:   widget.NewSelect(dataBits, nil),
		parity: widget.NewSelect(parities, nil),
		stop:   widget.NewSelect(stopBits, nil),
		rtscts: widget.NewCheck("RTS/CTS", nil),
	}
	f.baud.SetSelected(strconv.Itoa(l.Baud))
	f.bits.SetSelected(strconv.Itoa(max(l.DataBits, 7)))
	f.parity.SetSelected(l.Parity.String())
	f.stop.SetSelected(strconv.Itoa(max(l.StopBits, 1)))
	f.rtscts.SetChecked(l.RTSCTS)
	f.box = container.NewHBox(widget.NewLabel("baud"), f.baud, widget.NewLabel("bits"), f.bits,
		widget.NewLabel("parity"), f.parity, widget.NewLabel("stop"), f.stop, f.rtscts)
	return f
}

func (f *linkForm) link() (devices.Link, error) {
	baud, err := strconv.Atoi(f.baud.Selected)
	if err != nil {
		return devices.Link{}, fmt.Errorf("baud rate %q", f.baud.Selected)
	}
	bits, _ := strconv.Atoi(f.bits.Selected)
	stop, _ := strconv.Atoi(f.stop.Selected)
	return devices.Link{Baud: baud, DataBits: bits, Parity: parityFor[f.parity.Selected], StopBits: stop, RTSCTS: f.rtscts.Checked}, nil
}

// driftText shows how the device's clock runs against the host's.
func driftText(d app.DeviceStatus) string {
	if d.Drift.Points < 2 {
		return ""
	}
	return fmt.Sprintf("clock %+.0f ppm, %+.1f s", d.Drift.PPM, d.Drift.Offset.Seconds())
}

// allValuesText lists every numeric of every device, those the
// workstation has no code for included (shown with the device's own code).
func allValuesText(ns []app.SlotNumeric) string {
	var b strings.Builder
	for _, n := range ns {
		v := fmt.Sprintf("%g", n.Value)
		if n.Status == devices.Unavailable {
			v = "--"
		} else if n.Status == devices.QuestionableValue {
			v += "?"
		}
		fmt.Fprintf(&b, "%s · %s %s %s", n.Slot, n.Label, v, n.Unit)
		if n.Code == 0 {
			fmt.Fprintf(&b, "  (unmapped, device code %s)", n.RawCode)
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return "no values yet"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// portsText lists the serial ports discovery sees.
func portsText(ps []app.DiscoveredPort) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s", p.Name)
		if p.VID != "" {
			fmt.Fprintf(&b, "  %s:%s", p.VID, p.PID)
		}
		switch {
		case p.Protocol != "":
			fmt.Fprintf(&b, "  → %s", p.Protocol)
		case len(p.Candidates) > 0:
			fmt.Fprintf(&b, "  (no answer from %s)", strings.Join(p.Candidates, ", "))
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return "no serial ports found (type a port path below)"
	}
	return strings.TrimSuffix(b.String(), "\n")
}
