package share_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"telewave/formats/wfdb"
)

// Bits per second on the wire for a share: a 3-lead ECG at 500 Hz and a
// pleth at 100 Hz with HR, SpO2 and pulse rate every second (target
// ≤ 32 kbit/s), then with the stethoscope's sound at 4 kHz. Each
// iteration streams one second in real time through a relay on the
// loopback; a proxy in front of the relay counts the WebSocket bytes
// (frames, envelopes and WebSocket headers; not TCP/IP). kbit/s is what
// one viewer downloads, up-kbit/s what the host uploads.
func BenchmarkWire(b *testing.B) {
	for _, bc := range []struct {
		name  string
		audio bool
		ecg   func(testing.TB) func() [3]int32
	}{
		{"ecg3x500+pleth/synthetic", false, nil},
		{"ecg3x500+pleth/mitdb100", false, mitdb100},
		{"ecg3x500+pleth+pcg4k/synthetic", true, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newRig(b, rigOpts{proxy: true})
			f := &feeder{pub: r.share.Publish, audio: bc.audio, vitals: true}
			if bc.ecg != nil {
				f.ecg = bc.ecg(b)
			}
			_, c := r.join("Benchmark")
			f.start()
			defer f.stop()
			eventually(b, "the stream", 10*time.Second, func() bool { return c.count("ecg-ii") > 0 })
			time.Sleep(time.Second) // past the grant and the first state
			down0, up0 := r.proxy.down.Load(), r.proxy.up.Load()
			start := time.Now()
			b.ResetTimer()
			for range b.N {
				time.Sleep(time.Second)
			}
			b.StopTimer()
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(r.proxy.down.Load()-down0)*8/1000/secs, "kbit/s")
			b.ReportMetric(float64(r.proxy.up.Load()-up0)*8/1000/secs, "up-kbit/s")
			if st := r.share.Status(); st.FramesDropped != 0 {
				b.Errorf("frames dropped on the loopback: %+v", st)
			}
		})
	}
}

// mitdb100 plays MIT-BIH record 100 (MLII and V5, 200 counts/mV at
// 360 Hz) as three leads in 5 µV counts at 500 Hz: MLII, V5 and their
// difference, linearly resampled.
func mitdb100(tb testing.TB) func() [3]int32 {
	tb.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		tb.Fatal(err)
	}
	rec, err := wfdb.Read(os.DirFS(filepath.Join(root, "testdata")), "mitdb/100")
	if err != nil {
		tb.Fatal(err)
	}
	a, v := rec.Samples[0], rec.Samples[1]
	pos := 0.0
	return func() [3]int32 {
		i := int(pos)
		if i+1 >= len(a) {
			pos, i = 0, 0
		}
		fr := pos - float64(i)
		lerp := func(s []int32) int32 {
			x := (float64(s[i])*(1-fr) + float64(s[i+1])*fr - 1024) * 1000 / 200 / 5 // counts of 5 µV
			return int32(math.Round(x))
		}
		pos += 360.0 / 500
		l1, l2 := lerp(a), lerp(v)
		return [3]int32{l1, l2, l2 - l1}
	}
}
