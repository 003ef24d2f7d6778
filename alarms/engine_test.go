package alarms

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

// TestScenarios: each condition raises the right alarm at the right
// priority exactly its stated delay after the first abnormal value (fed
// 1 s after the last normal one), and nothing else.
func TestScenarios(t *testing.T) {
	n := normalAdult()
	tests := []struct {
		name     string
		values   map[uint32]float64
		id       string
		priority devices.Priority
		within   time.Duration
		text     string
	}{
		{"desaturation", with(n, devices.MDCPulsOximSatO2, 76), "spo2-extreme-low", devices.High, 11 * time.Second, "Desaturation"},
		{"SpO2 low", with(n, devices.MDCPulsOximSatO2, 87), "spo2-low", devices.Medium, 11 * time.Second, "SpO2 low"},
		{"tachycardia", with(n, devices.MDCECGHeartRate, 132), "hr-high", devices.Medium, 6 * time.Second, "Tachycardia"},
		{"extreme tachycardia", with(n, devices.MDCECGHeartRate, 165), "hr-extreme-high", devices.High, 6 * time.Second, "Extreme tachycardia"},
		{"bradycardia", with(n, devices.MDCECGHeartRate, 45), "hr-low", devices.Medium, 6 * time.Second, "Bradycardia"},
		{"extreme bradycardia", with(n, devices.MDCECGHeartRate, 32), "hr-extreme-low", devices.High, 6 * time.Second, "Extreme bradycardia"},
		{"RR high", with(n, MDCRespRate, 34), "rr-high", devices.Medium, 11 * time.Second, "RR high"},
		{"temperature high", with(n, MDCTempBody, 39.4), "temp-high", devices.Medium, 11 * time.Second, "Temp high"},
		{"ABP sys low", with(n, MDCABPSys, 82), "abp-sys-low", devices.Medium, 6 * time.Second, "ABP sys low"},
		{"etCO2 high", with(n, MDCAwayCO2EndTidal, 55), "etco2-high", devices.Medium, 11 * time.Second, "etCO2 high"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWard(t, Adult)
			w.vitals(time.Minute, n)
			if s := w.e.State(); len(s.Alarms) != 0 {
				t.Fatalf("alarms on normal values: %v", ids(s))
			}
			took := w.until(tc.id, 2*time.Minute, tc.values)
			if took != tc.within {
				t.Fatalf("%s raised after %v, want %v", tc.id, took, tc.within)
			}
			if j := w.journal(); len(j) != 1 || j[0].Action != Raised || j[0].AlarmID != tc.id {
				t.Errorf("journal %+v, want one raise of %s", j, tc.id)
			}
			a := w.mustAlarm(tc.id)
			if a.Priority != tc.priority || !strings.Contains(a.Text, tc.text) || !a.Audible {
				t.Errorf("got %s %q audible %v, want %s %q audible", PriorityName(a.Priority), a.Text, a.Audible, PriorityName(tc.priority), tc.text)
			}
			if got := len(w.e.State().Alarms); got != 1 {
				t.Errorf("%d alarms shown, want only %s: %v", got, tc.id, ids(w.e.State()))
			}
			if s := w.e.State().Sound; s != StyleOf(tc.priority).Sound {
				t.Errorf("sound %q, want %q", s, StyleOf(tc.priority).Sound)
			}
		})
	}
}

func TestOnsetDelayIgnoresSpuriousValue(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	w.vitals(30*time.Second, n)
	// 4 s of SpO2 70 (shorter than the 10 s delay), then normal again.
	w.vitals(4*time.Second, with(n, devices.MDCPulsOximSatO2, 70))
	w.vitals(time.Minute, n)
	if s := w.e.State(); len(s.Alarms) != 0 || len(w.journal()) != 0 {
		t.Errorf("a 4 s dip raised %v, journal %v", ids(s), w.journal())
	}
}

func TestAsystole(t *testing.T) {
	w := newWard(t, Adult)
	w.vitals(30*time.Second, normalAdult())
	last := w.now
	if err := w.e.Beat(last); err != nil {
		t.Fatal(err)
	}
	// The detector reports "no beat since last" each second; HR falls to 0.
	var took time.Duration = -1
	for i := 1; i <= 10; i++ {
		w.step(time.Second)
		w.numeric(devices.MDCECGHeartRate, 0)
		if err := w.e.Asystole(last); err != nil {
			t.Fatal(err)
		}
		if _, ok := w.alarm(CodeAsystole); ok {
			took = w.now.Sub(last)
			break
		}
	}
	if took != 4*time.Second {
		t.Fatalf("asystole raised %v after the last beat, want 4s", took)
	}
	w.vitals(10*time.Second, with(normalAdult(), devices.MDCECGHeartRate, 0))
	if a := w.mustAlarm(CodeAsystole); a.Priority != devices.High {
		t.Errorf("asystole priority %s", PriorityName(a.Priority))
	}
	if _, ok := w.alarm("hr-extreme-low"); ok {
		t.Error("extreme bradycardia shown beside asystole: asystole must supersede it")
	}
	// Beats return: asystole ends but latches (high priority).
	if err := w.e.Beat(w.now); err != nil {
		t.Fatal(err)
	}
	w.vitals(5*time.Second, normalAdult())
	if a := w.mustAlarm(CodeAsystole); !a.Latched() {
		t.Error("asystole did not latch")
	}
}

func TestTechnical(t *testing.T) {
	const src = "ads1298:/dev/pts/3"
	tests := []struct {
		name     string
		on, off  func(w *ward) error
		id       string
		priority devices.Priority
		within   time.Duration
	}{
		{"lead off by chunk flag",
			func(w *ward) error {
				return w.e.Chunk(src, &devices.Chunk{Signal: "ecg-2", HostTime: w.now, Flags: devices.LeadOff})
			},
			func(w *ward) error { return w.e.Chunk(src, &devices.Chunk{Signal: "ecg-2", HostTime: w.now}) },
			"lead-off:" + src, devices.Medium, 2 * time.Second},
		{"lead off by event",
			func(w *ward) error { return w.e.Event(src, devices.Event{Code: devices.EventLeadOff, Time: w.now}) },
			func(w *ward) error { return w.e.Event(src, devices.Event{Code: EventLeadOn, Time: w.now}) },
			"lead-off:" + src, devices.Medium, 2 * time.Second},
		{"sensor off",
			func(w *ward) error { return w.e.Event(src, devices.Event{Code: devices.EventSensorOff, Time: w.now}) },
			func(w *ward) error { return w.e.Event(src, devices.Event{Code: devices.EventSensorOn, Time: w.now}) },
			"sensor-off:" + src, devices.Medium, 2 * time.Second},
		{"device unplugged",
			func(w *ward) error {
				return w.e.Event(src, devices.Event{Code: devices.EventDisconnected, Time: w.now})
			},
			func(w *ward) error { return w.e.Event(src, devices.Event{Code: devices.EventConnected, Time: w.now}) },
			"disconnected:" + src, devices.High, 3 * time.Second},
		{"storage trouble",
			func(w *ward) error { return w.e.StorageTrouble(false, errDisk.Error(), w.now) },
			func(w *ward) error { return w.e.StorageTrouble(true, "", w.now) },
			"storage-trouble", devices.Medium, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWard(t, Adult)
			w.step(time.Second)
			if err := tc.on(w); err != nil {
				t.Fatal(err)
			}
			start := w.now
			for ; w.now.Sub(start) < 10*time.Second; w.step(time.Second) {
				if _, ok := w.alarm(tc.id); ok {
					break
				}
			}
			a := w.mustAlarm(tc.id)
			if took := w.now.Sub(start); took != tc.within || a.Priority != tc.priority || a.Kind != devices.Technical {
				t.Errorf("raised after %v at %s (%v), want %v at %s", took, PriorityName(a.Priority), a.Kind, tc.within, PriorityName(tc.priority))
			}
			w.step(time.Second)
			if err := tc.off(w); err != nil {
				t.Fatal(err)
			}
			w.step(time.Second)
			if _, ok := w.alarm(tc.id); ok {
				t.Error("technical alarm stayed after its condition ended")
			}
			if got := w.actions(tc.id); !slices.Equal(got, []Action{Raised, Ended}) {
				t.Errorf("journal %v, want raised, ended", got)
			}
		})
	}
}

func TestShortDisconnectRaisesNothing(t *testing.T) {
	w := newWard(t, Adult)
	_ = w.e.Event("COM3", devices.Event{Code: devices.EventDisconnected, Time: w.now})
	w.step(time.Second)
	w.step(time.Second)
	_ = w.e.Event("COM3", devices.Event{Code: devices.EventConnected, Time: w.now})
	w.step(10 * time.Second)
	if n := len(w.journal()); n != 0 {
		t.Errorf("a 2 s reconnect journalled %d entries", n)
	}
}

func TestLeadOffAnySignal(t *testing.T) {
	w := newWard(t, Adult)
	flag := func(sig string, off bool) {
		var f devices.ChunkFlags
		if off {
			f = devices.LeadOff
		}
		if err := w.e.Chunk("b", &devices.Chunk{Signal: sig, HostTime: w.now, Flags: f}); err != nil {
			t.Fatal(err)
		}
	}
	flag("I", true)
	flag("II", true)
	w.step(3 * time.Second)
	w.mustAlarm("lead-off:b")
	flag("I", false) // II still off
	w.step(time.Second)
	w.mustAlarm("lead-off:b")
	flag("II", false)
	w.step(time.Second)
	if _, ok := w.alarm("lead-off:b"); ok {
		t.Error("lead-off stayed with every signal back on")
	}
}
func TestThirtyMinutesNormal(t *testing.T) {
	for _, age := range []AgeGroup{Adult} {
		w := newWard(t, age)
		r := rand.New(rand.NewPCG(7, 8))
		for range 30 * 60 {
			w.vitals(time.Second, jitter(r))
			if s := w.e.State(); len(s.Alarms) != 0 {
				t.Fatalf("%s: alarm at %v: %v", age, w.now.Sub(t0), ids(s))
			}
		}
		if n := len(w.journal()); n != 0 {
			t.Errorf("%d journal entries on normal values", n)
		}
	}
}

func TestStaleParameterEnds(t *testing.T) {
	w := newWard(t, Adult)
	w.until("spo2-low", time.Minute, map[uint32]float64{devices.MDCPulsOximSatO2: 87})
	w.step(10 * time.Second)
	w.mustAlarm("spo2-low")
	w.step(time.Second) // 11 s without SpO2
	if _, ok := w.alarm("spo2-low"); ok {
		t.Error("SpO2 low stayed after SpO2 stopped arriving")
	}
}

func TestUnavailableStopsTimer(t *testing.T) {
	w := newWard(t, Adult)
	for range 30 {
		w.step(time.Second)
		if err := w.e.Numeric(devices.Numeric{Code: devices.MDCPulsOximSatO2, Value: 60, Time: w.now, Status: devices.QuestionableValue}); err != nil {
			t.Fatal(err)
		}
	}
	if s := w.e.State(); len(s.Alarms) != 0 {
		t.Errorf("questionable values raised %v", ids(s))
	}
}

func TestPulseRateDefersToHR(t *testing.T) {
	w := newWard(t, Adult)
	n := normalAdult()
	w.vitals(30*time.Second, with(n, devices.MDCPulsOximPulsRt, 135))
	if _, ok := w.alarm("pr-high"); ok {
		t.Error("pulse alarm raised while ECG HR is received")
	}
	w.until("pr-high", time.Minute, map[uint32]float64{devices.MDCPulsOximPulsRt: 135, devices.MDCPulsOximSatO2: 97})
	w.mustAlarm("pr-high")
}

