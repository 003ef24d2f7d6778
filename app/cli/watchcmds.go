package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"telewave/app"
)

// UsageWatch is the `telewave watch` line of the usage text.
const UsageWatch = "watch DIR [--store DIR] [--interval 2s] [--move] [--once] [--for D] [--json]   (imports the ECG cart files that appear in DIR, each content once, until SIGINT; --move puts them in DIR/done, DIR/rejected and, when no patient matches, DIR/unmatched)"

// watchLine is one --json line: an app.ImportEvent.
type watchLine struct {
	Path        string `json:"path"`
	Outcome     string `json:"outcome"`
	Format      string `json:"format,omitempty"`
	RecordingID int64  `json:"recording,omitempty"`
	PatientID   int64  `json:"patient,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// RunWatch is `telewave watch DIR`: it runs an app.WatchFolder on DIR
// until SIGINT/SIGTERM (or --for D), printing one line per file decided.
// --once polls long enough to take in the files already settled, then
// exits: non-zero when any file was rejected or failed.
func RunWatch(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	interval := fs.Duration("interval", app.DefaultWatchInterval, "time between polls of the folder")
	move := fs.Bool("move", false, "move decided files to DIR/done or DIR/rejected")
	once := fs.Bool("once", false, "take in the files there now, then exit")
	limit := fs.Duration("for", 0, "stop after this long (0: until SIGINT)")
	asJSON := fs.Bool("json", false, "one JSON object a line")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("watch DIR")
	}
	if *interval <= 0 || *interval > time.Minute {
		return usagef("--interval %v: want more than 0 and at most 1m", *interval)
	}
	s, _, err := openStore(ctx, env, storeDir(env, *dirFlag))
	if err != nil {
		return err
	}
	defer s.Close()

	var refused, held int
	var printErr error
	w := &app.WatchFolder{Dir: pos[0], Store: s, Interval: *interval, Move: *move}
	w.OnEvent = func(ev app.ImportEvent) {
		switch ev.Outcome {
		case app.FileImported:
			// As `telewave import` does: fold the new chunks into blocks.
			if _, err := s.Compact(ctx, time.Now().Add(time.Hour), 0); err != nil {
				ev.Reason = "compact: " + err.Error()
			}
		case app.FileRejected, app.FileFailed:
			refused++
		case app.FileNeedsPatient:
			held++
		}
		if *asJSON {
			b, _ := json.Marshal(watchLine(ev)) // plain strings and ints always marshal
			_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
		} else {
			_, err = fmt.Fprintln(env.Stdout, ev.String())
		}
		if err != nil && printErr == nil {
			printErr = err
		}
	}
	if *once {
		// Two polls an interval apart: a file settles when it is the same
		// at both.
		w.Poll(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(*interval):
		}
		w.Poll(ctx)
		if printErr != nil {
			return printErr
		}
		if refused > 0 || held > 0 {
			return fmt.Errorf("watch %s: %d file(s) not imported, %d waiting for a clinician to choose the patient", pos[0], refused, held)
		}
		return nil
	}
	ctx, stop := untilStopped(ctx, *limit)
	defer stop()
	if err := w.Serve(ctx); err != nil {
		return err
	}
	return printErr
}
