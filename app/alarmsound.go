package app

import (
	"context"
	"fmt"
	"time"

	"telewave/alarms"
	"telewave/assets"
	"telewave/audio"
	"telewave/devices"
	"telewave/formats/wav"
)

// clipPlayer is what the alarm sound needs of an audio output
// (audio.Player).
type clipPlayer interface {
	Play(clip []float32)
	Silence()
}

// AlarmSound plays the sound of the most urgent audible alarm: its
// priority's burst (assets/alarm-*.wav), started again every
// assets.RepeatSeconds while the alarm stays audible; a higher priority
// interrupts a lower one at once; acknowledged or paused alarms are not
// audible and fall silent.
type AlarmSound struct {
	state  func() alarms.State
	player clipPlayer
	clips  map[string][]float32
	now    func() time.Time

	playing string    // the sound playing or repeating, "" when silent
	started time.Time // when it last started
}

// NewAlarmSound loads the three sounds at rate (the player's) and returns
// the sound of state's alarms through p.
func NewAlarmSound(state func() alarms.State, p clipPlayer, rate int) (*AlarmSound, error) {
	s := &AlarmSound{state: state, player: p, clips: map[string][]float32{}, now: time.Now}
	for _, name := range assets.Names() {
		f, err := assets.Sounds.Open(name)
		if err != nil {
			return nil, fmt.Errorf("alarm sound %s: %w", name, err)
		}
		a, err := wav.Read(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("alarm sound %s: %w", name, err)
		}
		mono := a.Mono()
		pcm := make([]int16, len(mono))
		for i, v := range mono {
			pcm[i] = int16(max(-32768, min(32767, v*32768)))
		}
		s.clips[name] = audio.Resample(pcm, a.Rate, rate)
	}
	return s, nil
}

// Serve updates the sound every 100 ms until ctx ends, then silences it.
func (s *AlarmSound) Serve(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	defer s.player.Silence()
	for {
		select {
		case <-t.C:
			s.step()
		case <-ctx.Done():
			return
		}
	}
}

// step decides what sounds now.
func (s *AlarmSound) step() {
	want := ""
	for _, a := range s.state().Alarms { // most urgent first
		if a.Audible && a.Style.Sound != "" {
			want = a.Style.Sound
			break
		}
	}
	now := s.now()
	switch {
	case want == "":
		if s.playing != "" {
			s.player.Silence()
			s.playing = ""
		}
	case want != s.playing:
		s.start(want, now)
	case now.Sub(s.started) >= time.Duration(assets.RepeatSeconds[want]*float64(time.Second)):
		s.start(want, now)
	}
}

func (s *AlarmSound) start(name string, now time.Time) {
	s.player.Play(s.clips[name])
	s.playing, s.started = name, now
}

// serveAlarmSound opens the alarm output and plays the alarms until ctx
// ends. Without an output the alarms stay visual and a technical event
// says why.
func (w *Workstation) serveAlarmSound(ctx context.Context) {
	b, err := w.cfg.Audio()
	var p *audio.Player
	if err == nil {
		p, err = audio.NewPlayer(b, audio.Config{Rate: assets.SampleRate, Period: 20 * time.Millisecond})
	}
	if err != nil {
		w.alarm(devices.Event{Kind: devices.Technical, Code: "alarm-sound", Priority: devices.Medium, Time: w.cfg.Now(),
			Text: "alarm sounds unavailable: " + err.Error()})
		return
	}
	defer p.Close()
	s, err := NewAlarmSound(w.Analysis.Alarms, p, p.Rate())
	if err != nil {
		w.report(err)
		return
	}
	s.Serve(ctx)
}
