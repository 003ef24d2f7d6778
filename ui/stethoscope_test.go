package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"telewave/app"
	"telewave/audio"
	"telewave/dsp/audiofilter"
)

type fakeSteth struct {
	mode   audiofilter.Mode
	gain   float64
	sites  []string
	st     app.ClipStatus
	devs   app.AudioDevices
	chosen [][2]string // SetDevices calls
}

func (f *fakeSteth) SetMode(m audiofilter.Mode) { f.mode = m }
func (f *fakeSteth) Mode() audiofilter.Mode     { return f.mode }
func (f *fakeSteth) SetGain(dB float64)         { f.gain = dB }
func (f *fakeSteth) Latency() audio.Latency {
	return audio.Latency{P50: 6 * time.Millisecond, P99: 9 * time.Millisecond, Device: 20 * time.Millisecond, N: 10}
}
func (f *fakeSteth) RecordClip(site string, d time.Duration) error {
	if f.st.Recording {
		return errors.New("record clip: a clip is being recorded")
	}
	f.sites = append(f.sites, site)
	f.st = app.ClipStatus{Recording: true, Site: site, Want: d.Seconds()}
	return nil
}
func (f *fakeSteth) ClipStatus() app.ClipStatus { return f.st }
func (f *fakeSteth) Devices() app.AudioDevices  { return f.devs }
func (f *fakeSteth) SetDevices(in, out string) {
	f.devs.Input, f.devs.Output = in, out
	f.chosen = append(f.chosen, [2]string{in, out})
}

func TestStethPanel(t *testing.T) {
	test.NewTempApp(t)
	src := &fakeSteth{mode: audiofilter.Diaphragm}
	p := newStethPanel(src)
	if p.mode.Selected != "diaphragm" {
		t.Fatalf("mode shows %q", p.mode.Selected)
	}
	p.mode.SetSelected("bell")
	if src.mode != audiofilter.Bell {
		t.Fatalf("mode %v after choosing bell", src.mode)
	}
	p.gain.SetValue(6)
	if src.gain != 6 {
		t.Fatalf("gain %v", src.gain)
	}
	p.site.SetSelected("aortic")
	test.Tap(p.record)
	if len(src.sites) != 1 || src.sites[0] != "aortic" || !p.record.Disabled() {
		t.Fatalf("record: sites %v, button disabled %v", src.sites, p.record.Disabled())
	}
	if !strings.Contains(p.clip.Text, "recording aortic") || !strings.Contains(p.latency.Text, "26 ms typical") {
		t.Fatalf("clip %q latency %q", p.clip.Text, p.latency.Text)
	}
	src.st = app.ClipStatus{Saved: 1}
	p.refresh()
	if p.record.Disabled() || !strings.Contains(p.clip.Text, "1 clips saved") {
		t.Fatalf("after saving: %q, disabled %v", p.clip.Text, p.record.Disabled())
	}
}

// The Input and Output selects list the sound card's devices as the
// stethoscope last listed them, pass a choice on, and keep showing a
// chosen device that is unplugged rather than silently picking another.
func TestStethPanelDevices(t *testing.T) {
	test.NewTempApp(t)
	src := &fakeSteth{devs: app.AudioDevices{
		Inputs: []audio.DeviceInfo{{ID: "mic", Name: "Built-in microphone", Default: true},
			{ID: "usb-in", Name: "USB audio interface"}},
		Outputs: []audio.DeviceInfo{{ID: "spk", Name: "Speakers", Default: true},
			{ID: "usb-out", Name: "USB headphones"}, {ID: "usb-out2", Name: "USB headphones"}},
	}}
	p := newStethPanel(src)
	d := p.devices
	if want := []string{"System default", "Built-in microphone (default)", "USB audio interface"}; !slices.Equal(d.input.Options, want) {
		t.Fatalf("input options %q, want %q", d.input.Options, want)
	}
	if want := []string{"System default", "Speakers (default)", "USB headphones", "USB headphones #2"}; !slices.Equal(d.output.Options, want) {
		t.Fatalf("output options %q, want %q", d.output.Options, want)
	}
	if d.input.Selected != "System default" || len(src.chosen) != 0 {
		t.Fatalf("selected %q; building the panel chose %v", d.input.Selected, src.chosen)
	}
	d.input.SetSelected("USB audio interface")
	d.output.SetSelected("USB headphones #2") // before any refresh: the input choice stands
	if want := [][2]string{{"usb-in", ""}, {"usb-in", "usb-out2"}}; !slices.Equal(src.chosen, want) {
		t.Fatalf("choices %v, want %v", src.chosen, want)
	}
	p.refresh()
	if d.input.Selected != "USB audio interface" || d.output.Selected != "USB headphones #2" || d.status.Text != "" {
		t.Fatalf("after refresh: %q, %q, status %q", d.input.Selected, d.output.Selected, d.status.Text)
	}

	src.devs.Inputs = src.devs.Inputs[:1] // the USB interface unplugged
	p.refresh()
	if d.input.Selected != "USB audio interface (unplugged)" || !strings.Contains(d.status.Text, "unplugged") {
		t.Fatalf("unplugged choice shows %q, status %q", d.input.Selected, d.status.Text)
	}
	if len(src.chosen) != 2 {
		t.Fatalf("a refresh chose devices: %v", src.chosen)
	}

	src.devs = app.AudioDevices{Err: "audio: built without cgo: no sound card access"}
	p.refresh()
	if !strings.Contains(d.status.Text, "no sound card") || len(d.input.Options) != 1 {
		t.Fatalf("without a sound card: status %q, options %q", d.status.Text, d.input.Options)
	}
}
