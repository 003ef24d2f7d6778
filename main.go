// Command telewave is the Telewave workstation: without a subcommand it
// opens the window (with --demo, on simulated devices); with one it runs
// headless (see `telewave help`). This is the composition root: the only
// place that brings the GUI and the headless commands together.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"telewave/app"
	"telewave/app/cli"
	"telewave/ui"
)

// demoRecords holds MIT-BIH record 100, which the demo's ECG board plays,
// and the CirCor heart sound its simulated stethoscope plays.
//
//go:embed testdata/mitdb/100.hea testdata/mitdb/100.dat testdata/circor/69067_PV.wav
var demoRecords embed.FS

func records() fs.FS {
	sub, err := fs.Sub(demoRecords, "testdata")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "join" && !slices.Contains(os.Args[2:], "--json") {
		os.Exit(joinWindow(os.Args[2:]))
	}
	if len(os.Args) > 1 && cli.IsCommand(os.Args[1]) {
		env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Records: records()}
		os.Exit(cli.Run(context.Background(), env, os.Args[1:]))
	}
	fl := flag.NewFlagSet("telewave", flag.ContinueOnError)
	demo := fl.Bool("demo", false, "open with simulated devices and a throwaway store")
	store := fl.String("store", app.DefaultStoreDir(os.Getenv), "record store directory")
	ehr := fl.String("ehr", os.Getenv("TELEWAVE_EHR"), "FHIR R4 base URL of the EHR (https, or http on loopback)")
	mrnSystem := fl.String("mrn-system", "", "identifier system of MRNs at the EHR")
	chartEvery := fl.Duration("chart-every", 0, "charting interval (default 1m in the demo, else the configuration file's, else 15m)")
	fps := fl.Int("fps", 30, "waveform frames per second")
	steth := fl.Bool("stethoscope", false, "listen to a digital stethoscope on the sound card's input")
	config := fl.String("config", "", "configuration file with the EHR settings (default $XDG_CONFIG_HOME/telewave/config.json)")
	renderer := fl.String("render", "auto", "waveform rasterizer: auto (gl on a hardware GPU, else cpu), gl or cpu")
	relay := fl.String("relay", os.Getenv("TELEWAVE_RELAY"), "telehealth relay URL for shares (https; empty: viewers on this machine only)")
	idleLock := fl.Duration("idle-lock", 5*time.Minute, "lock the records after this long without activity (negative: never)")
	if err := fl.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			cli.Run(context.Background(), cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}, []string{"help"})
			os.Exit(0)
		}
		os.Exit(2)
	}
	if *chartEvery == 0 && *demo {
		*chartEvery = time.Minute // else the configuration file's, or its default
	}
	err := ui.Run(ui.Options{Demo: *demo, StoreDir: *store, EHR: *ehr, MRNSystem: *mrnSystem,
		ChartEvery: *chartEvery, Records: records(), FPS: *fps, IdleLock: *idleLock, Stethoscope: *steth, Render: *renderer, ConfigPath: *config, Relay: *relay})
	if err != nil {
		fmt.Fprintln(os.Stderr, "telewave:", err)
		os.Exit(1)
	}
}

// joinWindow runs `telewave join LINK [--name N]` without --json: a viewer
// window on the share (the NDJSON form is a headless subcommand).
func joinWindow(args []string) int {
	fl := flag.NewFlagSet("join", flag.ContinueOnError)
	name := fl.String("name", os.Getenv("TELEWAVE_USER"), "the name the clinician sees when you knock")
	fps := fl.Int("fps", 30, "waveform frames per second")
	renderer := fl.String("render", "auto", "waveform rasterizer: auto, gl or cpu")
	var link string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		link, args = args[0], args[1:]
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if link == "" && fl.NArg() > 0 {
		link = fl.Arg(0)
	}
	if link == "" {
		fmt.Fprintln(os.Stderr, "telewave: usage: "+cli.UsageJoin)
		return 2
	}
	if *name == "" {
		*name = "Telewave viewer"
	}
	if err := ui.RunJoin(ui.JoinOptions{Link: link, Name: *name, FPS: *fps, Render: *renderer}); err != nil {
		fmt.Fprintln(os.Stderr, "telewave:", err)
		return 1
	}
	return 0
}
