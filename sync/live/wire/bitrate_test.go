package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
	"telewave/formats/wfdb"
)

// The link a share is budgeted for: 3 ECG leads at 500 Hz and a pleth at
// 100 Hz, one wave frame every 40 ms, a state frame every second.
const (
	framePeriod   = 40 * time.Millisecond
	framesPerSec  = 25
	ecgPerFrame   = 20 // 500 Hz × 40 ms
	plethPerFrame = 4  // 100 Hz × 40 ms
	budgetKbit    = 32
)

// wsOverhead is what one frame costs beyond itself from relay to viewer:
// the WebSocket header (2 bytes up to 125 of payload, 4 up to 65535) and
// the envelope's op byte. TCP/IP headers are not counted.
func wsOverhead(frame int) int {
	if frame+1 <= 125 {
		return 2 + 1
	}
	return 4 + 1
}

// feed yields 40 ms of every signal at a time.
type feed interface {
	next() [][]int32 // per signal, one frame's samples
}

// syntheticFeed: three leads from sim's ECG (5 µV a count, as MIT-BIH,
// baseline at count base, extra white noise) and a 12-bit pleth.
type syntheticFeed struct {
	leads []sim.Source
	gains []float64
	pleth sim.Source
	rng   *rand.Rand
	base  int32
	noise float64 // counts, standard deviation
}

func newSyntheticFeed(base int32, noise float64) *syntheticFeed {
	return &syntheticFeed{
		leads: []sim.Source{sim.NewSyntheticECG(72, 1), sim.NewSyntheticECG(72, 1), sim.NewSyntheticECG(72, 1)},
		gains: []float64{0.6, 1.0, 0.4}, pleth: sim.NewSyntheticPleth(72, 2),
		rng: rand.New(rand.NewPCG(3, 4)), base: base, noise: noise}
}

func (f *syntheticFeed) next() [][]int32 {
	out := make([][]int32, 0, 4)
	v := []float64{0}
	for i, l := range f.leads {
		s := make([]int32, ecgPerFrame)
		for j := range s {
			l.Next(v)
			s[j] = f.base + int32(math.Round(v[0]*f.gains[i]*200+f.rng.NormFloat64()*f.noise))
		}
		out = append(out, s)
	}
	p := make([]int32, plethPerFrame)
	for j := range p {
		f.pleth.Next(v)
		p[j] = int32(math.Round(200 + v[0]*3500))
	}
	return append(out, p)
}

// mitdbFeed: MIT-BIH record 100 (testdata) resampled from 360 to 500 Hz by
// linear interpolation; MLII, V5 and their difference as the third lead.
type mitdbFeed struct {
	rec   *wfdb.Record
	pos   float64
	pleth sim.Source
}

func (f *mitdbFeed) next() [][]int32 {
	out := make([][]int32, 3, 4)
	for i := range out {
		out[i] = make([]int32, ecgPerFrame)
	}
	n := len(f.rec.Samples[0])
	for j := range ecgPerFrame {
		k := int(f.pos) % (n - 1)
		fr := f.pos - math.Floor(f.pos)
		lead := func(c int) float64 {
			a, b := float64(f.rec.Samples[c][k]), float64(f.rec.Samples[c][k+1])
			return a + (b-a)*fr
		}
		out[0][j] = int32(math.Round(lead(0)))
		out[1][j] = int32(math.Round(lead(1)))
		out[2][j] = int32(math.Round(lead(0)-lead(1))) + 1024
		f.pos += 360.0 / 500
	}
	p := make([]int32, plethPerFrame)
	v := []float64{0}
	for j := range p {
		f.pleth.Next(v)
		p[j] = int32(math.Round(200 + v[0]*3500))
	}
	return append(out, p)
}

// record100 loads the repository's copy of MIT-BIH record 100.
func record100(tb testing.TB) *wfdb.Record {
	tb.Helper()
	r, err := wfdb.Read(os.DirFS("../../../testdata"), "mitdb/100")
	if err != nil {
		tb.Fatalf("read testdata/mitdb/100: %v", err)
	}
	return r
}

// waveChunks turns one frame of samples into chunks with running seqs.
func waveChunks(samples [][]int32, n uint64, at time.Time) []WaveChunk {
	cs := make([]WaveChunk, len(samples))
	for i, s := range samples {
		cs[i] = WaveChunk{Handle: uint32(i + 1), Seq: n, Time: at.Add(-framePeriod), Samples: s}
	}
	return cs
}

// secondState is what changes once a second: the first n of HR, SpO2, PR,
// RR, NBP-S, NBP-D. A monitor updates the first three every second; RR and
// NIBP change far less often, so six a second is a worst case.
func secondState(at time.Time, sec, n int) []byte {
	num := func(code uint32, label string, v float64, unit string) NumericRec {
		return NumericRec{Device: "monitor", Numeric: devices.Numeric{Code: code, Label: label, Value: v, Unit: unit, Time: at.UTC()}}
	}
	s := State{Time: at.UnixMilli(), Numerics: []NumericRec{
		num(147842, "HR", float64(70+sec%5), "/min"), num(150456, "SpO2", 97, "%"), num(149530, "PR", float64(71+sec%4), "/min"),
		num(151562, "RR", 16, "/min"), num(150021, "NBP-S", 121, "mm[Hg]"), num(150022, "NBP-D", 79, "mm[Hg]"),
	}[:n]}
	b, _ := json.Marshal(s)
	return b
}

