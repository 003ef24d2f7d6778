package app

import (
	"bytes"
	"math"
	"slices"
	"testing"
	"time"

	"telewave/audio"
	"telewave/devices"
	"telewave/dsp/audiofilter"
	"telewave/formats/wav"
	"telewave/storage"
)

// Each filter mode's response, measured with tones through the live path
// (chest piece → listener → filter → headphones, and the hub), matches its
// design and passes or stops what the instrument's mode is for. The mode is
// switched live between tones, as the clinician does.
func TestStethoscopeLiveFilterResponse(t *testing.T) {
	r := newStethRig(t, &audio.Clocked{}, audiofilter.Bell, nil)
	const amp = 0.25
	for _, tc := range []struct {
		mode audiofilter.Mode
		hz   float64
		pass bool // within the band: ≥ −3.5 dB; else stopped: ≤ −20 dB
	}{
		{audiofilter.Bell, 50, true},
		{audiofilter.Bell, 150, true},
		{audiofilter.Bell, 400, false},
		{audiofilter.Diaphragm, 50, false},
		{audiofilter.Diaphragm, 400, true},
		{audiofilter.Extended, 20, false},
		{audiofilter.Extended, 100, true},
		{audiofilter.Extended, 1000, true},
	} {
		r.steth.SetMode(tc.mode)
		heard0, _ := r.snapshot()
		r.feed(tone(tc.hz, amp, PCGRate)) // 1 s; the last half is measured, settled
		heard, pcg := r.snapshot()
		last := heard[len(heard)-PCGRate/2:]
		got := dB(rms(last) / (amp / math.Sqrt2))
		want := audiofilter.ResponseDB(tc.mode, tc.hz, PCGRate)
		t.Logf("%-9v %5.0f Hz: %6.1f dB at the headphones (designed %6.1f)", tc.mode, tc.hz, got, want)
		if math.Abs(got-want) > 0.5 {
			t.Errorf("%v at %v Hz: %.2f dB, designed %.2f", tc.mode, tc.hz, got, want)
		}
		if tc.pass && got < -3.5 || !tc.pass && got > -20 {
			t.Errorf("%v at %v Hz: %.1f dB, want it %s", tc.mode, tc.hz, got, map[bool]string{true: "passed", false: "stopped"}[tc.pass])
		}
		// The hub carries what the headphones play, to the count.
		for i := len(heard0); i < len(heard); i++ {
			if d := math.Abs(float64(pcg[i])/32768 - float64(heard[i])); d > 0.5/32768+1e-9 {
				t.Fatalf("sample %d: hub %d, headphones %v", i, pcg[i], heard[i])
			}
		}
	}
}

// Switching the filter while sound plays makes no click: within 40 ms of
// each switch no sample-to-sample step exceeds 1.25 × the largest step of
// the steady sound half a second either side. A hard switch between the
// same two filters' outputs does exceed it (so the measure sees a click).
func TestStethoscopeLiveFilterSwitchNoClick(t *testing.T) {
	twoTones := tone(80, 0.2, 4*PCGRate)
	for i, v := range tone(300, 0.2, 4*PCGRate) {
		twoTones[i] += v
	}
	for _, tc := range []struct {
		name  string
		sound func(t *testing.T) []float32
		hard  bool // check that a hard switch would click
	}{
		{"80 + 300 Hz tones", func(*testing.T) []float32 { return twoTones }, true},
		{"CirCor 31737_AV", func(t *testing.T) []float32 { return heartSound(t, "31737_AV.wav")[:4*PCGRate] }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.sound(t)
			r := newStethRig(t, &audio.Clocked{}, audiofilter.Bell, nil)
			modes := []audiofilter.Mode{audiofilter.Bell, audiofilter.Diaphragm, audiofilter.Extended, audiofilter.Bell}
			for k, m := range modes {
				r.steth.SetMode(m)
				r.feed(x[k*PCGRate : (k+1)*PCGRate])
			}
			heard, _ := r.snapshot()
			for k := 1; k < len(modes); k++ {
				at := k * PCGRate
				click := maxJump(heard[at-1 : at+PCGRate/25])
				steady := max(maxJump(heard[at-PCGRate/2:at-1]), maxJump(heard[at+PCGRate/10:at+PCGRate*6/10]))
				t.Logf("%v → %v: largest step %.4f in the switch, %.4f steady", modes[k-1], modes[k], click, steady)
				if click > 1.25*steady {
					t.Errorf("%v → %v clicks: step %.4f against %.4f steady", modes[k-1], modes[k], click, steady)
				}
				if tc.hard {
					// A hard switch at any instant of the next 100 ms: its
					// largest step is what the measure must catch.
					a, b := offline(t, x, modes[k-1], 0), offline(t, x, modes[k], 0)
					var hc float64
					for n := at; n < at+PCGRate/10; n++ {
						hc = max(hc, math.Abs(float64(b[n])-float64(a[n-1])))
					}
					if hc <= 1.25*steady {
						t.Errorf("%v → %v: a hard switch steps only %.4f; the test cannot see a click", modes[k-1], modes[k], hc)
					}
				}
			}
		})
	}
}

// A +20 dB bump on the chest piece (a knock, the piece dropped) at +18 dB
// listening gain would drive the headphones far past full scale; the
// limiter keeps every sample below the ceiling (bell: where heart sounds
// carry their energy), and the sound is back at
// its level a second after the bump.
func TestStethoscopeLiveLimiterHoldsABump(t *testing.T) {
	x := heartSound(t, "31737_AV.wav")[:5*PCGRate]
	var peak float64
	for _, v := range x {
		peak = max(peak, math.Abs(float64(v)))
	}
	for i := range x {
		x[i] *= float32(0.1 / peak) // the recording at a normal level: peak −20 dBFS
	}
	const gain = 18
	bumped := slices.Clone(x)
	bumpAt, bumpEnd := 2*PCGRate, 2*PCGRate+PCGRate/5
	for i := bumpAt; i < bumpEnd; i++ {
		bumped[i] *= 10 // +20 dB: up to full scale at the converter
	}
	// What the filter and gain alone would make of the bump.
	quiet := offline(t, bumped, audiofilter.Bell, gain-40)
	var unlimited float64
	for _, v := range quiet[bumpAt:bumpEnd] {
		unlimited = max(unlimited, math.Abs(float64(v))*math.Pow(10, 40.0/20))
	}
	if unlimited < 2 { // 6 dB past full scale
		t.Fatalf("the bump would peak at %.2f unlimited: not a test of the limiter", unlimited)
	}

	r := newStethRig(t, &audio.Clocked{}, audiofilter.Bell, nil)
	r.steth.SetGain(gain)
	r.feed(bumped)
	heard, pcg := r.snapshot()
	var loudest float64
	for _, v := range heard {
		loudest = max(loudest, math.Abs(float64(v)))
	}
	var loudestCount int32
	for _, v := range pcg {
		loudestCount = max(loudestCount, v, -v)
	}
	t.Logf("bump: %.2f × full scale unlimited, %.3f at the headphones (ceiling %.3f), hub peak %d counts", unlimited, loudest, audiofilter.Ceiling, loudestCount)
	if loudest > audiofilter.Ceiling || loudestCount >= 32767 {
		t.Fatalf("the bump reached %.3f (hub %d counts): above the ceiling %.3f", loudest, loudestCount, audiofilter.Ceiling)
	}
	// One to two seconds after the bump the level is that of the same sound
	// without it.
	ref := offline(t, x, audiofilter.Bell, gain)
	after := heard[bumpEnd+PCGRate : bumpEnd+2*PCGRate]
	if d := dB(rms(after) / rms(ref[bumpEnd+PCGRate:bumpEnd+2*PCGRate])); math.Abs(d) > 1 {
		t.Errorf("a second after the bump the sound is %.2f dB off its level", d)
	}
}

// A clip recorded from the live path is the filtered recording, every
// sample, at the device's 4 kHz and the recording's length; its WAV reads
// back and writes again byte for byte.
func TestStethoscopeLiveClipOfCirCor(t *testing.T) {
	for _, tc := range []struct {
		file string
		mode audiofilter.Mode
		site string
	}{
		{"31737_AV.wav", audiofilter.Diaphragm, storage.SiteAortic},
		{"69067_PV.wav", audiofilter.Bell, storage.SitePulmonic},
	} {
		t.Run(tc.file, func(t *testing.T) {
			x := heartSound(t, tc.file)
			r := newStethRig(t, &audio.Clocked{}, tc.mode, nil)
			d := time.Duration(len(x)) * time.Second / PCGRate
			if err := r.steth.RecordClip(tc.site, d); err != nil {
				t.Fatal(err)
			}
			r.feed(x)
			eventually(t, 10*time.Second, "the clip saved", func() bool { return r.steth.ClipStatus().Saved == 1 })
			clip := r.clips[0]
			if clip.Site != tc.site || clip.PatientMRN != "MRN-0001" {
				t.Fatalf("clip site %q patient %q", clip.Site, clip.PatientMRN)
			}
			a, err := wav.Read(bytes.NewReader(clip.WAV))
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != PCGRate || a.Channels != 1 || a.Frames() != len(x) {
				t.Fatalf("clip %d Hz × %d ch, %d frames; the recording is %d Hz, %d frames", a.Rate, a.Channels, a.Frames(), PCGRate, len(x))
			}
			var want bytes.Buffer
			if err := wav.Write(&want, wav.Audio{Rate: PCGRate, Channels: 1, Bits: 16,
				Samples: [][]float32{offline(t, x, tc.mode, 0)}}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(clip.WAV, want.Bytes()) {
				t.Fatal("the clip is not the recording through the filter, sample for sample")
			}
			var again bytes.Buffer
			if err := wav.Write(&again, *a); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), clip.WAV) {
				t.Fatal("the clip's WAV does not round-trip byte for byte")
			}
		})
	}
}

