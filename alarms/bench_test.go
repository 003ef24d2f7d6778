package alarms

import (
	"testing"
	"time"

	"telewave/devices"
)

// BenchmarkNumeric is the per-value cost: a monitor sends a dozen a second.
func BenchmarkNumeric(b *testing.B) {
	w := newWard(b, Adult)
	w.vitals(time.Minute, normalAdult())
	n := devices.Numeric{Code: devices.MDCECGHeartRate, Value: 72}
	b.ReportAllocs()
	for b.Loop() {
		w.now = w.now.Add(100 * time.Millisecond)
		n.Time = w.now
		if err := w.e.Numeric(n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunkUnchanged is the per-chunk cost when lead state does not
// change (the common case: 20 chunks a second per lead).
func BenchmarkChunkUnchanged(b *testing.B) {
	w := newWard(b, Adult)
	c := &devices.Chunk{Signal: "II", HostTime: t0}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.e.Chunk("ads", c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTick is one evaluation with all parameters known.
func BenchmarkTick(b *testing.B) {
	w := newWard(b, Adult)
	w.vitals(time.Minute, normalAdult())
	b.ReportAllocs()
	for b.Loop() {
		if err := w.e.Tick(w.now); err != nil {
			b.Fatal(err)
		}
	}
}
