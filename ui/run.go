package ui

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/audio"
	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
	"telewave/sync/fhir"
	"telewave/ui/paper"
	"telewave/ui/render"
	"telewave/ui/render/backend"
)

// AppID is the application id, as in FyneApp.toml.
const AppID = "org.telewave.workstation"

// Options are the GUI's command-line settings.
type Options struct {
	Demo       bool
	StoreDir   string
	EHR        string
	MRNSystem  string
	ChartEvery time.Duration
	Records    fs.FS // holds the demo's MIT-BIH record
	FPS        int
	// IdleLock is how long the workstation waits without pointer or key
	// activity before it locks the store (0: defaultIdleLock; negative:
	// never). A live monitor screen never locks.
	IdleLock time.Duration
	// Stethoscope listens to the sound card's input (a digital
	// stethoscope's line or USB audio) while monitoring.
	Stethoscope bool
	// Render is the waveform rasterizer: "auto" (default: gl on a hardware
	// renderer, else cpu), "gl" or "cpu".
	Render string
	// Relay is the telehealth relay shares connect out to (the Telehealth
	// tab can change it); empty: viewers on this machine only.
	Relay string
	// ConfigPath is the configuration file (EHR settings); the flags above
	// override what it says. Empty: app.DefaultConfigPath.
	ConfigPath string
}

// Run opens the workstation window and returns when it is closed.
func Run(opts Options) error {
	if opts.Render == "" {
		opts.Render = "auto"
	}
	if err := useRasterizer(opts.Render); err != nil {
		return err
	}
	ehr, clientOpts := loadEHRConfig(&opts)
	a := fyneapp.NewWithID(AppID)
	w := a.NewWindow("Telewave")
	w.Resize(fyne.NewSize(1200, 800))
	s := newSession(w, opts)
	s.ehr, s.clientOpts = ehr, clientOpts
	// SIGINT/SIGTERM: Fyne's desktop driver catches both and quits the
	// app like the user closing the window, so ShowAndRun returns and the
	// recorder writes what it holds and the store closes cleanly. A second
	// handler here raced it: a Quit that arrived after the driver had shut
	// down ran off the main thread and panicked (seen once in CI).
	// A cart file dropped on the window is imported off the UI thread
	// (once: the store remembers every file's content).
	s.drop = &DropImporter{Win: w, Ctx: s.ctx, Store: func() app.CartImportStore {
		if s.store == nil { // a nil *sqlite.Store in the interface is not nil
			return nil
		}
		return s.store
	}}
	w.SetOnDropped(s.drop.OnDropped)
	// The screen's physical size comes from the OS (xrandr) or the ruler
	// check in settings; until then the traces say "uncalibrated".
	go func() {
		scr := detectScreen(s.ctx)
		if s.ctx.Err() != nil {
			return
		}
		Do(func() {
			s.screen = scr
			if s.monitor != nil {
				s.monitor.setScreen(scr)
			}
		})
	}()
	s.begin()
	w.ShowAndRun()
	s.end()
	return nil
}

// useRasterizer makes one rasterizer for every display of the window,
// chosen on the first frame (GL needs the main loop running). It lives as
// long as the process (gl's own GLX context outlives Fyne's GLFW), which
// frees what GL held at exit.
func useRasterizer(name string) error {
	if name == "" {
		name = "auto"
	}
	shared, err := backend.New(name, fyne.DoAndWait, func(note string) {
		fmt.Fprintln(os.Stderr, "telewave: waveforms:", note)
	})
	if err != nil {
		return err
	}
	newRasterizer = func() render.Rasterizer { return shared }
	return nil
}

// session owns what the window shows over its life: the store once it is
// unlocked, the workstation while monitoring, the demo's simulators.
type session struct {
	win  fyne.Window
	opts Options
	ctx  context.Context
	stop context.CancelFunc

	store   *sqlite.Store
	demo    *app.Demo
	demoDB  *app.DemoStore
	ws      *app.Workstation
	monitor *monitorScreen

	audioOnce sync.Once
	audio     audio.Backend // opened on first use, off the UI thread
	audioErr  error

	user   storage.User // who unlocked the store; zero while locked
	params seal.Params  // Argon2id cost of new key slots
	idle   *idleLock    // nil while locked or monitoring
	leave  func()       // stops what the shown screen started
	drop   *DropImporter
	screen paper.Screen // the display's DPI; detected off the UI thread

	ehr        ehrConfig     // the configuration file's EHR settings
	clientOpts []fhir.Option // SMART, from those settings
}

