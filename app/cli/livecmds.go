package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"telewave/app"
	"telewave/devices"
	"telewave/sync/live/share"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
)

// UsageShare is the `telewave share` line of the usage text.
const UsageShare = "share --relay URL --port P --protocol D [--patient MRN] [--patient-name N] [--expires 30m] [--admit ask|all]   (prints the invite link as its first line, streams the device until SIGINT; --admit all admits whoever holds the link)"

// UsageJoin is the `telewave join` line of the usage text.
const UsageJoin = "join LINK [--json --seconds N] [--name N] [--wait 5m]   (--json prints what the share sends as NDJSON, as capture does; without it opens a viewer window)"

// ErrNeedsWindow is what RunJoin returns without --json: the caller opens
// the viewer window instead.
var ErrNeedsWindow = errors.New("join without --json opens a viewer window")

// RunShare is `telewave share`: it shares one device headless through a
// relay. The invite link is the first line on stdout; knocks, admissions
// and the audit trail go to stderr.
func RunShare(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("share", flag.ContinueOnError)
	relayURL := fs.String("relay", "", "relay base URL, http(s)://host:port")
	port := fs.String("port", "", "serial port or pty path")
	protocol := fs.String("protocol", "", "device protocol")
	mrn := fs.String("patient", "", "patient MRN shown to viewers")
	patientName := fs.String("patient-name", "", "patient name shown to viewers")
	expires := fs.Duration("expires", share.DefaultExpires, "how long the invite admits new viewers")
	admit := fs.String("admit", "ask", "ask: answer each knock on the terminal; all: admit every knock")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *relayURL == "" || *port == "" || *protocol == "":
		return usagef("--relay, --port and --protocol are required")
	case *admit != "ask" && *admit != "all":
		return usagef("--admit %q: want ask or all", *admit)
	case *expires <= 0:
		return usagef("--expires must be above 0")
	case *admit == "ask" && !isTerminal(env.Stdin):
		return usagef("--admit ask answers knocks on a terminal and stdin is none; --admit all admits everyone who holds the link")
	}
	drv, err := app.Registry().Driver(*protocol)
	if err != nil {
		return err
	}
	ctx, stop := untilStopped(ctx, 0)
	defer stop()

	knocks := make(chan share.Knocker, 64)
	var errMu sync.Mutex
	cfg := share.Config{
		Relay:   *relayURL,
		Expires: *expires,
		Patient: wire.Patient{Name: *patientName, MRN: *mrn},
		OnKnock: func(k share.Knocker) {
			select {
			case knocks <- k:
			default: // a flood of knocks: the rest wait for a re-knock
			}
		},
		OnChange: linkPrinter(env.Stderr, &errMu),
		Audit: func(action, detail string) {
			errMu.Lock()
			fmt.Fprintf(env.Stderr, "audit: %s %s\n", action, detail)
			errMu.Unlock()
		},
	}
	s, err := share.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.End()
	if _, err := fmt.Fprintln(env.Stdout, s.Link()); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		answerKnocks(ctx, env, s, knocks, *admit == "all", &errMu)
	}()
	sup := devices.NewSupervisor(*port, drv, app.SerialOpener, func(m devices.Message) { s.Publish(drv.Protocol(), m) })
	sup.Serve(ctx)
	wg.Wait()
	s.End()
	st := s.Status()
	fmt.Fprintf(env.Stderr, "share ended: %d frames, %d bytes sent, %d frames dropped\n", st.FramesSent, st.BytesSent, st.FramesDropped)
	return nil
}

// linkPrinter tells stderr when the link to the relay changes state.
func linkPrinter(w io.Writer, mu *sync.Mutex) func(share.Status) {
	last := share.Connected
	return func(st share.Status) {
		if st.Link == last || st.Link == share.Ended {
			return
		}
		last = st.Link
		mu.Lock()
		defer mu.Unlock()
		if st.LinkError != "" {
			fmt.Fprintf(w, "relay link %s: %s\n", st.Link, st.LinkError)
		} else {
			fmt.Fprintf(w, "relay link %s\n", st.Link)
		}
	}
}

// answerKnocks admits each knock (--admit all) or asks on the terminal,
// one knock at a time: "y" admits, anything else turns the viewer away.
func answerKnocks(ctx context.Context, env Env, s *share.Share, knocks <-chan share.Knocker, all bool, mu *sync.Mutex) {
	var lines <-chan string
	if !all {
		lines = readLines(ctx, env.Stdin)
	}
	say := func(format string, a ...any) {
		mu.Lock()
		fmt.Fprintf(env.Stderr, format, a...)
		mu.Unlock()
	}
	for {
		var k share.Knocker
		select {
		case <-ctx.Done():
			return
		case k = <-knocks:
		}
		if all {
			say("knock: viewer %d %q (%s), admitted\n", k.ID, k.Name, k.Client)
			if err := s.Admit(k.ID); err != nil {
				say("admit viewer %d: %v\n", k.ID, err)
			}
			continue
		}
		say("knock: viewer %d %q (%s) — admit? [y/N] ", k.ID, k.Name, k.Client)
		var answer string
		select {
		case <-ctx.Done():
			return
		case answer = <-lines:
		}
		var err error
		if a := strings.ToLower(strings.TrimSpace(answer)); a == "y" || a == "yes" {
			err = s.Admit(k.ID)
		} else {
			err = s.Deny(k.ID)
		}
		if err != nil {
			say("viewer %d: %v\n", k.ID, err)
		}
	}
}

// readLines hands out stdin's lines. The reading goroutine ends at EOF;
// a terminal still open at the end of the share leaves it blocked in
// Read until the process exits, which is when a terminal's stdin closes.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	c := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case c <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return c
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// RunJoin is `telewave join LINK --json`: it knocks, waits to be admitted
// and prints what the share sends as NDJSON for --seconds (0: until
// SIGINT or the share ends). Without --json it returns ErrNeedsWindow.
func RunJoin(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("join", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the stream as NDJSON instead of opening a window")
	seconds := fs.Float64("seconds", 0, "stop after N seconds once admitted (0: until interrupted)")
	name := fs.String("name", "", "the name the clinician sees (default $TELEWAVE_USER or \"Telewave viewer\")")
	wait := fs.Duration("wait", view.DefaultAdmitWait, "how long to wait to be admitted")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one invite link expected")
	}
	if *seconds < 0 || *wait <= 0 {
		return usagef("--seconds and --wait must not be negative")
	}
	if !*asJSON {
		return ErrNeedsWindow
	}
	if *name == "" {
		*name = env.Getenv("TELEWAVE_USER")
	}
	if *name == "" {
		*name = "Telewave viewer"
	}
	ctx, stop := untilStopped(ctx, 0)
	defer stop()
	sess, err := view.JoinWith(ctx, pos[0], view.Options{Name: *name, AdmitWait: *wait})
	if err != nil {
		return err
	}
	defer sess.Close()
	p := sess.Patient()
	fmt.Fprintf(env.Stderr, "admitted: patient %s (MRN %s)\n", p.Name, p.MRN)
	ctx, stopTimer := untilStopped(ctx, time.Duration(*seconds*float64(time.Second)))
	defer stopTimer()
	out := &ndjson{w: env.Stdout}
	for {
		select {
		case <-ctx.Done():
			sess.Close()
			return out.Err()
		case m, ok := <-sess.Messages():
			if !ok {
				if err := sess.Err(); err != nil {
					return fmt.Errorf("join: %w", err)
				}
				return out.Err()
			}
			out.write(m.Device, m.Msg)
		}
	}
}
