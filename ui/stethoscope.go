package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/audio"
	"telewave/dsp/audiofilter"
	"telewave/storage"
)

// stethSource is what the panel needs of the live stethoscope; every call
// returns at once.
type stethSource interface {
	SetMode(m audiofilter.Mode)
	Mode() audiofilter.Mode
	SetGain(dB float64)
	Latency() audio.Latency
	RecordClip(site string, d time.Duration) error
	ClipStatus() app.ClipStatus
	Devices() app.AudioDevices // as last listed off the UI thread
	SetDevices(input, output string)
}

var (
	stethModes = []audiofilter.Mode{audiofilter.Bell, audiofilter.Diaphragm, audiofilter.Extended}
	clipSites  = []string{storage.SiteAortic, storage.SitePulmonic, storage.SiteTricuspid, storage.SiteMitral, storage.SiteLungs}
)

// stethPanel: input and output device, filter mode, gain, the measured
// latency, and clip recording tagged with the auscultation site.
type stethPanel struct {
	src     stethSource
	devices *stethDevices
	mode    *widget.RadioGroup
	gain    *widget.Slider
	site    *widget.Select
	record  *widget.Button
	latency *widget.Label
	clip    *widget.Label
	root    fyne.CanvasObject
}

func newStethPanel(src stethSource) *stethPanel {
	p := &stethPanel{src: src, devices: newStethDevices(src), latency: widget.NewLabel("latency: measuring…"), clip: widget.NewLabel("")}
	names := make([]string, len(stethModes))
	for i, m := range stethModes {
		names[i] = m.String()
	}
	p.mode = widget.NewRadioGroup(names, func(s string) {
		for _, m := range stethModes {
			if m.String() == s {
				src.SetMode(m)
			}
		}
	})
	p.mode.Horizontal = true
	p.mode.SetSelected(src.Mode().String())
	p.gain = widget.NewSlider(-12, 24)
	p.gain.Step = 1
	p.gain.OnChanged = func(v float64) { src.SetGain(v) }
	p.site = widget.NewSelect(clipSites, nil)
	p.site.SetSelected(storage.SiteMitral)
	p.record = widget.NewButton("Record 30 s clip", func() {
		if err := src.RecordClip(p.site.Selected, app.DefaultClipLength); err != nil {
			p.clip.SetText(err.Error())
			return
		}
		p.refresh()
	})
	p.root = container.NewVBox(
		p.devices.root,
		container.NewHBox(widget.NewLabel("Filter"), p.mode),
		container.NewBorder(nil, nil, widget.NewLabel("Gain dB"), nil, p.gain),
		container.NewHBox(widget.NewLabel("Site"), p.site, p.record),
		p.clip, p.latency)
	return p
}

// refresh shows the devices, the latency and the clip state; UI thread,
// never blocks.
func (p *stethPanel) refresh() {
	p.devices.refresh()
	if l := p.src.Latency(); l.N > 0 {
		p.latency.SetText(fmt.Sprintf("latency input→headphones: %.0f ms typical, %.0f ms p99 (incl. %.0f ms device buffering)",
			ms(l.P50+l.Device), ms(l.P99+l.Device), ms(l.Device)))
	}
	st := p.src.ClipStatus()
	switch {
	case st.Recording:
		p.clip.SetText(fmt.Sprintf("recording %s clip: %.0f of %.0f s", st.Site, st.Done, st.Want))
		p.record.Disable()
	case st.LastErr != "":
		p.clip.SetText(st.LastErr)
		p.record.Enable()
	default:
		p.clip.SetText(fmt.Sprintf("%d clips saved this session (queued for the EHR)", st.Saved))
		p.record.Enable()
	}
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }
