package alarms

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// ward is an engine on a fake clock with a recording journal.
type ward struct {
	t       testing.TB
	e       *Engine
	now     time.Time
	mu      sync.Mutex
	entries []Entry
	fail    error // returned by the journal when set
}

func newWard(t testing.TB, age AgeGroup) *ward {
	t.Helper()
	w := &ward{t: t, now: t0}
	e, err := New(Config{Now: func() time.Time { return w.now }, Journal: JournalFunc(w.record), Age: age})
	if err != nil {
		t.Fatal(err)
	}
	w.e = e
	return w
}

func (w *ward) record(en Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.entries = append(w.entries, en)
	return w.fail
}

func (w *ward) journal() []Entry {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Entry(nil), w.entries...)
}

// step advances the clock by d and ticks.
func (w *ward) step(d time.Duration) {
	w.t.Helper()
	w.now = w.now.Add(d)
	if err := w.e.Tick(w.now); err != nil {
		w.t.Fatal(err)
	}
}

// numeric feeds one valid value of code at the current time.
func (w *ward) numeric(code uint32, v float64) {
	w.t.Helper()
	if err := w.e.Numeric(devices.Numeric{Code: code, Value: v, Time: w.now}); err != nil {
		w.t.Fatal(err)
	}
}

// vitals feeds one set of values per second for d, as a monitor does:
// each value is fed, then the engine ticks.
func (w *ward) vitals(d time.Duration, values map[uint32]float64) {
	w.t.Helper()
	for end := w.now.Add(d); w.now.Before(end); {
		w.step(time.Second)
		for code, v := range values {
			w.numeric(code, v)
		}
	}
}

// until feeds values each second until alarm id is shown or limit
// passes, and returns how long it took (or -1).
func (w *ward) until(id string, limit time.Duration, values map[uint32]float64) time.Duration {
	w.t.Helper()
	start := w.now
	for w.now.Sub(start) < limit {
		w.step(time.Second)
		for code, v := range values {
			w.numeric(code, v)
		}
		if _, ok := w.alarm(id); ok {
			return w.now.Sub(start)
		}
	}
	return -1
}

func (w *ward) alarm(id string) (Alarm, bool) {
	for _, a := range w.e.State().Alarms {
		if a.ID == id {
			return a, true
		}
	}
	return Alarm{}, false
}

func (w *ward) mustAlarm(id string) Alarm {
	w.t.Helper()
	a, ok := w.alarm(id)
	if !ok {
		w.t.Fatalf("alarm %s not shown; shown: %v", id, ids(w.e.State()))
	}
	return a
}

func ids(s State) []string {
	var out []string
	for _, a := range s.Alarms {
		out = append(out, a.ID)
	}
	return out
}

// actions returns the journal's actions for alarm id.
func (w *ward) actions(id string) []Action {
	var out []Action
	for _, en := range w.journal() {
		if en.AlarmID == id {
			out = append(out, en.Action)
		}
	}
	return out
}

// normalAdult are resting adult values.
func normalAdult() map[uint32]float64 {
	return map[uint32]float64{
		devices.MDCECGHeartRate: 72, devices.MDCPulsOximPulsRt: 72, devices.MDCPulsOximSatO2: 97,
		MDCRespRate: 14, MDCTempBody: 36.8, MDCAwayCO2EndTidal: 38,
		MDCABPSys: 120, MDCABPDia: 75, MDCABPMean: 90,
	}
}

func with(m map[uint32]float64, code uint32, v float64) map[uint32]float64 {
	out := map[uint32]float64{}
	for k, x := range m {
		out[k] = x
	}
	out[code] = v
	return out
}

// jitter returns normal values with physiological noise.
func jitter(r *rand.Rand) map[uint32]float64 {
	m := normalAdult()
	for k, v := range m {
		switch k {
		case devices.MDCPulsOximSatO2:
			m[k] = min(100, v+float64(r.IntN(4)-1))
		case MDCTempBody:
			m[k] = v + r.Float64()*0.4 - 0.2
		default:
			m[k] = v * (1 + (r.Float64()-0.5)*0.2)
		}
	}
	return m
}

var errDisk = errors.New("disk full")