// loadEHRConfig reads the configuration file and lays the command-line
// flags over it into opts. A damaged file keeps what it could read and
// the settings tab says what is wrong; a bad SMART setting leaves the EHR
// client without authorization and says so on stderr.
func loadEHRConfig(opts *Options) (ehrConfig, []fhir.Option) {
	path := opts.ConfigPath
	if path == "" {
		var err error
		if path, err = app.DefaultConfigPath(); err != nil {
			return ehrConfig{loadErr: err}, nil
		}
	}
	file, err := app.LoadConfigFile(path)
	cfg := ehrConfig{path: path, loadErr: err}
	cfg.settings = file.EHR.With(app.EHRSettings{BaseURL: opts.EHR, MRNSystem: opts.MRNSystem, ChartEvery: app.Duration(opts.ChartEvery)})
	opts.EHR, opts.MRNSystem = cfg.settings.BaseURL, cfg.settings.MRNSystem
	if opts.ChartEvery == 0 {
		opts.ChartEvery = 15 * time.Minute // a bedside charting round
		if cfg.settings.ChartEvery != 0 {
			opts.ChartEvery = cfg.settings.ChartInterval()
		}
	}
	co, err := cfg.settings.ClientOptions()
	if err != nil {
		fmt.Fprintln(os.Stderr, "telewave: EHR:", err)
	}
	return cfg, co
}

func newSession(w fyne.Window, opts Options) *session {
	ctx, cancel := context.WithCancel(context.Background())
	if opts.FPS <= 0 {
		opts.FPS = 30
	}
	if opts.IdleLock == 0 {
		opts.IdleLock = defaultIdleLock
	}
	return &session{win: w, opts: opts, ctx: ctx, stop: cancel, params: seal.DefaultParams,
		screen: paper.Screen{DPI: paper.DefaultDPI, Source: "default"}}
}

// begin shows the first screen: the demo straight away, else set-up on a
// new machine or the unlock screen.
func (s *session) begin() {
	if s.opts.Demo {
		s.show(busy("Starting the demo devices…"))
		go s.startDemo()
		return
	}
	if sqlite.Exists(s.opts.StoreDir) {
		s.show(s.unlockScreen())
	} else {
		s.show(s.setupScreen())
	}
}

func (s *session) startDemo() {
	db, err := app.OpenDemoStore(s.ctx)
	if err != nil {
		Do(func() { s.fail(err) })
		return
	}
	demo, specs, err := app.StartDemo(s.ctx, s.opts.Records)
	if err != nil {
		db.Close()
		Do(func() { s.fail(err) })
		return
	}
	s.demoDB, s.demo = db, demo
	steth, err := app.DemoStethoscope(s.opts.Records, app.DemoHeartSound)
	if err != nil { // the heart sound is embedded: a programming error
		db.Close()
		demo.Stop()
		Do(func() { s.fail(err) })
		return
	}
	in, out, remember := stethoscopeChoice()
	ws, err := app.NewWorkstation(app.Config{Store: db, User: db.User.Name, Patient: db.Patient, Devices: specs,
		ChartEvery: s.opts.ChartEvery, EHR: s.opts.EHR, MRNSystem: s.opts.MRNSystem, ClientOptions: s.clientOpts,
		Audio: s.openAudio, Stethoscope: steth, StethoscopeInput: in, StethoscopeOutput: out, OnStethoscopeDevices: remember})
	if err != nil {
		Do(func() { s.fail(err) })
		return
	}
	Do(func() { s.startMonitoring(ws) })
}

