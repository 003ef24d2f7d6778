package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/alarms"
	"telewave/devices"
	"telewave/dsp/news2"
	"telewave/storage"
)

// clock is a settable clock safe for the Serve goroutine to read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Serve on a real hub writes the alarm history, acknowledgements and
// audio pauses into the sealed store under the patient.
func TestServeKeepsTheAlarmHistory(t *testing.T) {
	store, p := openStore(t)
	hub := &Hub{}
	clk := &clock{t: b0}
	a, err := NewAnalysis(AnalysisConfig{Publish: hub.Publish, Store: store, PatientID: p.ID, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	sub := hub.Subscribe("analysis", 1<<10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Serve(ctx, sub) }()

	spo2 := func(v float64) {
		hub.Publish(Envelope{Device: "oximeter", Msg: &devices.Numeric{Code: devices.MDCPulsOximSatO2, Value: v, Unit: "%", Time: clk.now()}})
	}
	spo2(76)
	clk.set(b0.Add(11 * time.Second))
	spo2(76)
	eventually(t, 5*time.Second, "desaturation shown", func() bool { return a.Alarms().Highest() == devices.High })
	if err := a.PauseAudio("nurse"); err != nil {
		t.Fatal(err)
	}
	if err := a.AcknowledgeAll("nurse"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if bad, why := a.journal.trouble(); bad {
		t.Fatalf("alarm history: %s", why)
	}

	hist, err := store.Alarms(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action storage.AlarmAction
		code   string
		user   string
	}{
		{storage.AlarmRaised, "spo2-extreme-low", ""},
		{storage.AlarmPaused, "audio", "nurse"},
		{storage.AlarmAcknowledged, "spo2-extreme-low", "nurse"},
	}
	if len(hist) != len(want) {
		t.Fatalf("history %+v", hist)
	}
	for i, w := range want {
		h := hist[i]
		if h.Action != w.action || h.Code != w.code || h.User != w.user || h.PatientID != p.ID {
			t.Errorf("entry %d = %+v, want %+v", i, h, w)
		}
	}
	if hist[0].Priority != devices.High || !strings.Contains(hist[0].Text, "Desaturation") {
		t.Errorf("raised entry %+v", hist[0])
	}
}

type failingAlarms struct{}

func (failingAlarms) RecordAlarm(context.Context, storage.AlarmEntry) (int64, error) {
	return 0, errors.New("disk full")
}

// An alarm history that cannot be written is itself a technical alarm.
func TestFailingAlarmHistoryIsAnAlarm(t *testing.T) {
	hub := &Hub{}
	clk := &clock{t: b0}
	a, err := NewAnalysis(AnalysisConfig{Store: failingAlarms{}, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	sub := hub.Subscribe("analysis", 16)
	go func() { done <- a.Serve(ctx, sub) }()
	hub.Publish(Envelope{Device: "monitor", Msg: &devices.Event{Kind: devices.Technical, Code: devices.EventDisconnected, Time: b0}})
	clk.set(b0.Add(5 * time.Second))
	eventually(t, 5*time.Second, "storage trouble shown", func() bool {
		for _, al := range a.Alarms().Alarms {
			if al.ID == alarms.CodeStorageTrouble && strings.Contains(al.Text, "disk full") {
				return true
			}
		}
		return false
	})
	cancel()
	<-done
}

func TestHistoryEntry(t *testing.T) {
	at := b0.Add(time.Minute)
	tests := []struct {
		in   alarms.Entry
		want storage.AlarmEntry
	}{
		{alarms.Entry{Time: at, Action: alarms.Raised, AlarmID: "hr-high", Kind: devices.Physiological, Priority: devices.Medium, Text: "Tachycardia: HR 130 > 120 /min"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "hr-high", Text: "Tachycardia: HR 130 > 120 /min", Priority: devices.Medium, Action: storage.AlarmRaised}},
		{alarms.Entry{Time: at, Action: alarms.Ended, AlarmID: "asystole", Priority: devices.High, Text: "Asystole", Detail: "latched until acknowledged"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "asystole", Text: "Asystole — latched until acknowledged", Priority: devices.High, Action: storage.AlarmCleared}},
		{alarms.Entry{Time: at, Action: alarms.Superseded, AlarmID: "hr-low", Priority: devices.Medium, Text: "Bradycardia", Detail: "by asystole"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "hr-low", Text: "Bradycardia (superseded) — by asystole", Priority: devices.Medium, Action: storage.AlarmCleared}},
		{alarms.Entry{Time: at, Action: alarms.Escalated, AlarmID: "lead-off:ecg", Priority: devices.High, Text: "ECG leads off (ecg)"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "lead-off:ecg", Text: "ECG leads off (ecg)", Priority: devices.High, Action: storage.AlarmEscalated}},
		{alarms.Entry{Time: at, Action: alarms.Acknowledged, AlarmID: "hr-low", Priority: devices.Medium, Text: "Bradycardia", User: "rn"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "hr-low", Text: "Bradycardia", Priority: devices.Medium, Action: storage.AlarmAcknowledged, User: "rn"}},
		{alarms.Entry{Time: at, Action: alarms.AudioPaused, User: "rn", Detail: "until 08:03"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "audio", Text: "until 08:03", Action: storage.AlarmPaused, User: "rn"}},
		{alarms.Entry{Time: at, Action: alarms.AudioResumed},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "audio", Action: "audio-resumed"}},
		{alarms.Entry{Time: at, Action: alarms.LimitsChanged, Source: "HR", User: "dr", Detail: "{…} → {…}"},
			storage.AlarmEntry{PatientID: 7, Time: at, Code: "limits:HR", Text: "{…} → {…}", Action: "limits-changed", User: "dr"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.in.Action), func(t *testing.T) {
			if got := historyEntry(tc.in, 7); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// NEWS2 takes the freshest valid measured values and the clinician's
// entries; stale, unavailable and unknown-unit values are missing.
func TestNEWS2FromTheNumerics(t *testing.T) {
	b := newBedside(t)
	send := func(slot string, code uint32, v float64, unit string, age time.Duration, st devices.NumericStatus) {
		b.send(slot, &devices.Numeric{Code: code, Value: v, Unit: unit, Time: b.now.Add(-age), Status: st})
	}
	b.advance(b0.Add(time.Hour))
	send("monitor", alarms.MDCRespRate, 23, "/min", 0, devices.Valid)
	send("oximeter", devices.MDCPulsOximSatO2, 93, "%", 10*time.Second, devices.Valid)
	send("monitor", alarms.MDCNIBPSys, 150, "mm[Hg]", 20*time.Minute, devices.Valid) // stale
	send("monitor", alarms.MDCABPSys, 13.3, "kPa", time.Minute, devices.Valid)       // 99.8 mmHg
	send("oximeter", devices.MDCPulsOximPulsRt, 118, "/min", 2*time.Minute, devices.Valid)
	send("monitor", devices.MDCECGHeartRate, 112, "/min", 30*time.Second, devices.Valid) // fresher than PR
	send("monitor", alarms.MDCTempBody, 101.3, "[degF]", time.Minute, devices.Valid)     // 38.5 °C

	manual := news2.Input{Consciousness: news2.Alert, Supplement: news2.Oxygen}
	got, err := b.a.NEWS2(manual)
	if err != nil {
		t.Fatal(err)
	}
	want, err := news2.Score(news2.Input{RespirationRate: news2.Value(23), SpO2: news2.Value(93), SystolicBP: news2.Value(13.3 * 7.50062),
		Pulse: news2.Value(112), Temperature: news2.Value((101.3 - 32) * 5 / 9), Consciousness: news2.Alert, Supplement: news2.Oxygen})
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != want.Total || got.Scores != want.Scores || !got.Complete {
		t.Errorf("NEWS2 %+v, want %+v", got, want)
	}

	// The temperature probe goes unavailable: missing, unless entered.
	send("monitor", alarms.MDCTempBody, 0, "Cel", 0, devices.Unavailable)
	got, _ = b.a.NEWS2(manual)
	if got.Complete || !slices.Contains(got.Missing, news2.Temperature) {
		t.Errorf("without temperature: %+v", got)
	}
	manual.Temperature = news2.Value(36.5)
	if got, _ = b.a.NEWS2(manual); !got.Complete {
		t.Errorf("with a manual temperature: %+v", got)
	}
	// Five minutes on, only what was measured since counts.
	b.advance(b.now.Add(5*time.Minute + time.Second))
	got, _ = b.a.NEWS2(news2.Input{})
	if got.Complete || len(got.Missing) != 7 {
		t.Errorf("all stale: %+v", got)
	}
}
