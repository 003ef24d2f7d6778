package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/audio"
)

// stethDefault is the option that follows the system's default device.
const stethDefault = "System default"

// stethDevices is the stethoscope's Input and Output selects. The lists
// come from the stethoscope, which asks the sound card off the UI thread;
// refresh only redraws when they or the choice changed.
type stethDevices struct {
	src    stethSource
	input  *widget.Select
	output *widget.Select
	status *widget.Label
	inIDs  []string // option index → device id ("" = default)
	outIDs []string
	names  map[string]string // every device name seen, by id: an unplugged choice keeps its name
	shown  app.AudioDevices
	primed bool
	root   fyne.CanvasObject
}

func newStethDevices(src stethSource) *stethDevices {
	d := &stethDevices{src: src, names: map[string]string{}, status: widget.NewLabel("")}
	d.input = widget.NewSelect(nil, nil)
	d.output = widget.NewSelect(nil, nil)
	d.input.PlaceHolder, d.output.PlaceHolder = "listing devices…", "listing devices…"
	d.root = container.NewVBox(
		container.New(layout.NewFormLayout(), widget.NewLabel("Input"), d.input, widget.NewLabel("Output"), d.output),
		d.status)
	d.refresh()
	return d
}

// refresh shows the lists and the choice as the stethoscope has them.
func (d *stethDevices) refresh() {
	cur := d.src.Devices()
	if d.primed && sameDevices(cur, d.shown) {
		return
	}
	d.primed, d.shown = true, cur
	for _, x := range slices.Concat(cur.Inputs, cur.Outputs) {
		d.names[x.ID] = x.Name
	}
	// A choice is shown at once, so a second choice before the next
	// refresh keeps the first.
	d.inIDs = d.fill(d.input, cur.Inputs, cur.Input, func(id string) {
		d.shown.Input = id
		d.src.SetDevices(id, d.shown.Output)
	})
	d.outIDs = d.fill(d.output, cur.Outputs, cur.Output, func(id string) {
		d.shown.Output = id
		d.src.SetDevices(d.shown.Input, id)
	})
	switch {
	case cur.Err != "":
		d.status.SetText("no sound card: " + cur.Err)
	case !present(cur.Inputs, cur.Input) || !present(cur.Outputs, cur.Output):
		d.status.SetText("the chosen device is unplugged: waiting for it")
	default:
		d.status.SetText("")
	}
}

// fill sets sel's options to the default, then devs, then the choice if
// it is absent; it selects the choice without calling choose, and
// returns the id behind each option.
func (d *stethDevices) fill(sel *widget.Select, devs []audio.DeviceInfo, chosen string, choose func(id string)) []string {
	opts, ids := []string{stethDefault}, []string{""}
	seen := map[string]int{}
	for _, x := range devs {
		label := x.Name
		if label == "" {
			label = x.ID
		}
		if seen[label]++; seen[label] > 1 {
			label = fmt.Sprintf("%s #%d", label, seen[label])
		}
		if x.Default {
			label += " (default)"
		}
		opts, ids = append(opts, label), append(ids, x.ID)
	}
	if !slices.Contains(ids, chosen) {
		name := d.names[chosen]
		if name == "" {
			name = chosen
		}
		opts, ids = append(opts, name+" (unplugged)"), append(ids, chosen)
	}
	sel.OnChanged = nil
	sel.SetOptions(opts)
	sel.SetSelectedIndex(slices.Index(ids, chosen))
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 && i < len(ids) {
			choose(ids[i])
		}
	}
	return ids
}

func present(devs []audio.DeviceInfo, id string) bool {
	return id == "" || slices.ContainsFunc(devs, func(x audio.DeviceInfo) bool { return x.ID == id })
}

func sameDevices(a, b app.AudioDevices) bool {
	return a.Input == b.Input && a.Output == b.Output && a.Err == b.Err &&
		slices.Equal(a.Inputs, b.Inputs) && slices.Equal(a.Outputs, b.Outputs)
}
