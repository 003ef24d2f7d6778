package alarms

import (
	"errors"
	"slices"
	"testing"
	"time"

	"telewave/devices"
)

func TestLatchingAndAcknowledge(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	w.vitals(30*time.Second, n)
	w.until("spo2-extreme-low", time.Minute, with(n, devices.MDCPulsOximSatO2, 75))
	w.vitals(30*time.Second, n) // recovered
	a := w.mustAlarm("spo2-extreme-low")
	if !a.Latched() || !a.Audible || !a.Flashing {
		t.Fatalf("recovered desat: latched %v audible %v flashing %v, want all", a.Latched(), a.Audible, a.Flashing)
	}
	if _, ok := w.alarm("spo2-low"); ok {
		t.Error("SpO2 low shown beside desaturation")
	}
	if err := w.e.Acknowledge("spo2-extreme-low", "nurse.a"); err != nil {
		t.Fatal(err)
	}
	if s := w.e.State(); len(s.Alarms) != 0 || s.Sound != "" {
		t.Errorf("after ack: %v sound %q", ids(s), s.Sound)
	}
	want := []Action{Raised, Ended, Acknowledged}
	if got := w.actions("spo2-extreme-low"); !slices.Equal(got, want) {
		t.Errorf("journal %v, want %v", got, want)
	}
	if err := w.e.Acknowledge("spo2-extreme-low", "nurse.a"); !errors.Is(err, ErrUnknownAlarm) {
		t.Errorf("second ack: %v, want ErrUnknownAlarm", err)
	}

	// A medium alarm does not latch: it goes when the condition ends.
	w.until("hr-high", time.Minute, with(n, devices.MDCECGHeartRate, 130))
	w.vitals(5*time.Second, n)
	if _, ok := w.alarm("hr-high"); ok {
		t.Error("medium alarm latched")
	}
}

func TestAcknowledgeActive(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	high := with(n, devices.MDCECGHeartRate, 130)
	w.until("hr-high", time.Minute, high)
	if err := w.e.Acknowledge("hr-high", "nurse.b"); err != nil {
		t.Fatal(err)
	}
	w.vitals(10*time.Minute, high) // still present, long past escalation
	a := w.mustAlarm("hr-high")
	if a.Audible || a.Flashing || a.Priority != devices.Medium || a.AckedBy != "nurse.b" {
		t.Errorf("acked alarm: audible %v flashing %v priority %s by %q", a.Audible, a.Flashing, PriorityName(a.Priority), a.AckedBy)
	}
	if s := w.e.State(); s.Sound != "" {
		t.Errorf("sound %q with only an acknowledged alarm", s.Sound)
	}
	w.vitals(5*time.Second, n)
	if _, ok := w.alarm("hr-high"); ok {
		t.Error("acknowledged alarm stayed after its condition ended")
	}
}

func TestHysteresis(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	w.until("hr-high", time.Minute, with(n, devices.MDCECGHeartRate, 125))
	w.vitals(20*time.Second, with(n, devices.MDCECGHeartRate, 119)) // inside by 1 < 2
	w.mustAlarm("hr-high")
	w.vitals(2*time.Second, with(n, devices.MDCECGHeartRate, 118))
	if _, ok := w.alarm("hr-high"); ok {
		t.Error("alarm stayed with HR 2 inside the limit")
	}
}

func TestAudioPause(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	low := with(n, devices.MDCPulsOximSatO2, 75)
	w.until("spo2-extreme-low", time.Minute, low)
	if err := w.e.PauseAudio("nurse.c"); err != nil {
		t.Fatal(err)
	}
	pausedAt := w.now
	w.vitals(30*time.Second, low)
	s := w.e.State()
	if s.Sound != "" || !s.AudioPausedUntil.Equal(pausedAt.Add(2*time.Minute)) {
		t.Fatalf("during pause: sound %q until %v", s.Sound, s.AudioPausedUntil)
	}
	if a := w.mustAlarm("spo2-extreme-low"); !a.Flashing {
		t.Error("paused alarm stopped flashing: only audio pauses")
	}
	// A new condition during the pause sounds at once.
	w.until("hr-high", time.Minute, with(low, devices.MDCECGHeartRate, 130))
	if s := w.e.State(); s.Sound != "alarm-medium.wav" {
		t.Errorf("new medium alarm during pause: sound %q, want alarm-medium.wav", s.Sound)
	}
	w.vitals(pausedAt.Add(2*time.Minute).Sub(w.now)-time.Second, with(low, devices.MDCECGHeartRate, 72))
	if s := w.e.State(); s.Sound != "" {
		t.Fatalf("1 s before the pause ends: sound %q", s.Sound)
	}
	w.vitals(time.Second, low)
	if s := w.e.State(); s.Sound != "alarm-high.wav" || !s.AudioPausedUntil.IsZero() {
		t.Errorf("after 2 min: sound %q paused until %v, want alarm-high.wav", s.Sound, s.AudioPausedUntil)
	}
	var acts []Action
	for _, en := range w.journal() {
		if en.AlarmID == "" {
			acts = append(acts, en.Action)
		}
	}
	if !slices.Equal(acts, []Action{AudioPaused, AudioResumed}) {
		t.Errorf("journal %v, want audio-paused, audio-resumed", acts)
	}
}

func TestEscalation(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	tachy := with(n, devices.MDCECGHeartRate, 130)
	w.until("hr-high", time.Minute, tachy)
	raised := w.now
	w.vitals(2*time.Minute-time.Second, tachy)
	if a := w.mustAlarm("hr-high"); a.Priority != devices.Medium {
		t.Fatalf("escalated early, at %v", w.now.Sub(raised))
	}
	w.vitals(time.Second, tachy)
	a := w.mustAlarm("hr-high")
	if a.Priority != devices.High || a.Initial != devices.Medium || w.e.State().Sound != "alarm-high.wav" {
		t.Errorf("after 2 min unacknowledged: %s (from %s), sound %q", PriorityName(a.Priority), PriorityName(a.Initial), w.e.State().Sound)
	}
	if !slices.Contains(w.actions("hr-high"), Escalated) {
		t.Error("escalation not journalled")
	}
	// Escalated to high, it latches.
	w.vitals(5*time.Second, n)
	if a := w.mustAlarm("hr-high"); !a.Latched() {
		t.Error("escalated alarm did not latch")
	}
}
