package browser

import (
	"context"
	"math"
	"math/rand"
	"sync"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// device is the slot the simulated monitor publishes under.
const device = "bedside"

// The simulated monitor's signals: three ECG leads at 500 Hz in µV
// counts, a pleth at 100 Hz, the stethoscope's sound at 4 kHz (as
// app.PCGSignal) and its 100 Hz envelope, which a share must not send.
var (
	leadI   = devices.Signal{ID: "I", Label: "ECG I", Kind: devices.KindECG, Unit: "mV", SampleRate: sim.ECGRate, Scale: 0.001, Min: -8000, Max: 8000}
	leadII  = devices.Signal{ID: "II", Label: "ECG II", Kind: devices.KindECG, Unit: "mV", SampleRate: sim.ECGRate, Scale: 0.001, Min: -8000, Max: 8000}
	leadIII = devices.Signal{ID: "III", Label: "ECG III", Kind: devices.KindECG, Unit: "mV", SampleRate: sim.ECGRate, Scale: 0.001, Min: -8000, Max: 8000}
	pleth   = devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, Unit: "1", SampleRate: sim.PlethRate, Scale: 0.001, Min: 0, Max: 1000}
	pcg     = devices.Signal{ID: "pcg", Label: "PCG", Kind: devices.KindAudio, Unit: "1", SampleRate: 4000, Scale: 1.0 / 32768, Min: -32768, Max: 32767}
	pcgEnv  = devices.Signal{ID: "pcg-env", Label: "PCG envelope", Kind: devices.KindAudio, Unit: "1", SampleRate: 100, Scale: 1.0 / 32768, Min: 0, Max: 32767}
)

// numerics are the values the monitor shows; the page must show the same.
var numerics = []devices.Numeric{
	{Code: 147842, Label: "HR", Value: 72, Unit: "/min"},
	{Code: 150456, Label: "SpO2", Value: 97, Unit: "%"},
	{Code: 151562, Label: "RR", Value: 16, Unit: "/min"},
	{Code: 150364, Label: "Temp", Value: 36.8, Unit: "Cel"},
}

// publisher is what the monitor feeds: share.Share satisfies it.
type publisher interface {
	Publish(device string, m devices.Message)
}

// monitor streams the simulator in real time: every 20 ms the samples
// that fell due, stamped with their host time, and the numerics every
// second. run returns when ctx ends.
type monitor struct {
	out   publisher
	tick  time.Duration
	ecg   sim.Source
	pleth sim.Source
	heart heartSounds

	mu   sync.Mutex
	sent map[string]int // samples published per signal
}

func newMonitor(out publisher) *monitor {
	return &monitor{out: out, tick: 20 * time.Millisecond, ecg: sim.NewSyntheticECG(72, 1), pleth: sim.NewSyntheticPleth(72, 2),
		heart: heartSounds{rng: rand.New(rand.NewSource(3))}, sent: map[string]int{}}
}

func (m *monitor) run(ctx context.Context) {
	for _, s := range []devices.Signal{leadI, leadII, leadIII, pleth, pcg, pcgEnv} {
		m.out.Publish(device, &s)
	}
	start := time.Now()
	t := time.NewTicker(m.tick)
	defer t.Stop()
	var lastNumerics time.Time
	var seq [4]uint64
	for {
		now := time.Now()
		if now.Sub(lastNumerics) >= time.Second {
			lastNumerics = now
			for _, n := range numerics {
				n.Time = now
				m.out.Publish(device, &n)
			}
		}
		elapsed := now.Sub(start).Seconds()
		for i, sig := range []devices.Signal{leadII, pleth, pcg, pcgEnv} {
			have := m.count(sig.ID)
			due := int(elapsed*sig.SampleRate) - have
			if due <= 0 {
				continue
			}
			at := start.Add(time.Duration(float64(have) / sig.SampleRate * float64(time.Second)))
			for _, c := range m.samples(sig, due) { // each run's signal counts its own seq
				m.out.Publish(device, &devices.Chunk{Signal: c.id, Seq: seq[i], HostTime: at, Samples: c.samples})
			}
			seq[i]++
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type run struct {
	id      string
	samples []int32
}

// samples makes the next n samples of a signal (for lead II, of all three
// leads: I = 0.55·II and III = II − I, Einthoven's law).
func (m *monitor) samples(sig devices.Signal, n int) []run {
	m.mu.Lock()
	m.sent[sig.ID] += n
	m.mu.Unlock()
	f := make([]float64, 1)
	switch sig.ID {
	case "II":
		ii, i, iii := make([]int32, n), make([]int32, n), make([]int32, n)
		for k := range n {
			m.ecg.Next(f)
			ii[k] = int32(math.Round(f[0] * 1000))
			i[k] = int32(math.Round(f[0] * 550))
			iii[k] = ii[k] - i[k]
		}
		return []run{{"I", i}, {"II", ii}, {"III", iii}}
	case "pleth":
		out := make([]int32, n)
		for k := range out {
			m.pleth.Next(f)
			out[k] = int32(math.Round(f[0] * 1000))
		}
		return []run{{"pleth", out}}
	case "pcg":
		return []run{{"pcg", m.heart.next(n)}}
	}
	return []run{{sig.ID, make([]int32, n)}}
}

func (m *monitor) count(id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent[id]
}

// heartSounds synthesises a phonocardiogram at 4 kHz, 72 beats a minute:
// S1 (damped 45 Hz, 90 ms) and S2 (damped 70 Hz, 70 ms) over faint noise.
type heartSounds struct {
	rng *rand.Rand
	n   int
}

func (h *heartSounds) next(count int) []int32 {
	out := make([]int32, count)
	const rate, beat = 4000.0, 60.0 / 72
	for k := range out {
		t := math.Mod(float64(h.n)/rate, beat)
		h.n++
		v := 300 * h.rng.NormFloat64()
		if d := t - 0.05; d >= 0 && d < 0.09 {
			v += 14000 * math.Exp(-d/0.025) * math.Sin(2*math.Pi*45*d)
		}
		if d := t - 0.36; d >= 0 && d < 0.07 {
			v += 10000 * math.Exp(-d/0.018) * math.Sin(2*math.Pi*70*d)
		}
		out[k] = int32(max(-32768, min(32767, math.Round(v))))
	}
	return out
}
