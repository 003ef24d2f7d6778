package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"telewave/app"
	"telewave/audio"
	"telewave/dsp/audiofilter"
)

type fakeSteth struct {
	mode  audiofilter.Mode
	gain  float64
	sites []string
	st    app.ClipStatus
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