type linkFigures struct {
	waveBytesPerFrame float64 // sealed wave frame, header and tag included
	waveKbit          float64 // wave frames alone
	wireKbit          float64 // + state every second + WebSocket framing
	payloadPerFrame   float64 // the wave payload alone
}

// measureLink seals `seconds` of a feed as a share would, with a state of
// `numerics` numerics every second, and counts bytes.
func measureLink(tb testing.TB, f feed, seconds, numerics int) linkFigures {
	h := testHost(tb, "bitrate")
	at := time.UnixMilli(1_767_225_000_000)
	var wave, payload, wire int
	frames := seconds * framesPerSec
	for i := range frames {
		at = at.Add(framePeriod)
		p := AppendWaves(nil, at, waveChunks(f.next(), uint64(i)+100_000, at))
		fr := mustSeal(tb, h, ClassWave, p)
		payload += len(p)
		wave += len(fr)
		wire += len(fr) + wsOverhead(len(fr))
		if i%framesPerSec == 0 {
			st := mustSeal(tb, h, ClassState, secondState(at, i/framesPerSec, numerics))
			wire += len(st) + wsOverhead(len(st))
		}
	}
	kbit := func(bytes int) float64 { return float64(bytes) * 8 / float64(seconds) / 1000 }
	return linkFigures{waveBytesPerFrame: float64(wave) / float64(frames), waveKbit: kbit(wave), wireKbit: kbit(wire),
		payloadPerFrame: float64(payload) / float64(frames)}
}

// TestLinkBudget checks the whole link to a viewer for 3-lead ECG at
// 500 Hz and a pleth, with three numerics a second, stays within
// 32 kbit/s, on synthetic ECG and on MIT-BIH record 100; it logs the
// figure with six numerics a second beside it.
func TestLinkBudget(t *testing.T) {
	feeds := []struct {
		name string
		f    feed
	}{
		{"synthetic, baseline 0", newSyntheticFeed(0, 1)},
		{"synthetic, baseline 1024", newSyntheticFeed(1024, 1)},
		{"synthetic, baseline 2048, noise 3", newSyntheticFeed(2048, 3)},
		{"mitdb 100 at 500 Hz", &mitdbFeed{rec: record100(t), pleth: sim.NewSyntheticPleth(72, 2)}},
	}
	for _, tt := range feeds {
		t.Run(tt.name, func(t *testing.T) {
			m := measureLink(t, tt.f, 60, 3)
			worst := measureLink(t, tt.f, 60, 6)
			t.Logf("wave payload %.1f B/frame, sealed %.1f B/frame, waves %.1f kbit/s, wire %.1f kbit/s (%.1f with six numerics a second)",
				m.payloadPerFrame, m.waveBytesPerFrame, m.waveKbit, m.wireKbit, worst.wireKbit)
			if m.wireKbit > budgetKbit {
				t.Errorf("%.1f kbit/s on the wire, over the %d kbit/s budget", m.wireKbit, budgetKbit)
			}
		})
	}
}

// TestAudioRate logs what the stethoscope adds: CirCor recording 69067_PV
// (4 kHz, 16-bit; testdata) in 40 ms audio frames of 160 samples. It has no
// target; the figure goes in the report beside the waves'.
func TestAudioRate(t *testing.T) {
	raw, err := os.ReadFile("../../../testdata/circor/69067_PV.wav")
	if err != nil {
		t.Fatalf("read the CirCor recording: %v", err)
	}
	i := bytes.Index(raw, []byte("data"))
	if i < 0 || len(raw) < i+8 {
		t.Fatal("no data chunk in the WAV file")
	}
	pcm := raw[i+8:]
	samples := make([]int32, len(pcm)/2)
	for j := range samples {
		samples[j] = int32(int16(binary.LittleEndian.Uint16(pcm[2*j:])))
	}
	h := testHost(t, "audio")
	at := time.UnixMilli(1_767_225_000_000)
	const per = 160
	wire, frames := 0, 0
	for j := 0; j+per <= len(samples); j += per {
		at = at.Add(framePeriod)
		f := mustSeal(t, h, ClassAudio, AppendWaves(nil, at, []WaveChunk{{Handle: 9, Seq: uint64(frames), Time: at.Add(-framePeriod), Samples: samples[j : j+per]}}))
		wire += len(f) + wsOverhead(len(f))
		frames++
	}
	kbit := float64(wire) * 8 / (float64(frames) * framePeriod.Seconds()) / 1000
	t.Logf("stethoscope audio at 4 kHz: %.1f B/frame, %.1f kbit/s on the wire (16-bit PCM would be 64 kbit/s)", float64(wire)/float64(frames), kbit)
	if kbit >= 64 {
		t.Errorf("audio at %.1f kbit/s: no smaller than raw PCM", kbit)
	}
}
