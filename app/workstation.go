package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"telewave/alarms"
	"telewave/audio"
	"telewave/devices"
	"telewave/dsp/audiofilter"
	"telewave/storage"
	"telewave/sync/fhir"
	"telewave/sync/outbox"
)

// Store is what the workstation needs of the record store.
type Store interface {
	ChunkStore
	ChartStore
	outbox.Queue
	RequeueInFlight(ctx context.Context) (int, error)
	OutboxStats(ctx context.Context) (storage.OutboxStats, error)
}

// Compactor is implemented by stores that move old live chunks into
// larger blocks (storage/sqlite); the workstation runs it in the background.
type Compactor interface {
	CompactBefore(ctx context.Context, before time.Time) error
}

// compactEvery is how often live chunks older than compactAfter are
// compacted while the workstation runs.
const (
	compactEvery = time.Minute
	compactAfter = 2 * time.Minute
)

// compactLoop compacts the store in the background, off the UI thread;
// a failure is a storage alarm, and the chunks stay live and readable.
func (w *Workstation) compactLoop(ctx context.Context, c Compactor) {
	t := time.NewTicker(compactEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := c.CompactBefore(ctx, w.cfg.Now().Add(-compactAfter)); err != nil && ctx.Err() == nil {
				w.alarm(devices.Event{Kind: devices.Technical, Code: "storage-error", Priority: devices.Medium, Time: w.cfg.Now(),
					Text: "compaction: " + err.Error()})
			}
		case <-ctx.Done():
			return
		}
	}
}

// Config sets up a workstation.
type Config struct {
	Store      Store
	User       string
	Patient    storage.Patient
	Devices    []DeviceSpec
	ChartEvery time.Duration // 0 = one minute
	EHR        string        // FHIR base URL; empty: work queues in the outbox
	// ClientOptions configure the EHR client (SMART Backend Services).
	ClientOptions []fhir.Option
	MRNSystem     string // identifier system of MRNs at the EHR
	Open          devices.Opener
	Now           func() time.Time
	// Audio opens the sound output for the alarm sounds, off the UI
	// thread; nil: silent (the alarm bar still shows and flashes).
	Audio func() (audio.Backend, error)
	// Stethoscope opens the stethoscope's sound card (input and
	// headphones); nil: no stethoscope.
	Stethoscope func() (audio.Backend, error)
	// StethoscopeInput and StethoscopeOutput are the device ids chosen last
	// time ("" = the system's default); OnStethoscopeDevices hears each new
	// choice so the caller can remember it for next time.
	StethoscopeInput, StethoscopeOutput string
	OnStethoscopeDevices                func(input, output string)
}

// SyncStatus is what the screen shows of the EHR link.
type SyncStatus struct {
	Configured bool
	EHR        string
	outbox.Status
	Queue storage.OutboxStats
}

// Workstation runs the data path of one bedside: supervised devices into
// the hub, and from it the recorder, charting, the monitor the screen
// reads and the sync to the EHR. Start it once; Close stops and waits.
type Workstation struct {
	cfg      Config
	Hub      *Hub
	Monitor  *Monitor
	Recorder *Recorder
	Charter  *Charter
	Drainer  *outbox.Drainer // nil without an EHR
	Analysis *Analysis       // beats, heart rate, alarms, NEWS2
	// Stethoscope is the live stethoscope; nil without one.
	Stethoscope *Stethoscope
	// Trends keeps this session's numerics for the trend view.
	Trends *Trends

	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup

	mu    sync.Mutex
	sups  map[string]*devices.Supervisor
	specs []DeviceSpec
	queue storage.OutboxStats

	discovery *Discovery
	client    *fhir.Client // nil without an EHR

	relayURL  string // the workstation's own relay for viewers, once started
	relayStop func()
}

// FHIR is the EHR client the sync uses (nil without an EHR): the sync
// screen searches the EHR's patients with it.
func (w *Workstation) FHIR() *fhir.Client { return w.client }