func TestLimitsAndAgeGroups(t *testing.T) {
	for _, g := range []AgeGroup{Neonate, Infant, Child, Adult} {
		for p, l := range DefaultLimits(g) {
			if err := l.Check(); err != nil {
				t.Errorf("%s %s: %v", g, Parameter(p), err)
			}
			if l.Low == 0 || l.High == 0 && Parameter(p) != SpO2 {
				t.Errorf("%s %s: low or high limit off by default", g, Parameter(p))
			}
		}
	}
	w := newWard(t, Adult)
	// HR 150 is normal for a neonate, tachycardia for an adult.
	if err := w.e.SetAgeGroup(Neonate, "dr.x"); err != nil {
		t.Fatal(err)
	}
	w.vitals(time.Minute, map[uint32]float64{devices.MDCECGHeartRate: 150, devices.MDCPulsOximSatO2: 93})
	if s := w.e.State(); len(s.Alarms) != 0 {
		t.Errorf("neonate HR 150 SpO2 93: %v", ids(s))
	}
	if err := w.e.SetLimits(HR, Limits{Low: 100, High: 140}, "dr.x"); err != nil {
		t.Fatal(err)
	}
	w.until("hr-high", time.Minute, map[uint32]float64{devices.MDCECGHeartRate: 150})
	w.mustAlarm("hr-high")
	for _, bad := range []Limits{{Low: 120, High: 100}, {Low: 100, High: 100}, {ExtremeLow: 90, Low: 80}, {Low: -1}} {
		if err := w.e.SetLimits(HR, bad, "dr.x"); !errors.Is(err, ErrLimits) {
			t.Errorf("SetLimits(%+v) = %v, want ErrLimits", bad, err)
		}
	}
	var changes int
	for _, en := range w.journal() {
		if en.Action == LimitsChanged && en.User == "dr.x" {
			changes++
		}
	}
	if changes != 2 {
		t.Errorf("%d limit changes journalled, want 2", changes)
	}
}

func TestUnits(t *testing.T) {
	w := newWard(t, Adult)
	// 5.3 kPa is 40 mmHg: normal; 104 °F is 40 °C: fever.
	for range 15 {
		w.step(time.Second)
		for _, n := range []devices.Numeric{
			{Code: MDCAwayCO2EndTidal, Value: 5.3, Unit: "kPa", Time: w.now},
			{Code: MDCTempBody, Value: 104, Unit: "[degF]", Time: w.now},
		} {
			if err := w.e.Numeric(n); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := ids(w.e.State()); !slices.Equal(got, []string{"temp-high"}) {
		t.Errorf("alarms %v, want temp-high only", got)
	}
	err := w.e.Numeric(devices.Numeric{Code: MDCTempBody, Value: 300, Unit: "K", Time: w.now})
	if !errors.Is(err, ErrUnit) {
		t.Errorf("kelvin: %v, want ErrUnit", err)
	}
}

func TestJournalErrorIsReturned(t *testing.T) {
	w := newWard(t, Adult)
	w.fail = errDisk
	err := w.e.StorageTrouble(false, "full", w.now)
	if !errors.Is(err, errDisk) {
		t.Errorf("StorageTrouble with a failing journal: %v, want the journal's error", err)
	}
}

func TestStyles(t *testing.T) {
	tests := []struct {
		p        devices.Priority
		colour   string
		min, max float64
		sound    string
	}{
		{devices.High, "red", 1.4, 2.8, "alarm-high.wav"},
		{devices.Medium, "yellow", 0.4, 0.8, "alarm-medium.wav"},
		{devices.Low, "cyan", 0, 0, "alarm-low.wav"},
	}
	for _, tc := range tests {
		s := StyleOf(tc.p)
		if s.ColourName != tc.colour || s.FlashHz < tc.min || s.FlashHz > tc.max || s.Sound != tc.sound {
			t.Errorf("%s: %+v", PriorityName(tc.p), s)
		}
	}
}

// TestConcurrentUse drives the engine from several goroutines; run with
// -race where cgo is available.
func TestConcurrentUse(t *testing.T) {
	w := newWard(t, Adult)
	var mu sync.Mutex
	now := t0
	w.e.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				mu.Lock()
				now = now.Add(10 * time.Millisecond)
				at := now
				mu.Unlock()
				switch g {
				case 0:
					_ = w.e.Numeric(devices.Numeric{Code: devices.MDCECGHeartRate, Value: float64(60 + i%100), Time: at})
				case 1:
					_ = w.e.Tick(at)
				case 2:
					_ = w.e.AcknowledgeAll("n")
					_ = w.e.PauseAudio("n")
				default:
					_ = w.e.State()
					_ = w.e.Chunk("x", &devices.Chunk{Signal: "I", HostTime: at, Flags: devices.ChunkFlags(i % 2 * 2)})
				}
			}
		}()
	}
	wg.Wait()
}
