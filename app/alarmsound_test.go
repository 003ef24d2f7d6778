package app

import (
	"testing"
	"time"

	"telewave/alarms"
	"telewave/devices"
)

type fakePlayer struct {
	plays    []int // clip lengths, in order
	silences int
}

func (p *fakePlayer) Play(c []float32) { p.plays = append(p.plays, len(c)) }
func (p *fakePlayer) Silence()         { p.silences++ }

func TestAlarmSoundFollowsTheMostUrgentAudibleAlarm(t *testing.T) {
	var st alarms.State
	p := &fakePlayer{}
	s, err := NewAlarmSound(func() alarms.State { return st }, p, 16000)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	high, med := s.clips["alarm-high.wav"], s.clips["alarm-medium.wav"]
	if len(high) == 0 || len(med) == 0 || len(high) == len(med) {
		t.Fatalf("clips: high %d, medium %d samples", len(high), len(med))
	}
	alarm := func(p devices.Priority, audible bool) alarms.Alarm {
		return alarms.Alarm{Priority: p, Audible: audible, Style: alarms.StyleOf(p)}
	}

	st = alarms.State{Alarms: []alarms.Alarm{alarm(devices.Medium, true)}}
	s.step()
	if len(p.plays) != 1 || p.plays[0] != len(med) {
		t.Fatalf("a medium alarm played %v", p.plays)
	}
	now = now.Add(time.Second)
	s.step() // still within the repeat interval: no restart
	if len(p.plays) != 1 {
		t.Fatalf("restarted after 1 s: %v", p.plays)
	}
	// A high alarm interrupts at once.
	st = alarms.State{Alarms: []alarms.Alarm{alarm(devices.High, true), alarm(devices.Medium, true)}}
	s.step()
	if len(p.plays) != 2 || p.plays[1] != len(high) {
		t.Fatalf("high did not interrupt: %v", p.plays)
	}
	// It repeats after its interval.
	now = now.Add(5 * time.Second)
	s.step()
	if len(p.plays) != 3 || p.plays[2] != len(high) {
		t.Fatalf("high did not repeat after 5 s: %v", p.plays)
	}
	// Acknowledged or paused (not audible): silence.
	st = alarms.State{Alarms: []alarms.Alarm{alarm(devices.High, false), alarm(devices.Medium, false)}}
	s.step()
	if p.silences != 1 || len(p.plays) != 3 {
		t.Fatalf("not silenced: silences %d plays %v", p.silences, p.plays)
	}
	s.step()
	if p.silences != 1 {
		t.Fatal("silenced twice")
	}
}