// NewWorkstation wires the services; nothing runs until Start.
func NewWorkstation(cfg Config) (*Workstation, error) {
	if cfg.Store == nil {
		return nil, errors.New("workstation: no store")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ChartEvery <= 0 {
		cfg.ChartEvery = time.Minute
	}
	if cfg.Open == nil {
		cfg.Open = SerialOpener
	}
	w := &Workstation{cfg: cfg, Hub: &Hub{}, Monitor: NewMonitor(), Trends: newTrends(), sups: map[string]*devices.Supervisor{}}
	as, _ := cfg.Store.(AlarmStore) // a store without alarm history gives nil: no history
	var err error
	// Default limits by age group from the birth date (adult when unknown);
	// the patient's saved profile replaces them once Start has loaded it.
	age, _ := alarms.AgeGroupAt(cfg.Patient.Birth, cfg.Now())
	if w.Analysis, err = NewAnalysis(AnalysisConfig{Publish: w.Hub.Publish, Store: as, PatientID: cfg.Patient.ID, Now: cfg.Now, Age: age}); err != nil {
		return nil, fmt.Errorf("workstation: %w", err)
	}
	if cfg.Stethoscope != nil {
		if w.Stethoscope, err = NewStethoscope(StethoscopeConfig{Audio: cfg.Stethoscope, Publish: w.Hub.Publish,
			Input: cfg.StethoscopeInput, Output: cfg.StethoscopeOutput, OnDevices: cfg.OnStethoscopeDevices,
			Mode: audiofilter.Diaphragm, Now: cfg.Now, PatientMRN: cfg.Patient.MRN, User: cfg.User}); err != nil {
			return nil, fmt.Errorf("workstation: %w", err)
		}
	}
	if w.Stethoscope != nil {
		w.Stethoscope.cfg.Clips, _ = cfg.Store.(ClipStore)
	}
	w.Recorder = NewRecorder(cfg.Store, cfg.Patient.ID, cfg.Now, w.alarm)
	if cfg.EHR != "" {
		client, err := fhir.NewClient(cfg.EHR, cfg.ClientOptions...)
		if err != nil {
			return nil, fmt.Errorf("workstation: %w", err)
		}
		var opts []fhir.SenderOption
		if cb, ok := cfg.Store.(fhir.ClipBinaries); ok { // a resend after a crash does not upload the audio again
			opts = append(opts, fhir.WithClipBinaries(cb))
		}
		w.client = client
		w.Drainer = &outbox.Drainer{Queue: cfg.Store, Sender: fhir.NewSender(client, fhir.Systems{MRN: cfg.MRNSystem}, opts...),
			Now: cfg.Now, Probe: client.Metadata}
	}
	w.Charter = NewCharter(cfg.Store, cfg.Patient.MRN, cfg.User, cfg.ChartEvery, cfg.Now, func(int64) {
		if w.Drainer != nil {
			w.Drainer.Kick()
		}
	})
	for _, d := range cfg.Devices {
		if err := w.AddDevice(d); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// AddDevice supervises one more device slot; on a running workstation it
// starts streaming at once.
func (w *Workstation) AddDevice(d DeviceSpec) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, dup := w.sups[d.Slot]; dup {
		return fmt.Errorf("device slot %q is taken", d.Slot)
	}
	w.Monitor.Declare(d.Slot, d.Driver.Protocol(), d.Path)
	s := devices.NewSupervisor(d.Path, d.Driver, w.cfg.Open, w.Hub.Emit(d.Slot), devices.WithClock(w.cfg.Now))
	w.sups[d.Slot] = s
	w.specs = append(w.specs, d)
	if w.ctx != nil {
		w.goServe(func() { s.Serve(w.ctx) })
	}
	return nil
}

// Devices lists the supervised device slots in the order they were added.
func (w *Workstation) Devices() []DeviceSpec {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]DeviceSpec(nil), w.specs...)
}

