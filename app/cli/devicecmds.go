package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"telewave/app"
	"telewave/devices"
	"telewave/devices/devicetest"
	"telewave/devices/openbci"
	"telewave/devices/serialport"
	"telewave/devices/sim"
)

// untilStopped ends ctx on SIGINT/SIGTERM or after d (0: no limit).
func untilStopped(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	if d <= 0 {
		return ctx, stop
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}

func simSource(env Env, protocol, spec string) (sim.Source, error) {
	kind, path := splitSource(spec)
	switch kind {
	case "", "default":
		if protocol == openbci.Protocol && env.Records != nil {
			return app.RecordSource(env.Records, app.DemoRecord)
		}
		return nil, nil
	case "synthetic":
		return nil, nil
	case "mitdb":
		if path == "" {
			return app.RecordSource(env.Records, app.DemoRecord)
		}
		return app.RecordSource(os.DirFS("/"), trimRoot(absPath(path)))
	}
	return nil, usagef("--source %q: want synthetic or mitdb:PATH/RECORD", spec)
}

func absPath(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	return wd + "/" + p
}

func trimRoot(p string) string {
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	return p
}

func runSimulate(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	source := fs.String("source", "", "waveform: synthetic or mitdb:PATH/RECORD")
	speed := fs.Float64("speed", 1, "playback speed, 1 = real time")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	link := fs.String("link", "", "keep a stable symlink to the pty at this path")
	out := fs.String("out", "", "write the device's bytes to FILE instead of a pty")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one protocol expected")
	}
	protocol := pos[0]
	src, err := simSource(env, protocol, *source)
	if err != nil {
		return err
	}
	if *speed <= 0 {
		return usagef("--speed must be above 0")
	}
	runner, err := app.NewSimulator(protocol, src, *speed)
	if err != nil {
		return err
	}
	ctx, stop := untilStopped(ctx, *duration)
	defer stop()
	if *out != "" {
		if *duration <= 0 {
			return usagef("--out needs --duration")
		}
		return simulateToFile(ctx, protocol, runner, *out)
	}
	s, err := app.Simulate(ctx, protocol, runner, *link)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "port=%s\n", s.PTY)
	if *link != "" {
		fmt.Fprintf(env.Stdout, "link=%s\n", *link)
	}
	<-ctx.Done()
	if err := s.Stop(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// simulateToFile runs the simulator against the protocol's own driver
// over an in-memory link, so that two-way protocols (associations, polls,
// keep-alives) stream as they would to the workstation, and keeps the
// device's side of the conversation in a file: a capture that
// `telewave decode` reads back.
func simulateToFile(ctx context.Context, protocol string, runner app.SimRunner, path string) error {
	drv, err := app.Registry().Driver(protocol)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	devEnd, hostEnd := devicetest.Pipe()
	tee := &teePort{End: devEnd, w: f}
	simErr := make(chan error, 1)
	go func() { simErr <- runner.Run(ctx, tee) }()
	drvErr := make(chan error, 1)
	go func() { drvErr <- drv.Run(ctx, hostEnd, func(devices.Message) {}) }()
	<-ctx.Done()
	devEnd.Close()
	hostEnd.Close()
	err = errors.Join(ignoreEnd(<-simErr), ignoreEnd(<-drvErr))
	if cerr := f.Close(); cerr != nil {
		return fmt.Errorf("write %s: %w", path, cerr)
	}
	return err
}

func ignoreEnd(err error) error {
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	return err
}

// teePort is the device's end of the link, copying what the device writes.
type teePort struct {
	*devicetest.End
	w io.Writer
}

func (p *teePort) Write(b []byte) (int, error) {
	n, err := p.End.Write(b)
	if n > 0 {
		if _, werr := p.w.Write(b[:n]); werr != nil {
			return n, werr
		}
	}
	return n, err
}

// readOnly is a port made of a file: the driver's commands go nowhere.
type readOnly struct{ io.Reader }

func (readOnly) Write(b []byte) (int, error) { return len(b), nil }

func runDecode(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.Bool("json", true, "NDJSON output (always on)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return usagef("decode PROTOCOL [FILE|-]")
	}
	drv, err := app.Registry().Driver(pos[0])
	if err != nil {
		return err
	}
	in := env.Stdin
	if len(pos) == 2 && pos[1] != "-" {
		f, err := os.Open(pos[1])
		if err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		defer f.Close()
		in = f
	}
	out := &ndjson{w: env.Stdout}
	err = drv.Run(ctx, readOnly{in}, func(m devices.Message) { out.write("", m) })
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("decode %s: %w", pos[0], err)
	}
	return out.Err()
}

func runCapture(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	port := fs.String("port", "", "serial port or pty path")
	protocol := fs.String("protocol", "", "device protocol")
	seconds := fs.Float64("seconds", 0, "stop after N seconds (0: until interrupted)")
	fs.Bool("json", true, "NDJSON output (the default without --store)")
	storeDir := fs.String("store", "", "record into this store instead of printing")
	mrn := fs.String("patient", "", "patient MRN (with --store)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *port == "" || *protocol == "" {
		return usagef("--port and --protocol are required")
	}
	drv, err := app.Registry().Driver(*protocol)
	if err != nil {
		return err
	}
	ctx, stop := untilStopped(ctx, time.Duration(*seconds*float64(time.Second)))
	defer stop()
	if *storeDir != "" {
		return captureToStore(ctx, env, *storeDir, *mrn, drv, *port)
	}
	out := &ndjson{w: env.Stdout}
	sup := devices.NewSupervisor(*port, drv, app.SerialOpener, func(m devices.Message) { out.write("", m) })
	sup.Serve(ctx)
	return out.Err()
}

func captureToStore(ctx context.Context, env Env, dir, mrn string, drv devices.Driver, port string) error {
	if mrn == "" {
		return usagef("--store needs --patient MRN")
	}
	store, user, err := openStore(context.Background(), env, dir)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := store.PatientByMRN(ctx, mrn)
	if err != nil {
		return fmt.Errorf("patient: %w", err)
	}
	w, err := app.NewWorkstation(app.Config{Store: store, User: user.Name, Patient: p,
		Devices: []app.DeviceSpec{{Slot: drv.Protocol(), Driver: drv, Path: port}}})
	if err != nil {
		return err
	}
	w.Start(context.Background())
	<-ctx.Done()
	w.Close()
	for slot, id := range w.Recorder.Recordings() {
		fmt.Fprintf(env.Stdout, "recording=%d device=%s\n", id, slot)
	}
	return nil
}

func runDevices(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ports, err := serialport.List()
	if err != nil {
		return err
	}
	reg := app.Registry()
	type row struct {
		serialport.PortInfo
		Drivers []string `json:"drivers"`
	}
	rows := make([]row, 0, len(ports))
	for _, p := range ports {
		rows = append(rows, row{p, reg.Candidates(p.VID, p.PID)})
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "no serial ports found (a pty is not listed: give its path with --port)")
	}
	for _, r := range rows {
		fmt.Fprintf(env.Stdout, "%-20s %s:%s %-24s %v\n", r.Name, r.VID, r.PID, r.Product, r.Drivers)
	}
	return nil
}
