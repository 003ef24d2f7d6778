package sqlite

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand"
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

// ecgWave is a minute of an ECG-like waveform at 360 Hz.
func ecgWave() []int32 {
	wave := make([]int32, 360*60)
	for i := range wave {
		ph := math.Mod(float64(i)/360, 0.833)
		wave[i] = 1024 + int32(240*math.Exp(-(ph-0.38)*(ph-0.38)/0.0002)+60*math.Exp(-(ph-0.62)*(ph-0.62)/0.004)+
			20*math.Sin(float64(i)*0.7)*math.Sin(float64(i)*0.013))
	}
	return wave
}

// BenchmarkSealedIngestVsAEAD compares storing samples (encode, seal,
// SQLite commit of 100 one-second chunks per transaction) with only
// sealing the same bytes as int32s: the cost of everything around the
// cipher. Reported as raw sample bytes (4 per sample) per second.
func BenchmarkSealedIngestVsAEAD(b *testing.B) {
	ctx := context.Background()
	s, _, _ := newStore(b)
	_, rec := startRecording(b, s, ecgII)
	wave := ecgWave()
	raw := make([]byte, 4*360)
	for i := range 360 {
		binary.LittleEndian.PutUint32(raw[4*i:], uint32(wave[i]))
	}
	ss, err := s.session()
	if err != nil {
		b.Fatal(err)
	}
	// The cipher alone, for the same number of 1 s chunks.
	aeadStart := time.Now()
	const aeadChunks = 20000
	for i := range aeadChunks {
		ss.sealer.Seal(raw, "chunks", chunkRow(1, uint64(i)), "payload")
	}
	aeadBps := float64(aeadChunks*len(raw)) / time.Since(aeadStart).Seconds()

	batch := make([]devices.Chunk, 100)
	t0 := time.Now()
	var seq uint64
	for b.Loop() {
		for i := range batch {
			off := int(seq%60) * 360
			batch[i] = devices.Chunk{Signal: ecgII.ID, Seq: seq, HostTime: t0.Add(time.Duration(seq) * time.Second), Samples: wave[off : off+360]}
			seq++
		}
		if err := s.AppendChunks(ctx, rec.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	ingestBps := float64(seq*360*4) / b.Elapsed().Seconds()
	b.ReportMetric(ingestBps/1e6, "ingest-MB/s")
	b.ReportMetric(aeadBps/1e6, "aead-MB/s")
	b.ReportMetric(ingestBps/aeadBps, "ingest/aead")
}

// BenchmarkOpen24HourRecordingJump builds a compacted 24-hour recording of
// two 360 Hz leads once, then measures what review does: open the
// recording and its signals and read one random minute of both leads.
func BenchmarkOpen24HourRecordingJump(b *testing.B) {
	ctx := context.Background()
	s, dir, _ := newStore(b)
	lead2 := ecgII
	lead2.ID, lead2.Label = "ecg-v5", "ECG V5"
	_, rec := startRecording(b, s, ecgII, lead2)
	wave := ecgWave()
	t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	const seconds = 24 * 3600
	for _, sig := range []devices.Signal{ecgII, lead2} {
		batch := make([]devices.Chunk, 0, 3600)
		for sec := range seconds {
			off := (sec % 60) * 360
			batch = append(batch, devices.Chunk{Signal: sig.ID, Seq: uint64(sec), HostTime: t0.Add(time.Duration(sec) * time.Second), Samples: wave[off : off+360]})
			if len(batch) == cap(batch) {
				if err := s.AppendChunks(ctx, rec.ID, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	if err := s.StopRecording(ctx, rec.ID, t0.Add(seconds*time.Second)); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Compact(ctx, t0.Add(48*time.Hour), DefaultBlockSeconds); err != nil {
		b.Fatal(err)
	}
	s.Close()
	s = reopen(b, dir)
	rng := rand.New(rand.NewSource(1))
	b.ResetTimer()
	for b.Loop() {
		r, err := s.Recording(ctx, rec.ID)
		if err != nil {
			b.Fatal(err)
		}
		sigs, err := s.Signals(ctx, r.ID)
		if err != nil {
			b.Fatal(err)
		}
		from := t0.Add(time.Duration(rng.Intn(24*60)) * time.Minute)
		for _, sig := range sigs {
			cs, err := s.ChunksBetween(ctx, r.ID, sig.ID, from, from.Add(time.Minute))
			if err != nil || len(cs) < 60 {
				b.Fatalf("minute at %v: %d chunks, %v", from, len(cs), err)
			}
		}
	}
}
