package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"telewave/alarms"
	"telewave/devices"
)

// AnalysisSlot is the device slot under which the analysis publishes what
// it derives (heart rate, pulse rate, beats) back onto the hub.
const AnalysisSlot = "analysis"

// EventBeat is the code of the beat events the analysis publishes, one per
// detected QRS complex (Priority Info): screens and the event log should
// not show them as news.
const EventBeat = "qrs-beat"

// storageHold is how long after the last storage error the storage
// technical alarm stays: the recorder repeats its error at every flush
// (500 ms) and compaction every minute while the fault lasts.
const storageHold = 90 * time.Second

// lossHold is how long the "analysis fell behind" alarm stays after the
// last lost message.
const lossHold = 10 * time.Second

// AnalysisConfig sets up the live analysis of one bedside.
type AnalysisConfig struct {
	// Publish receives the derived numerics and beat events (Hub.Publish);
	// nil drops them.
	Publish func(Envelope)
	// Store keeps the alarm history; nil keeps none (no store open).
	Store     AlarmStore
	PatientID int64 // written with every alarm history entry
	Now       func() time.Time
	Age       alarms.AgeGroup
	Policy    *alarms.Policy // alarms.DefaultPolicy when nil
}

// Analysis is the workstation's live analysis: QRS detection and heart
// rate from the ECG, pulse rate from the pleth, lead quality, asystole and
// the alarm engine fed with every numeric, event and chunk of every
// device. Serve runs it on one goroutine; Alarms, NEWS2 and the user
// actions may be called from any goroutine (the UI's) and never wait on
// the disk.
type Analysis struct {
	cfg     AnalysisConfig
	policy  alarms.Policy
	engine  *alarms.Engine
	journal *alarmJournal

	// owned by the Serve goroutine
	devs       map[string]*deviceAnalysis
	dropped    uint64
	lostAt     time.Time
	lossShown  bool
	storageAt  time.Time
	storageMsg string
	storageOn  bool
	badUnits   map[string]bool

	mu     sync.Mutex
	latest map[numericKey]devices.Numeric // valid values, for NEWS2
}

type numericKey struct {
	slot string
	code uint32
}

// NewAnalysis returns an analysis with the default alarm limits of
// cfg.Age; nothing runs until Serve.
func NewAnalysis(cfg AnalysisConfig) (*Analysis, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Analysis{cfg: cfg, policy: alarms.DefaultPolicy(), devs: map[string]*deviceAnalysis{},
		badUnits: map[string]bool{}, latest: map[numericKey]devices.Numeric{}}
	if cfg.Policy != nil {
		a.policy = *cfg.Policy
	}
	a.journal = newAlarmJournal(cfg.Store, cfg.PatientID)
	e, err := alarms.New(alarms.Config{Now: cfg.Now, Journal: a.journal, Age: cfg.Age, Policy: &a.policy})
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	a.engine = e
	return a, nil
}

// Serve analyses the messages of sub until ctx ends, ticks the alarm
// engine once a second and writes the alarm history to the store. It
// returns nil when ctx ends, after the history still queued is written.
func (a *Analysis) Serve(ctx context.Context, sub *Subscription) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.journal.run(ctx)
	}()
	defer wg.Wait()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case e := <-sub.C:
			a.checkLoss(sub)
			a.handle(e)
		case <-t.C:
			a.tick(a.cfg.Now())
		case <-ctx.Done():
			return nil
		}
	}
}

// Engine returns the alarm engine, for limit settings.
func (a *Analysis) Engine() *alarms.Engine { return a.engine }

// Alarms returns what the alarm bar shows and plays now.
func (a *Analysis) Alarms() alarms.State { return a.engine.State() }

// Acknowledge acknowledges one alarm for user.
func (a *Analysis) Acknowledge(id, user string) error { return a.engine.Acknowledge(id, user) }

// AcknowledgeAll acknowledges every alarm shown, for user.
func (a *Analysis) AcknowledgeAll(user string) error { return a.engine.AcknowledgeAll(user) }

// PauseAudio silences the alarms sounding now for the policy's pause (2
// minutes by default), for user.
func (a *Analysis) PauseAudio(user string) error { return a.engine.PauseAudio(user) }

