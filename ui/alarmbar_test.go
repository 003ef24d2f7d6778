package ui

import (
	"context"
	"errors"
	"image/color"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"telewave/alarms"
	"telewave/devices"
	"telewave/dsp/news2"
)

var barT0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func alarmOf(id string, p devices.Priority, text string, acked bool) alarms.Alarm {
	s := alarms.StyleOf(p)
	return alarms.Alarm{ID: id, Priority: p, Text: text, Acknowledged: acked, Style: s, Flashing: !acked && s.FlashHz > 0,
		Raised: barT0}
}

func TestAlarmBarShowsPriorityColourAndAcknowledges(t *testing.T) {
	test.NewTempApp(t)
	st := alarms.State{Alarms: []alarms.Alarm{
		alarmOf("asystole", devices.High, "Asystole", false),
		alarmOf("lead-off:ecg", devices.Medium, "ECG leads off (ecg)", false),
		alarmOf("spo2-low", devices.Low, "SpO2 low", false),
	}, AudioPausedUntil: barT0.Add(100 * time.Second)}
	var acks, pauses atomic.Int32
	b := newAlarmBar(func() alarms.State { return st }, func() { acks.Add(1) }, func() { pauses.Add(1) })
	b.apply(st, barT0)

	if len(b.items) != 3 {
		t.Fatalf("%d rows", len(b.items))
	}
	red := alarms.StyleOf(devices.High).Colour
	if b.items[0].text.Color != color.Color(red) || !strings.Contains(b.items[0].text.Text, "Asystole") ||
		!strings.Contains(b.items[0].text.Text, "HIGH") {
		t.Errorf("high row: %q in %v, want red %v", b.items[0].text.Text, b.items[0].text.Color, red)
	}
	if b.items[1].text.Color != color.Color(alarms.StyleOf(devices.Medium).Colour) {
		t.Errorf("medium row in %v", b.items[1].text.Color)
	}
	if b.paused.Text != "Audio paused 1:40" {
		t.Errorf("pause countdown %q", b.paused.Text)
	}

	// The lamps over one second: high flashes at 2 Hz, medium at 0.6 Hz,
	// low stays on.
	changes := make([]int, 3)
	prev := make([]color.Color, 3)
	for ms := 0; ms <= 1000; ms += 50 {
		b.apply(st, barT0.Add(time.Duration(ms)*time.Millisecond))
		for i, r := range b.items {
			if prev[i] != nil && prev[i] != r.lamp.FillColor {
				changes[i]++
			}
			prev[i] = r.lamp.FillColor
		}
	}
	if changes[0] != 4 || changes[1] < 1 || changes[1] > 2 || changes[2] != 0 {
		t.Errorf("lamp changes in 1 s: high %d (want 4), medium %d (1–2), low %d (0)", changes[0], changes[1], changes[2])
	}

	test.Tap(b.ackBtn)
	test.Tap(b.pauseBtn)
	if acks.Load() != 1 || pauses.Load() != 1 {
		t.Errorf("ack called %d times, pause %d", acks.Load(), pauses.Load())
	}

	// Acknowledged: steady, marked.
	st = alarms.State{Alarms: []alarms.Alarm{alarmOf("asystole", devices.High, "Asystole", true)}}
	for ms := 0; ms <= 500; ms += 50 {
		b.apply(st, barT0.Add(time.Duration(ms)*time.Millisecond))
		if b.items[0].lamp.FillColor != color.Color(red) {
			t.Fatalf("acknowledged lamp off at %d ms", ms)
		}
	}
	if !strings.Contains(b.items[0].text.Text, "acknowledged") || b.paused.Text != "" {
		t.Errorf("after ack: %q, paused %q", b.items[0].text.Text, b.paused.Text)
	}
	b.apply(alarms.State{}, barT0)
	if len(b.items) != 0 || len(b.rows.Objects) != 1 {
		t.Errorf("no alarms: %d rows", len(b.rows.Objects))
	}
}

// The bar's own goroutine reads the engine and stops when told.
func TestAlarmBarRunsAndStops(t *testing.T) {
	test.NewTempApp(t)
	var reads atomic.Int32
	b := newAlarmBar(func() alarms.State {
		reads.Add(1)
		return alarms.State{Alarms: []alarms.Alarm{alarmOf("asystole", devices.High, "Asystole", false)}}
	}, func() {}, func() {})
	b.Start(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for reads.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.Stop()
	if reads.Load() < 2 {
		t.Fatalf("engine read %d times", reads.Load())
	}
}

func TestNEWS2Form(t *testing.T) {
	test.NewTempApp(t)
	var got news2.Input
	measured := news2.Input{RespirationRate: news2.Value(26), SpO2: news2.Value(91), SystolicBP: news2.Value(95),
		Pulse: news2.Value(125), Temperature: news2.Value(38.6)}
	p := newNEWS2Panel(func(in news2.Input) (news2.Result, error) {
		got = in
		in.RespirationRate, in.SpO2, in.SystolicBP, in.Pulse, in.Temperature =
			measured.RespirationRate, measured.SpO2, measured.SystolicBP, measured.Pulse, measured.Temperature
		return news2.Score(in)
	})
	p.level.SetSelected("Voice")
	p.oxygen.SetSelected("Oxygen")
	test.Tap(p.scale2)
	test.Tap(p.button)
	if got.Consciousness != news2.Voice || got.Supplement != news2.Oxygen || !got.Scale2 {
		t.Errorf("entered %+v", got)
	}
	want, err := news2.Score(news2.Input{RespirationRate: measured.RespirationRate, SpO2: measured.SpO2, SystolicBP: measured.SystolicBP,
		Pulse: measured.Pulse, Temperature: measured.Temperature, Consciousness: news2.Voice, Supplement: news2.Oxygen, Scale2: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.total.Text, want.Risk.String()+" risk") || !strings.Contains(p.total.Text, " "+strconv.Itoa(want.Total)+" ") {
		t.Errorf("headline %q, want total %d, %s", p.total.Text, want.Total, want.Risk)
	}
	if p.total.Color != riskColour(want.Risk) || !strings.Contains(p.response.Text, want.Response.Monitoring) {
		t.Errorf("colour %v, response %q", p.total.Color, p.response.Text)
	}

	// Nothing entered: incomplete, said so.
	p2 := newNEWS2Panel(news2.Score)
	test.Tap(p2.button)
	if !strings.Contains(p2.response.Text, "Incomplete") || !strings.Contains(p2.response.Text, "consciousness") {
		t.Errorf("empty form: %q", p2.response.Text)
	}
	// A scoring error is shown, not scored.
	p3 := newNEWS2Panel(func(news2.Input) (news2.Result, error) {
		return news2.Result{}, errors.New("SpO2 140: implausible value")
	})
	test.Tap(p3.button)
	if !strings.Contains(p3.total.Text, "not scored") || !strings.Contains(p3.response.Text, "implausible") {
		t.Errorf("error: %q / %q", p3.total.Text, p3.response.Text)
	}
}
