// Command liveload is the telehealth relay's load acceptance (issue 10):
//
//	go run ./test/liveload --shares 200 --viewers 2 --duration 10m
//
// It starts the relay in a child process (itself, re-executed) on
// 127.0.0.1:0, connects a host and the viewers for every share, streams
// frames of a real share's sizes and rates (wave 110 B and, for one share
// in four, audio 300 B every 40 ms; state 200 B every second) and checks at
// every viewer that each frame arrives, in order. It samples the relay's
// memory and CPU every --sample, prints them as a table, and ends with a
// JSON summary. It exits non-zero on any loss or disorder, or when the
// relay's memory grows by more than 20 % from minute 2 to the end.
// LIVELOAD_CPUPROFILE=FILE writes the relay child's CPU profile.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// maxDuration caps --duration; every loop is bounded by it and by count.
const maxDuration = 15 * time.Minute

// options are the command line.
type options struct {
	Shares   int
	Viewers  int
	Duration time.Duration
	Sample   time.Duration
}

func main() {
	if isChild(os.Args) {
		if err := serveChild(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "liveload relay:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.IntVar(&o.Shares, "shares", 200, "concurrent shares, each a host")
	flag.IntVar(&o.Viewers, "viewers", 2, "viewers per share")
	flag.DurationVar(&o.Duration, "duration", 10*time.Minute, "how long the hosts stream (at most 15m)")
	flag.DurationVar(&o.Sample, "sample", 10*time.Second, "time between samples of the relay's memory")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "liveload:", err)
		os.Exit(1)
	}
	if !sum.OK {
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.Shares < 1 || o.Shares > 5000:
		return fmt.Errorf("--shares %d: want 1 to 5000", o.Shares)
	case o.Viewers < 1 || o.Viewers > 64:
		return fmt.Errorf("--viewers %d: want 1 to 64", o.Viewers)
	case o.Duration < tick || o.Duration > maxDuration:
		return fmt.Errorf("--duration %v: want %v to %v", o.Duration, tick, maxDuration)
	case o.Sample < 100*time.Millisecond:
		return fmt.Errorf("--sample %v: want at least 100ms", o.Sample)
	}
	return nil
}

// run is the whole load: relay child, shares, stream, drain, summary. The
// table and the summary go to out.
func run(ctx context.Context, o options, out io.Writer) (*summary, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	// Setup and drain get at most 5 minutes beside the stream.
	ctx, cancel := context.WithTimeout(ctx, o.Duration+5*time.Minute)
	defer cancel()
	child, err := startChild()
	if err != nil {
		return nil, err
	}
	defer child.stop()

	shares, err := openShares(ctx, "ws://"+child.addr, o)
	defer func() {
		for _, s := range shares {
			s.close()
		}
	}()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "relay pid %d on %s: %d shares × %d viewers connected; streaming for %v\n",
		child.pid, child.addr, len(shares), o.Viewers, o.Duration)

	l := &load{o: o, child: child, shares: shares, out: out, lat: &latency{}, tally: &tally{}}
	return l.run(ctx)
}

// openShares connects every share, eight at a time.
func openShares(ctx context.Context, base string, o options) ([]*loadShare, error) {
	shares := make([]*loadShare, o.Shares)
	errs := make(chan error, o.Shares)
	next := make(chan int)
	const workers = 8
	for range workers {
		go func() {
			for i := range next {
				s, err := openShare(ctx, base, i%audioOne == 0, o.Viewers)
				shares[i] = s
				errs <- err
			}
		}()
	}
	var first error
	for i := range o.Shares {
		next <- i
	}
	close(next)
	for range o.Shares {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	var open []*loadShare
	for _, s := range shares {
		if s != nil {
			open = append(open, s)
		}
	}
	if first != nil {
		return open, fmt.Errorf("open shares: %w", first)
	}
	return open, nil
}

func printJSON(out io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}