// handle takes one hub message.
func (a *Analysis) handle(e Envelope) {
	if e.Device == AnalysisSlot {
		return // our own numerics and beats, already fed to the engine
	}
	d := a.device(e.Device)
	switch m := e.Msg.(type) {
	case *devices.Signal:
		if old := d.ecg; old != nil {
			if d.declare(*m); d.ecg == nil {
				a.ecgGap(d.slot, old, a.cfg.Now())
			}
		} else {
			d.declare(*m)
		}
	case *devices.Chunk:
		a.engine.Chunk(e.Device, m) // never fails: the journal is asynchronous
		a.chunk(d, m)
	case *devices.Numeric:
		a.numeric(d, *m)
	case *devices.Event:
		a.event(d, *m)
	case *devices.State:
		if m.State == devices.Disconnected || m.State == devices.Stopped {
			a.restart(d, m.Time)
		}
	}
}

// restart forgets d's streams; their technical conditions end.
func (a *Analysis) restart(d *deviceAnalysis, at time.Time) {
	if at.IsZero() {
		at = a.cfg.Now()
	}
	if d.ecg != nil {
		a.ecgGap(d.slot, d.ecg, at)
	}
	d.restart()
}

func (a *Analysis) device(slot string) *deviceAnalysis {
	d := a.devs[slot]
	if d == nil {
		d = newDeviceAnalysis(slot)
		a.devs[slot] = d
	}
	return d
}

func (a *Analysis) numeric(d *deviceAnalysis, n devices.Numeric) {
	d.sent(n)
	a.remember(d.slot, n)
	if err := a.engine.Numeric(n); err != nil && errors.Is(err, alarms.ErrUnit) {
		key := fmt.Sprintf("%s/%d/%s", d.slot, n.Code, n.Unit)
		if !a.badUnits[key] {
			a.badUnits[key] = true
			a.publish(&devices.Event{Kind: devices.Technical, Code: "analysis-unit", Priority: devices.Low, Time: n.Time,
				Text: fmt.Sprintf("%s of %s is not judged for alarms: %v", n.Label, d.slot, err)})
		}
	}
}

// remember keeps the latest valid value of each code per slot for NEWS2.
func (a *Analysis) remember(slot string, n devices.Numeric) {
	if n.Code == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	k := numericKey{slot, n.Code}
	if n.Status != devices.Valid || n.Value != n.Value {
		delete(a.latest, k)
		return
	}
	a.latest[k] = n
}

func (a *Analysis) event(d *deviceAnalysis, ev devices.Event) {
	a.engine.Event(d.slot, ev)
	switch ev.Code {
	case devices.EventLeadOff:
		d.leadOff = true
	case alarms.EventLeadOn:
		d.leadOff = false
	case devices.EventDisconnected:
		a.restart(d, ev.Time)
	case "storage-error", "storage-overflow", "recording-loss":
		at := ev.Time
		if at.IsZero() {
			at = a.cfg.Now()
		}
		a.storageAt, a.storageMsg = at, ev.Text
		a.judgeStorage(at)
	}
}

// tick runs the engine's clock and ends the analysis's own technical
// conditions that ran out.
func (a *Analysis) tick(now time.Time) {
	a.judgeStorage(now)
	if a.lossShown && now.Sub(a.lostAt) > lossHold {
		a.lossShown = false
		a.engine.Condition(lossSpec(0), false, now)
	}
	a.engine.Tick(now)
}

// judgeStorage raises or ends the storage alarm from the recorder's
// errors and the alarm history's own writes.
func (a *Analysis) judgeStorage(now time.Time) {
	jfail, jdetail := a.journal.trouble()
	on := jfail || (!a.storageAt.IsZero() && now.Sub(a.storageAt) <= storageHold)
	if on == a.storageOn {
		return
	}
	a.storageOn = on
	detail := a.storageMsg
	if jfail {
		detail = "alarm history: " + jdetail
	}
	a.engine.StorageTrouble(!on, detail, now)
}

// checkLoss notices messages the hub dropped for us: the signals have a
// hole, so every stream starts afresh, and a technical alarm says so.
func (a *Analysis) checkLoss(sub *Subscription) {
	d := sub.Dropped()
	if d == a.dropped {
		return
	}
	lost := d - a.dropped
	a.dropped = d
	now := a.cfg.Now()
	for _, dev := range a.devs {
		a.restart(dev, now)
	}
	a.lostAt, a.lossShown = now, true
	a.engine.Condition(lossSpec(lost), true, now)
}

func lossSpec(lost uint64) alarms.Spec {
	text := "Alarm analysis fell behind"
	if lost > 0 {
		text += fmt.Sprintf(": %d device messages not analysed", lost)
	}
	return alarms.Spec{ID: "analysis-loss", Kind: devices.Technical, Priority: devices.Medium, Text: text, Source: AnalysisSlot}
}

func (a *Analysis) publish(m devices.Message) {
	if a.cfg.Publish != nil {
		a.cfg.Publish(Envelope{Device: AnalysisSlot, Msg: m})
	}
}
