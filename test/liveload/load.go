package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// load is one run once the shares are connected.
type load struct {
	o      options
	child  *relayChild
	shares []*loadShare
	out    io.Writer
	lat    *latency
	tally  *tally

	samples []procSample // the relay's, from the start of the stream
	selfCPU time.Duration
}

// drainWait bounds the wait for the last frames after the hosts stop.
const drainWait = 30 * time.Second

func (l *load) run(ctx context.Context) (*summary, error) {
	ticks := int(l.o.Duration / tick)
	start := time.Now().Add(100 * time.Millisecond)
	selfStart, _ := readProc(os.Getpid())

	// Viewers read until their share's last frame (a bound by count) or
	// the end of ctx.
	limit := uint64(ticks*2 + ticks/stateEach + 1)
	var readers sync.WaitGroup
	for _, s := range l.shares {
		for _, v := range s.viewers {
			readers.Add(1)
			go func() {
				defer readers.Done()
				v.read(ctx, limit, l.tally, l.lat)
			}()
		}
	}

	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		l.sample(sampleCtx, start)
	}()

	// Each host starts at its own phase in the tick, as real shares would.
	var hosts sync.WaitGroup
	hostErrs := make(chan error, len(l.shares))
	for i, s := range l.shares {
		hosts.Add(1)
		phase := time.Duration(i) * tick / time.Duration(len(l.shares))
		go func() {
			defer hosts.Done()
			if err := s.stream(ctx, start.Add(phase), ticks, l.tally); err != nil {
				hostErrs <- err
			}
		}()
	}
	hosts.Wait()
	stopSampling()
	<-sampled
	if last, err := readProc(l.child.pid); err == nil { // the end of the stream
		last.at = time.Since(start)
		l.samples = append(l.samples, last)
		l.printRow(last)
	}

	l.drain(ctx)
	if selfEnd, err := readProc(os.Getpid()); err == nil {
		l.selfCPU = selfEnd.cpu - selfStart.cpu
	}
	metrics, err := l.child.metrics()
	if err != nil {
		fmt.Fprintln(l.out, "relay metrics:", err)
	}
	for _, s := range l.shares {
		s.close()
	}
	readers.Wait()
	sum := l.summarize(metrics)
	// Every connection closed: the relay must hold none of them.
	sessions, viewers := l.settle(ctx)
	sum.Relay.SessionsAfterClose, sum.Relay.ViewersAfterClose = sessions, viewers
	if sessions != 0 || viewers != 0 {
		sum.fail("relay still holds %v sessions and %v viewers after every client closed", sessions, viewers)
	}
	close(hostErrs)
	if err, ok := <-hostErrs; ok {
		sum.fail("%v", err)
	}
	return sum, printJSON(l.out, sum)
}

// settle polls the relay's metrics, at most drainWait, until it counts no
// session and no viewer, and returns the last counts.
func (l *load) settle(ctx context.Context) (sessions, viewers float64) {
	deadline := time.Now().Add(drainWait)
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	sessions, viewers = -1, -1
	for time.Now().Before(deadline) {
		if m, err := l.child.metrics(); err == nil {
			sessions, viewers = m["telewave_relay_sessions"], m["telewave_relay_viewers"]
			if sessions == 0 && viewers == 0 {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
	}
	return
}

// drain waits, at most drainWait, until every viewer has as many frames as
// its host sent.
func (l *load) drain(ctx context.Context) {
	deadline := time.Now().Add(drainWait)
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for time.Now().Before(deadline) {
		done := true
		for _, s := range l.shares {
			for _, v := range s.viewers {
				if v.got.Load() < s.sentTotal.Load() {
					done = false
				}
			}
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
	}
}

// sample reads the relay's memory and CPU at the start of the stream and
// every --sample after, printing each as a row.
func (l *load) sample(ctx context.Context, start time.Time) {
	fmt.Fprintf(l.out, "%8s %9s %9s %12s %8s %9s\n", "t (s)", "RSS MiB", "relay CPU", "frames in", "lost", "p99 ms")
	t := time.NewTicker(l.o.Sample)
	defer t.Stop()
	for {
		if s, err := readProc(l.child.pid); err == nil {
			s.at = max(time.Since(start), 0)
			l.samples = append(l.samples, s)
			l.printRow(s)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (l *load) printRow(s procSample) {
	cpu := 0.0
	if n := len(l.samples); n >= 2 {
		prev := l.samples[n-2]
		if dt := s.at - prev.at; dt > 0 {
			cpu = 100 * float64(s.cpu-prev.cpu) / float64(dt)
		}
	}
	var recv, lost uint64
	for c := range classes {
		recv += l.tally.recv[c].Load()
		lost += l.tally.lost[c].Load()
	}
	fmt.Fprintf(l.out, "%8.0f %9.1f %8.1f%% %12d %8d %9.2f\n",
		s.at.Seconds(), mib(s.rssKiB), cpu, recv, lost, l.lat.quantile(0.99))
}
