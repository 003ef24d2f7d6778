package audio

import (
	"math"
	"testing"
	"time"

	"telewave/dsp/audiofilter"
)

// BenchmarkPassthroughBuffer is the work of one 5 ms buffer of the live
// stethoscope at 4 kHz: capture (copy, diaphragm filter and limiter, ring
// and tap writes) and playback (ring read, latency bookkeeping).
func BenchmarkPassthroughBuffer(b *testing.B) {
	const rate = 4000
	f, err := audiofilter.New(rate, audiofilter.Diaphragm)
	if err != nil {
		b.Fatal(err)
	}
	l := &Listener{filter: f, ring: NewRing(rate / 4), tap: NewRing(rate), lat: make([]time.Duration, 0, 4096), period: 5 * time.Millisecond}
	in := make([]float32, rate/200)
	for i := range in {
		in[i] = float32(0.3 * math.Sin(float64(i)))
	}
	out := make([]float32, len(in))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		l.capture(in, now)
		l.fill(out)
	}
}

// BenchmarkListenerLatency runs the live path for one second of real time
// per iteration on the clocked backend (5 ms periods) and reports the
// input-buffer-to-output-buffer latency; the device buffering (two periods
// each side with miniaudio's low-latency profile) adds Device ms.
func BenchmarkListenerLatency(b *testing.B) {
	const rate = 4000
	var p50, p99, dev float64
	for b.Loop() {
		f, err := audiofilter.New(rate, audiofilter.Diaphragm)
		if err != nil {
			b.Fatal(err)
		}
		bk := &Clocked{Source: func(p []float32) {
			for i := range p {
				p[i] = 0.1
			}
		}}
		l, err := Listen(bk, ListenConfig{Rate: rate, Period: 5 * time.Millisecond, Filter: f})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		l.Close()
		lat := l.Latency()
		p50 += lat.P50.Seconds() * 1000
		p99 += lat.P99.Seconds() * 1000
		dev = lat.Device.Seconds() * 1000
	}
	n := float64(b.N)
	b.ReportMetric(p50/n, "p50-ms")
	b.ReportMetric(p99/n, "p99-ms")
	b.ReportMetric(dev, "device-ms")
	b.ReportMetric(p99/n+dev, "headphone-p99-ms")
}
