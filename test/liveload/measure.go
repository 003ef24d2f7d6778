package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// latency is a histogram of host→viewer delays in 10 µs buckets up to
// 2 s, the last bucket holding everything slower.
type latency struct {
	buckets [200_001]atomic.Uint64
	max     atomic.Int64
}

const bucketNS = 10_000

func (l *latency) add(ns int64) {
	i := max(ns, 0) / bucketNS
	if i >= int64(len(l.buckets)) {
		i = int64(len(l.buckets)) - 1
	}
	l.buckets[i].Add(1)
	for {
		m := l.max.Load()
		if ns <= m || l.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// quantile returns the delay in ms below which q of the samples fall (the
// top of their bucket).
func (l *latency) quantile(q float64) float64 {
	var total uint64
	for i := range l.buckets {
		total += l.buckets[i].Load()
	}
	if total == 0 {
		return 0
	}
	want := uint64(q * float64(total))
	var seen uint64
	for i := range l.buckets {
		seen += l.buckets[i].Load()
		if seen > want {
			return float64((i+1)*bucketNS) / 1e6
		}
	}
	return float64(l.max.Load()) / 1e6
}

// tally is what the hosts sent and the viewers got, by class.
type tally struct {
	sent       [classes]atomic.Uint64 // frames broadcast by the hosts
	sentBytes  [classes]atomic.Uint64
	recv       [classes]atomic.Uint64 // frames the viewers received
	recvBytes  [classes]atomic.Uint64
	lost       [classes]atomic.Uint64 // gaps in a viewer's sequence
	disordered atomic.Uint64          // a seq not above the previous one
	lateTicks  atomic.Uint64          // host ticks sent over a tick late
}

// procSample is one reading of a process: resident memory and CPU time.
type procSample struct {
	at     time.Duration
	rssKiB int64
	cpu    time.Duration // user + system
}

// readProc reads /proc/<pid>/status (VmRSS) and /proc/<pid>/stat (utime,
// stime in USER_HZ ticks, 100 a second on Linux).
func readProc(pid int) (procSample, error) {
	var s procSample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("read status of %d: %w", pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "VmRSS:" {
			s.rssKiB, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("read stat of %d: %w", pid, err)
	}
	// Fields after the command name (which may hold spaces), from field 3.
	rest := stat[bytes.LastIndexByte(stat, ')')+2:]
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return s, fmt.Errorf("stat of %d: %d fields", pid, len(f))
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	s.cpu = time.Duration(utime+stime) * 10 * time.Millisecond
	return s, nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }
