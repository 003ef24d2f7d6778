package main

import (
	"fmt"
	"math"
	"time"
)

// rssGrowthLimit is the most the relay's memory may grow, in percent,
// between minute 2 of the stream and its end.
const rssGrowthLimit = 20

// rssFrom is when the memory baseline is taken (after warm-up).
const rssFrom = 2 * time.Minute

// summary is the final JSON.
type summary struct {
	OK              bool                  `json:"ok"`
	Failures        []string              `json:"failures,omitempty"`
	Shares          int                   `json:"shares"`
	ViewersPerShare int                   `json:"viewers_per_share"`
	DurationS       float64               `json:"duration_s"`
	FramesSent      uint64                `json:"frames_sent"`     // by the hosts
	FramesExpected  uint64                `json:"frames_expected"` // sent × viewers
	FramesReceived  uint64                `json:"frames_received"` // by all viewers
	FramesLost      uint64                `json:"frames_lost"`
	OutOfOrder      uint64                `json:"frames_out_of_order"`
	BytesSent       uint64                `json:"bytes_sent"`
	BytesReceived   uint64                `json:"bytes_received"`
	Classes         map[string]classStats `json:"classes"`
	LatencyMS       latencyStats          `json:"latency_ms"` // host write → viewer read
	HostLateTicks   uint64                `json:"host_late_ticks"`
	Relay           relayStats            `json:"relay"`
	LoadCPUPercent  float64               `json:"load_cpu_percent"` // this process (hosts and viewers)
}

type classStats struct {
	Sent     uint64 `json:"sent"`
	Received uint64 `json:"received"`
	Lost     uint64 `json:"lost"`
}

type latencyStats struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

type relayStats struct {
	RSSFirstMiB   float64 `json:"rss_first_mib"`
	RSSAt2MinMiB  float64 `json:"rss_at_2min_mib,omitempty"`
	RSSMaxMiB     float64 `json:"rss_max_mib"`
	RSSLastMiB    float64 `json:"rss_last_mib"`
	RSSGrowthPct  float64 `json:"rss_growth_pct_from_2min"`
	RSSCheck      string  `json:"rss_check"`
	CPUPercent    float64 `json:"cpu_percent"` // of one core, over the stream
	FramesIn      float64 `json:"frames_in"`
	FramesOut     float64 `json:"frames_out"`
	FramesDropped float64 `json:"frames_dropped"`
	SessionsAtEnd float64 `json:"sessions_at_end"` // before the clients close
	ViewersAtEnd  float64 `json:"viewers_at_end"`
	// SessionsAfterClose and ViewersAfterClose must be 0 once every client
	// has closed: the relay keeps nothing.
	SessionsAfterClose float64 `json:"sessions_after_close"`
	ViewersAfterClose  float64 `json:"viewers_after_close"`
	RSSSamples         int     `json:"rss_samples"`
	SampleInterval     string  `json:"sample_interval"`
}

func (l *load) summarize(metrics map[string]float64) *summary {
	t := l.tally
	s := &summary{
		OK:              true,
		Shares:          len(l.shares),
		ViewersPerShare: l.o.Viewers,
		DurationS:       l.o.Duration.Seconds(),
		Classes:         map[string]classStats{},
		HostLateTicks:   t.lateTicks.Load(),
		OutOfOrder:      t.disordered.Load(),
		LatencyMS: latencyStats{
			P50: l.lat.quantile(0.50), P90: l.lat.quantile(0.90), P99: l.lat.quantile(0.99),
			Max: round1(float64(l.lat.max.Load()) / 1e6),
		},
	}
	// Frames missing at a viewer's end count as lost like gaps do.
	var tail [classes]uint64
	for _, sh := range l.shares {
		for _, v := range sh.viewers {
			for c := 1; c < classes; c++ {
				if got := v.next[c] - 1; sh.sent[c] > got {
					tail[c] += sh.sent[c] - got
				}
			}
		}
	}
	for c := 1; c < classes; c++ {
		cs := classStats{Sent: t.sent[c].Load(), Received: t.recv[c].Load(), Lost: t.lost[c].Load() + tail[c]}
		s.Classes[classNames[c]] = cs
		s.FramesSent += cs.Sent
		s.FramesReceived += cs.Received
		s.FramesLost += cs.Lost
		s.BytesSent += t.sentBytes[c].Load()
		s.BytesReceived += t.recvBytes[c].Load()
	}
	s.FramesExpected = s.FramesSent * uint64(l.o.Viewers)
	s.Relay = l.relayStats(metrics)
	if l.selfCPU > 0 && l.o.Duration > 0 {
		s.LoadCPUPercent = round1(100 * float64(l.selfCPU) / float64(l.o.Duration))
	}

	fail := s.fail
	if s.FramesLost > 0 {
		fail("%d frames lost", s.FramesLost)
	}
	if s.OutOfOrder > 0 {
		fail("%d frames out of order or unreadable", s.OutOfOrder)
	}
	if s.FramesReceived != s.FramesExpected {
		fail("received %d frames, expected %d", s.FramesReceived, s.FramesExpected)
	}
	if s.FramesSent == 0 {
		fail("nothing was sent")
	}
	if s.Relay.RSSGrowthPct > rssGrowthLimit && s.Relay.RSSAt2MinMiB > 0 {
		fail("relay memory grew %.1f%% from minute 2 to the end (limit %d%%)", s.Relay.RSSGrowthPct, rssGrowthLimit)
	}
	return s
}

func (l *load) relayStats(metrics map[string]float64) relayStats {
	r := relayStats{
		FramesIn:       metrics["telewave_relay_frames_in_total"],
		FramesOut:      metrics["telewave_relay_frames_out_total"],
		FramesDropped:  metrics["telewave_relay_frames_dropped_total"],
		SessionsAtEnd:  metrics["telewave_relay_sessions"],
		ViewersAtEnd:   metrics["telewave_relay_viewers"],
		RSSSamples:     len(l.samples),
		SampleInterval: l.o.Sample.String(),
		RSSCheck:       fmt.Sprintf("skipped: the stream is shorter than %v", rssFrom+rssFrom/4),
	}
	if len(l.samples) == 0 {
		return r
	}
	first, last := l.samples[0], l.samples[len(l.samples)-1]
	r.RSSFirstMiB, r.RSSLastMiB = round1(mib(first.rssKiB)), round1(mib(last.rssKiB))
	for _, s := range l.samples {
		r.RSSMaxMiB = math.Max(r.RSSMaxMiB, round1(mib(s.rssKiB)))
	}
	if dt := last.at - first.at; dt > 0 {
		r.CPUPercent = round1(100 * float64(last.cpu-first.cpu) / float64(dt))
	}
	// The baseline is the first sample at or after minute 2, when the run
	// goes on long enough after it for growth to show.
	if last.at >= rssFrom+rssFrom/4 {
		for _, s := range l.samples {
			if s.at >= rssFrom {
				r.RSSAt2MinMiB = round1(mib(s.rssKiB))
				r.RSSGrowthPct = round1(100 * float64(last.rssKiB-s.rssKiB) / float64(s.rssKiB))
				r.RSSCheck = fmt.Sprintf("growth %.1f%% from minute 2 (limit %d%%)", r.RSSGrowthPct, rssGrowthLimit)
				break
			}
		}
	}
	return r
}

// fail records why the run fails.
func (s *summary) fail(format string, args ...any) {
	s.OK = false
	s.Failures = append(s.Failures, fmt.Sprintf(format, args...))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
