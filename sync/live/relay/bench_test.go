package relay

import (
	"sync/atomic"
	"testing"
)

// BenchmarkRelayLoopback is the relay's hot path end to end: a host
// broadcasting 110-byte wave frames to two admitted viewers over real
// WebSocket connections on 127.0.0.1. One op is one frame delivered to
// both viewers.
func BenchmarkRelayLoopback(b *testing.B) {
	s := openShare(b, Config{QueueFrames: 1 << 10}, 2, true)
	var got atomic.Int64
	for _, v := range s.viewers {
		go func() {
			for range v.msgs { // ends when the connection does
				got.Add(1)
			}
		}()
	}
	frame := seqFrame(ClassWave, 0, 110)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	n := 0
	for b.Loop() {
		s.host.send(OpBroadcast, 0, frame)
		n++
	}
	eventually(b, "every frame delivered", func() bool {
		return got.Load()+int64(s.tr.Stats().FramesDropped) == int64(2*n)
	})
	b.ReportMetric(float64(s.tr.Stats().FramesDropped), "dropped")
}
