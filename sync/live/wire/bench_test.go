package wire

import (
	"testing"
	"time"
)

// benchFrames pre-computes a minute of 40 ms frames of 3-lead ECG at 500 Hz
// (MIT-BIH-like, around a 12-bit baseline) and a pleth at 100 Hz.
func benchFrames() [][][]int32 {
	f := newSyntheticFeed(2048, 1)
	out := make([][][]int32, 60*framesPerSec)
	for i := range out {
		out[i] = f.next()
	}
	return out
}

// BenchmarkSealWave encodes and seals one wave frame per op, as the host
// does every 40 ms, and reports the sealed frame's size and the bit rate
// of 25 of them a second (header and tag included, WebSocket framing not).
func BenchmarkSealWave(b *testing.B) {
	frames := benchFrames()
	h := testHost(b, "bench")
	at := time.UnixMilli(1_767_225_000_000)
	var buf []byte
	total := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		at = at.Add(framePeriod)
		buf = AppendWaves(buf[:0], at, waveChunks(frames[i%len(frames)], uint64(i)+100_000, at))
		f, err := h.SealStream(ClassWave, buf)
		if err != nil {
			b.Fatal(err)
		}
		total += len(f)
	}
	per := float64(total) / float64(b.N)
	b.ReportMetric(per, "bytes/frame")
	b.ReportMetric(per*8*framesPerSec/1000, "kbit/s")
}

// BenchmarkOpenStream opens and decodes one sealed wave frame per op, as a
// viewer does every 40 ms.
func BenchmarkOpenStream(b *testing.B) {
	frames := benchFrames()
	h := testHost(b, "bench")
	v := testViewer(b, h, "bench")
	admit(b, h, v, 1)
	at := time.UnixMilli(1_767_225_000_000)
	sealed := make([][]byte, len(frames))
	for i := range sealed {
		at = at.Add(framePeriod)
		sealed[i] = mustSeal(b, h, ClassWave, AppendWaves(nil, at, waveChunks(frames[i], uint64(i), at)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i > 0 && i%len(sealed) == 0 {
			// The counters only go up: a fresh viewer for the next lap.
			b.StopTimer()
			v = testViewer(b, h, "bench")
			v.install(h.Grant(1, Patient{}, State{}))
			b.StartTimer()
		}
		_, p, err := v.OpenStream(sealed[i%len(sealed)])
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := ReadWaves(p); err != nil {
			b.Fatal(err)
		}
	}
}
