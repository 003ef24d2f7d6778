package app

import (
	"testing"
	"time"

	"telewave/devices"
)

// BenchmarkHubPublish is one device message fanned out to the four
// subscribers the workstation runs (recorder, charting, monitor, display).
func BenchmarkHubPublish(b *testing.B) {
	var h Hub
	subs := []*Subscription{h.Subscribe("a", 1024), h.Subscribe("b", 1024), h.Subscribe("c", 1024), h.Subscribe("d", 1024)}
	e := Envelope{Device: "ecg", Msg: &devices.Chunk{Signal: "ch1", Samples: make([]int32, 12)}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.Publish(e)
		for _, s := range subs {
			<-s.C
		}
	}
}

// BenchmarkRecorderObserve is the recorder's per-chunk work: 8 channels at
// 250 Hz in 12-sample chunks, closed into one-second chunks (no store).
func BenchmarkRecorderObserve(b *testing.B) {
	r := NewRecorder(nil, 1, time.Now, nil)
	for ch := 1; ch <= 8; ch++ {
		r.Observe(Envelope{Device: "ecg", Msg: &devices.Signal{ID: string(rune('0' + ch)), SampleRate: 250}})
	}
	c := &devices.Chunk{Samples: make([]int32, 12), HostTime: time.Now()}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Signal = string(rune('1' + i%8))
		r.Observe(Envelope{Device: "ecg", Msg: c})
		if i%(8*21) == 0 {
			r.mu.Lock()
			r.slots["ecg"].pending = r.slots["ecg"].pending[:0]
			r.mu.Unlock()
		}
	}
}