// Choosing other devices reopens the stream on them while the stethoscope
// keeps serving: a gap, no disconnection alarm, the choice handed on to be
// remembered. The chosen input unplugged gives the alarm and a wait (never
// the built-in microphone instead); plugged back, the stream resumes.
func TestStethoscopeDeviceChoiceAndHotPlug(t *testing.T) {
	card := &audio.Clocked{
		InputDevices: []audio.DeviceInfo{{ID: "mic", Name: "Built-in microphone", Default: true},
			{ID: "usb-in", Name: "USB audio interface"}},
		OutputDevices: []audio.DeviceInfo{{ID: "spk", Name: "Speakers", Default: true},
			{ID: "usb-out", Name: "USB headphones"}},
	}
	r := newStethRig(t, card, audiofilter.Diaphragm, nil)
	if got := card.Streams(); !slices.Equal(got, []string{"mic", "spk"}) {
		t.Fatalf("streams %v, want the defaults", got)
	}
	d := r.steth.Devices()
	if len(d.Inputs) != 2 || len(d.Outputs) != 2 || d.Input != "" || d.Output != "" || d.Err != "" {
		t.Fatalf("devices %+v", d)
	}
	r.feed(tone(150, 0.2, PCGRate/2))

	r.steth.SetDevices("usb-in", "usb-out")
	eventually(t, 10*time.Second, "the chosen devices open", func() bool {
		return slices.Equal(card.Streams(), []string{"usb-in", "usb-out"})
	})
	r.feed(tone(150, 0.2, PCGRate/2))
	r.mu.Lock()
	gaps, chosen := r.gaps, slices.Clone(r.chosen)
	r.mu.Unlock()
	if gaps != 1 || !slices.Equal(chosen, [][2]string{{"usb-in", "usb-out"}}) {
		t.Fatalf("after the choice: %d gaps (want 1), remembered %v", gaps, chosen)
	}
	if r.hasEvent(devices.EventDisconnected) {
		t.Fatal("a device choice raised a disconnection")
	}
	if d := r.steth.Devices(); d.Input != "usb-in" || d.Output != "usb-out" {
		t.Fatalf("choice shown as %q, %q", d.Input, d.Output)
	}

	card.Unplug("usb-in")
	eventually(t, 10*time.Second, "the disconnection", func() bool { return r.hasEvent(devices.EventDisconnected) })
	eventually(t, 10*time.Second, "two failed reopens", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		n := 0
		for _, s := range r.states {
			if s.State == devices.Connecting {
				n++
			}
		}
		return n >= 3 // the loss, then two retries
	})
	if got := card.Streams(); len(got) != 0 {
		t.Fatalf("with the chosen input unplugged, streams %v are open", got)
	}
	if d := r.steth.Devices(); len(d.Inputs) != 1 || d.Input != "usb-in" {
		t.Fatalf("while unplugged the panel would show %+v", d)
	}
	card.Plug("usb-in")
	eventually(t, 10*time.Second, "the stream back", func() bool {
		return slices.Equal(card.Streams(), []string{"usb-in", "usb-out"})
	})
	eventually(t, 10*time.Second, "the replugged input listed", func() bool { return len(r.steth.Devices().Inputs) == 2 })
	r.feed(tone(150, 0.2, PCGRate/2))
	r.mu.Lock()
	gaps = r.gaps
	r.mu.Unlock()
	if gaps != 2 || !r.hasEvent(devices.EventConnected) {
		t.Fatalf("after replug: %d gaps (want 2), connected event %v", gaps, r.hasEvent(devices.EventConnected))
	}
}

func TestStethoscopeRetryBacksOff(t *testing.T) {
	s := &Stethoscope{cfg: StethoscopeConfig{Retry: 100 * time.Millisecond}}
	d := s.cfg.Retry
	var got []time.Duration
	for range 4 {
		d = s.nextRetry(d)
		got = append(got, d)
	}
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
}
