package sqlite

import (
	"context"
	"math"
	"testing"
	"time"

	"telewave/devices"
)

// BenchmarkAppendChunks writes what the recorder writes: one transaction of
// 100 one-second chunks of 360 samples (an ECG-like waveform).
func BenchmarkAppendChunks(b *testing.B) {
	ctx := context.Background()
	s, _, _ := newStore(b)
	_, rec := startRecording(b, s, ecgII)
	const perTx, n = 100, 360
	wave := make([]int32, 360*60)
	for i := range wave {
		ph := math.Mod(float64(i)/360, 0.833)
		wave[i] = 1024 + int32(240*math.Exp(-(ph-0.38)*(ph-0.38)/0.0002)+60*math.Exp(-(ph-0.62)*(ph-0.62)/0.004)+
			20*math.Sin(float64(i)*0.7)*math.Sin(float64(i)*0.013))
	}
	batch := make([]devices.Chunk, perTx)
	t0 := time.Now()
	var seq uint64
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			off := int(seq%60) * n
			batch[i] = devices.Chunk{Signal: ecgII.ID, Seq: seq, HostTime: t0.Add(time.Duration(seq) * time.Second), Samples: wave[off : off+n]}
			seq++
		}
		if err := s.AppendChunks(ctx, rec.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(seq)/b.Elapsed().Seconds(), "chunks/s")
	st, err := s.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sig := st.Signals[0]
	b.ReportMetric(float64(sig.PayloadBytes)/float64(sig.Samples), "sealed-bytes/sample")
	b.ReportMetric(float64(st.Bytes)/float64(sig.Samples), "file-bytes/sample")
}