// Start runs every service until Close. It does no I/O itself, so the UI
// thread may call it.
func (w *Workstation) Start(ctx context.Context) {
	ctx, w.cancel = context.WithCancel(ctx)
	// Subscribe before any device runs so no first message is missed.
	rec := w.Hub.Subscribe("recorder", 1<<14)
	chart := w.Hub.Subscribe("charting", 1<<10)
	mon := w.Hub.Subscribe("monitor", 1<<12)
	ana := w.Hub.Subscribe("analysis", 1<<14)
	w.goServe(func() { w.Analysis.Serve(ctx, ana) })
	if w.cfg.Audio != nil {
		w.goServe(func() { w.serveAlarmSound(ctx) })
	}
	if w.Stethoscope != nil {
		w.goServe(func() { w.Stethoscope.Serve(ctx) })
	}
	if ps, ok := w.cfg.Store.(ProfileStore); ok && w.cfg.Patient.ID != 0 {
		w.goServe(func() {
			if err := w.Analysis.loadProfile(ctx, ps, w.cfg.Patient.ID); err != nil && ctx.Err() == nil {
				w.alarm(devices.Event{Kind: devices.Technical, Code: "alarm-limits", Priority: devices.Low, Time: w.cfg.Now(),
					Text: err.Error() + "; the default limits of the age group are in use"})
			}
		})
	}
	w.goServe(func() { w.Recorder.Serve(ctx, rec) })
	w.goServe(func() { w.Charter.Serve(ctx, chart, w.report) })
	w.goServe(func() { w.feed(ctx, mon, w.Monitor.Observe) })
	w.goServe(func() { w.pollQueue(ctx) })
	w.goServe(func() { w.serveTrends(ctx) })
	if c, ok := w.cfg.Store.(Compactor); ok {
		w.goServe(func() { w.compactLoop(ctx, c) })
	}
	// Start is called from the UI thread, which never waits on the disk:
	// units a crash left in flight go back to pending on the sync goroutine.
	w.goServe(func() {
		if _, err := w.cfg.Store.RequeueInFlight(ctx); err != nil {
			w.alarm(devices.Event{Kind: devices.Technical, Code: "storage-error", Priority: devices.High, Time: w.cfg.Now(), Text: err.Error()})
		}
		if w.Drainer != nil {
			w.Drainer.Serve(ctx)
		}
	})
	w.mu.Lock()
	w.ctx = ctx
	for _, s := range w.sups {
		w.goServe(func() { s.Serve(ctx) })
	}
	w.mu.Unlock()
	w.serveDiscovery(ctx)
}

func (w *Workstation) goServe(f func()) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f()
	}()
}

func (w *Workstation) feed(ctx context.Context, sub *Subscription, f func(Envelope)) {
	for {
		select {
		case e := <-sub.C:
			f(e)
		case <-ctx.Done():
			return
		}
	}
}

// pollQueue refreshes the outbox counts off the UI thread once a second.
func (w *Workstation) pollQueue(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if st, err := w.cfg.Store.OutboxStats(ctx); err == nil {
			w.mu.Lock()
			w.queue = st
			w.mu.Unlock()
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// Close stops every service and waits for them; the recorder writes what
// it holds before it returns.
func (w *Workstation) Close() {
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Lock()
	stop := w.relayStop
	w.relayStop = nil
	w.mu.Unlock()
	if stop != nil {
		stop()
	}
	w.wg.Wait()
}

// SetPort moves a device slot to another port path.
func (w *Workstation) SetPort(slot, path string) error {
	w.mu.Lock()
	s, ok := w.sups[slot]
	w.mu.Unlock()
	if !ok {
		return fmt.Errorf("no device slot %q", slot)
	}
	s.SetPath(path)
	return nil
}

// Sync returns the EHR link's state without touching disk or network.
func (w *Workstation) Sync() SyncStatus {
	w.mu.Lock()
	st := SyncStatus{Configured: w.Drainer != nil, EHR: w.cfg.EHR, Queue: w.queue}
	w.mu.Unlock()
	if w.Drainer != nil {
		st.Status = w.Drainer.Status()
	}
	return st
}

// User returns who is working at the workstation.
func (w *Workstation) User() string { return w.cfg.User }

// Patient returns the patient being monitored.
func (w *Workstation) Patient() storage.Patient { return w.cfg.Patient }

// alarm raises a technical condition of the workstation itself.
func (w *Workstation) alarm(e devices.Event) {
	w.Hub.Publish(Envelope{Device: "workstation", Msg: &e})
}

func (w *Workstation) report(err error) {
	w.alarm(devices.Event{Kind: devices.Technical, Code: "charting-error", Priority: devices.Medium, Time: w.cfg.Now(), Text: err.Error()})
}

// SetLink changes a device slot's serial settings; its port reopens with
// them at once.
func (w *Workstation) SetLink(slot string, l devices.Link) error {
	w.mu.Lock()
	s, ok := w.sups[slot]
	w.mu.Unlock()
	if !ok {
		return fmt.Errorf("no device slot %q", slot)
	}
	s.SetLink(l)
	return nil
}

// Link returns a device slot's serial settings.
func (w *Workstation) Link(slot string) (devices.Link, error) {
	w.mu.Lock()
	s, ok := w.sups[slot]
	w.mu.Unlock()
	if !ok {
		return devices.Link{}, fmt.Errorf("no device slot %q", slot)
	}
	return s.Link(), nil
}