// startMonitoring runs on the UI thread: it builds the monitor screen,
// then starts the data path so the first messages find the display ready.
func (s *session) startMonitoring(ws *app.Workstation) {
	s.ws = ws
	s.monitor = newMonitorScreen(ws, s.opts.FPS, s.screen)
	switch {
	case s.store != nil:
		s.monitor.addRecordTabs(s.store, s.user, s.ehr)
	case s.demoDB != nil:
		s.monitor.addRecordTabs(s.demoDB.Store, s.demoDB.User, s.ehr)
	}
	s.monitor.addShareTab(s.ctx, s.opts.Relay)
	s.show(s.monitor.content())
	s.monitor.start(s.ctx)
	// Serial ports are polled off the UI thread; a plugged USB device whose
	// probe answers is attached, a replugged one follows its slot.
	ws.Discover(&app.Discovery{Registry: app.Registry()})
	ws.Start(s.ctx)
}

// monitorPatient starts a workstation for p with no device yet; the
// clinician adds devices on the monitor screen.
func (s *session) monitorPatient(user storage.User, p storage.Patient) {
	in, out, remember := stethoscopeChoice()
	ws, err := app.NewWorkstation(app.Config{Store: s.store, User: user.Name, Patient: p,
		ChartEvery: s.opts.ChartEvery, EHR: s.opts.EHR, MRNSystem: s.opts.MRNSystem, ClientOptions: s.clientOpts,
		Audio: s.openAudio, Stethoscope: s.stethoscope(), StethoscopeInput: in, StethoscopeOutput: out,
		OnStethoscopeDevices: remember})
	if err != nil {
		s.fail(err)
		return
	}
	s.startMonitoring(ws)
}

// Preference keys of the stethoscope's sound devices chosen last time.
const (
	prefStethInput  = "stethoscope-input"
	prefStethOutput = "stethoscope-output"
)

// stethoscopeChoice returns the stethoscope's input and output chosen in
// an earlier session (kept in the machine's preferences, like the screen's
// DPI: they describe this workstation's sound cards, not a patient) and a
// function that remembers a new choice.
func stethoscopeChoice() (input, output string, remember func(input, output string)) {
	a := fyne.CurrentApp()
	if a == nil {
		return "", "", nil
	}
	p := a.Preferences()
	return p.String(prefStethInput), p.String(prefStethOutput), func(in, out string) {
		p.SetString(prefStethInput, in)
		p.SetString(prefStethOutput, out)
	}
}

// stethoscope is the stethoscope's sound card when one is wanted.
func (s *session) stethoscope() func() (audio.Backend, error) {
	if !s.opts.Stethoscope {
		return nil
	}
	return s.openAudio
}

// openAudio opens the OS's sound output once (miniaudio; a machine without
// a sound card gets miniaudio's null device); it runs off the UI thread.
func (s *session) openAudio() (audio.Backend, error) {
	s.audioOnce.Do(func() { s.audio, s.audioErr = audio.System() })
	return s.audio, s.audioErr
}

// show replaces the window's content; what the previous screen started
// (a review's loader) is stopped first. Showing a screen is activity.
func (s *session) show(c fyne.CanvasObject) {
	if s.leave != nil {
		s.leave()
		s.leave = nil
	}
	s.touch()
	s.win.SetContent(s.watchActivity(c))
}

func (s *session) fail(err error) {
	s.show(container.NewCenter(widget.NewLabel(fmt.Sprintf("Telewave cannot start: %v", err))))
}

// end stops everything in order: the display, the data path (the recorder
// writes what it holds), the simulators, the store.
func (s *session) end() {
	s.stopIdle()
	if s.leave != nil {
		s.leave()
		s.leave = nil
	}
	if s.monitor != nil {
		s.monitor.stop()
	}
	if s.ws != nil {
		s.ws.Close()
	}
	s.stop()
	if s.demo != nil {
		s.demo.Stop()
	}
	if s.demoDB != nil {
		s.demoDB.Close()
	}
	if s.drop != nil {
		s.drop.Wait()
	}
	if s.store != nil {
		s.store.Close()
	}
	if s.audio != nil {
		s.audio.Close()
	}
}

func busy(text string) fyne.CanvasObject {
	bar := widget.NewProgressBarInfinite()
	return container.NewCenter(container.NewVBox(widget.NewLabel(text), bar))
}
