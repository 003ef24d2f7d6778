package browser

import (
	"context"
	"flag"
	"testing"
	"time"

	"telewave/sync/live/relay"
)

var benchSeconds = flag.Int("browser.seconds", 30, "seconds BenchmarkBrowserLatency streams")

// BenchmarkBrowserLatency streams the simulated monitor (3-lead ECG at
// 500 Hz, pleth, numerics, stethoscope at 4 kHz) to the page through a
// relay on 127.0.0.1 for -browser.seconds (30) and reports the latency
// from a sample's host time to its being drawn (p50, p99, max; target p99
// ≤ 150 ms), and the frame bytes the relay carried from the host per
// second, waves and state alone and with the sound (WebSocket framing
// and the one-byte envelope op not counted). It measures one run
// whatever b.N: use -benchtime 1x.
func BenchmarkBrowserLatency(b *testing.B) {
	r := newRig(b, rigOptions{})
	ctx := openViewer(b, r.share.Link(), "Dr Bench", 0)
	waitFor(b, ctx, "drawing", `telewave.state.phase === 'watching' && telewave.state.lanes.length === 4 && telewave.stats.latencies.length > 0`, 30*time.Second)
	// Measure from here: the first second's warm-up is left out.
	eval[bool](b, ctx, `(telewave.stats.latencies.length = 0, true)`)
	before := r.relay.Stats()
	start := time.Now()
	b.ResetTimer()
	wait, cancel := context.WithTimeout(context.Background(), time.Duration(*benchSeconds)*time.Second)
	<-wait.Done()
	cancel()
	b.StopTimer()
	secs := time.Since(start).Seconds()
	after := r.relay.Stats()
	lat := eval[[]float64](b, ctx, `telewave.stats.latencies`)
	type counts struct{ Frames, Dropped, BadFrames, Gaps int }
	c := eval[counts](b, ctx, `telewave.stats`)
	underruns := eval[int](b, ctx, `telewave.stats.audio.underruns`)
	kbps := func(classes ...int) float64 {
		var n uint64
		for _, k := range classes {
			n += after.BytesIn[k] - before.BytesIn[k]
		}
		return float64(n) * 8 / 1000 / secs
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(percentile(lat, 50), "p50-ms")
	b.ReportMetric(percentile(lat, 99), "p99-ms")
	b.ReportMetric(percentile(lat, 100), "max-ms")
	b.ReportMetric(kbps(relay.ClassWave, relay.ClassState), "waves-kbit/s")
	b.ReportMetric(kbps(relay.ClassWave, relay.ClassAudio, relay.ClassState), "with-audio-kbit/s")
	b.Logf("%.0f s: %d drawn frames measured, %d stream frames, %d dropped, %d bad, %d gaps, %d audio underruns",
		secs, len(lat), c.Frames, c.Dropped, c.BadFrames, c.Gaps, underruns)
}
