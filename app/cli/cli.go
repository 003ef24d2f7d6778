// Package cli implements telewave's headless subcommands (DESIGN §9). They
// print machine-readable output with --json, never prompt when stdin is not
// a terminal (the user comes from TELEWAVE_USER, the passphrase from
// TELEWAVE_PASSPHRASE), and report errors as one line on stderr.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Env is what a subcommand may touch: its streams, the environment and
// the embedded demo data. Tests fill it with buffers.
type Env struct {
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Getenv  func(string) string
	Records fs.FS // holds mitdb/100 for simulate --source mitdb:… defaults
}

// ErrUsage marks a command line that cannot be run as given.
var ErrUsage = errors.New("usage")

type command struct {
	usage string
	run   func(ctx context.Context, env Env, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"simulate": {"simulate PROTOCOL [--source mitdb:PATH/100|synthetic] [--speed X] [--duration D] [--link PATH] [--out FILE]", runSimulate},
		"decode":   {"decode PROTOCOL [FILE|-]", runDecode},
		"capture":  {"capture --port P --protocol D [--seconds N] [--json] [--store DIR --patient MRN]", runCapture},
		"devices":  {"devices [--json]", runDevices},
		"store":    {"store init|users [list|add|disable|enable] [--name N --role R]|passwd|recover|verify|audit|stats [--json] --store DIR", runStore},
		"patients": {"patients add --mrn M --name N [--birth YYYY-MM-DD] [--sex S] | patients list  (--store DIR)", runPatients},
		"chart":    {"chart --store DIR --patient MRN [--hr N] [--spo2 N] [--rr N] [--temp C]", runChart},
		"sync":     {"sync --store DIR --ehr URL [--once] [--mrn-system URI] [--smart-client-id ID --smart-key PEM [--smart-kid KID] [--smart-token-url URL] [--smart-scopes S]]", runSync},
		"qrs":      {usageQRS, runQRS},
		"import":   {usageImport, runImport},
		"watch":    {UsageWatch, RunWatch},
		"report":   {usageReport, runReport},
		"pcg":      {usagePCG, runPCG},
		"eval-pcg": {usageEvalPCG, runEvalPCG},
		"export":   {usageExport, runExport},
		"eval-qrs": {usageEvalQRS, runEvalQRS},
		"relay":    {UsageRelay, RunRelay},
		"share":    {UsageShare, RunShare},
		"join":     {UsageJoin, RunJoin},
	}
}

// IsCommand reports whether name is a subcommand (else main opens the GUI).
func IsCommand(name string) bool {
	_, ok := commands[name]
	return ok || name == "help"
}

// Run runs one subcommand and returns the process exit code.
func Run(ctx context.Context, env Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" {
		usage(env.Stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "telewave: unknown command %q\n", args[0])
		usage(env.Stderr)
		return 2
	}
	if err := c.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(env.Stderr, "telewave %s: %v\n", args[0], err)
		if errors.Is(err, ErrUsage) {
			fmt.Fprintf(env.Stderr, "usage: telewave %s\n", c.usage)
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: telewave [--demo] [--store DIR] [--ehr URL]   (opens the workstation)")
	fmt.Fprintln(w, "       telewave COMMAND ...")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", commands[n].usage)
	}
}

// parse parses flags that may stand before, between or after positional
// arguments (`decode contec capture.bin --json`), which package flag alone
// does not allow.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func usagef(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// splitSource parses --source: "synthetic" or "mitdb:PATH/100".
func splitSource(s string) (kind, path string) {
	k, p, _ := strings.Cut(s, ":")
	return k, p
}
