package app

import (
	"math"
	"math/rand"
	"sync"
	"testing"
	"time"

	"telewave/alarms"
	"telewave/devices"
	"telewave/devices/sim"
)

// b0 is when a bedside's simulated time starts.
var b0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// bedside is a real hub and a real analysis on a simulated clock: every
// message is published on the hub and taken by the analysis from its
// subscription before the test goes on, and the engine ticks at every
// whole simulated second, as Serve does once a second.
type bedside struct {
	t        testing.TB
	hub      *Hub
	sub      *Subscription // the analysis's
	probe    *Subscription // sees what the analysis publishes
	a        *Analysis
	now      time.Time
	nextTick time.Time

	mu      sync.Mutex
	entries []alarms.Entry
	derived []devices.Numeric
	beats   []devices.Event
	other   []devices.Event
}

func newBedside(t testing.TB) *bedside {
	t.Helper()
	b := &bedside{t: t, hub: &Hub{}, now: b0, nextTick: b0.Add(time.Second)}
	b.sub = b.hub.Subscribe("analysis", 1<<16)
	b.probe = b.hub.Subscribe("probe", 1<<16)
	a, err := NewAnalysis(AnalysisConfig{Publish: b.hub.Publish, Now: func() time.Time { return b.now }, PatientID: 1})
	if err != nil {
		t.Fatal(err)
	}
	a.journal.tap = func(en alarms.Entry) {
		b.mu.Lock()
		b.entries = append(b.entries, en)
		b.mu.Unlock()
	}
	b.a = a
	return b
}

// pump lets the analysis take everything published so far, and collects
// what it published.
func (b *bedside) pump() {
	for {
		select {
		case e := <-b.sub.C:
			b.a.handle(e)
		case e := <-b.probe.C:
			if e.Device != AnalysisSlot {
				continue
			}
			switch m := e.Msg.(type) {
			case *devices.Numeric:
				b.derived = append(b.derived, *m)
			case *devices.Event:
				if m.Code == EventBeat {
					b.beats = append(b.beats, *m)
				} else {
					b.other = append(b.other, *m)
				}
			}
		default:
			if b.sub.Dropped() > 0 || b.probe.Dropped() > 0 {
				b.t.Fatalf("hub dropped messages: analysis %d, probe %d", b.sub.Dropped(), b.probe.Dropped())
			}
			return
		}
	}
}

// advance moves the clock to to, ticking at each whole second on the way.
func (b *bedside) advance(to time.Time) {
	for !b.nextTick.After(to) {
		b.now = b.nextTick
		b.a.tick(b.now)
		b.nextTick = b.nextTick.Add(time.Second)
	}
	if to.After(b.now) {
		b.now = to
	}
}

// send publishes m from slot now.
func (b *bedside) send(slot string, m devices.Message) {
	b.hub.Publish(Envelope{Device: slot, Msg: m})
	b.pump()
}

// numerics sends one value per second from slot for d, starting a second
// from now: v(i) is the i-th value.
func (b *bedside) numerics(slot string, code uint32, d time.Duration, v func(i int) float64) {
	for i := 0; i < int(d/time.Second); i++ {
		b.advance(b.now.Add(time.Second))
		b.send(slot, &devices.Numeric{Code: code, Value: v(i), Time: b.now, Status: devices.Valid})
	}
}

// raised returns the journal's raised entries of alarm id.
func (b *bedside) raised(id string) []alarms.Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []alarms.Entry
	for _, en := range b.entries {
		if en.Action == alarms.Raised && en.AlarmID == id {
			out = append(out, en)
		}
	}
	return out
}

// raisedKind returns every raised entry of one kind.
func (b *bedside) raisedKind(k devices.EventKind) []alarms.Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []alarms.Entry
	for _, en := range b.entries {
		if en.Action == alarms.Raised && en.Kind == k {
			out = append(out, en)
		}
	}
	return out
}

// wave streams a device's signal in 40 ms chunks, counts at scale units
// per count, with its host times on the simulated clock.
type wave struct {
	b     *bedside
	slot  string
	sig   devices.Signal
	seq   uint64
	frame []float64
	start time.Time
	n     int64 // samples sent
}

func (b *bedside) declare(slot string, s devices.Signal) *wave {
	b.send(slot, &s)
	return &wave{b: b, slot: slot, sig: s, frame: make([]float64, 1), start: b.now}
}

// ecgLeadII declares an ECG lead in µV at rate Hz.
func (b *bedside) ecgLeadII(slot string, rate float64) *wave {
	return b.declare(slot, devices.Signal{ID: "ecg-ii", Label: "ECG II", Kind: devices.KindECG, MDC: devices.MDCECGLeadII,
		Unit: "uV", SampleRate: rate, Scale: 1, Min: -1 << 20, Max: 1<<20 - 1})
}

// stream sends d of src (physical values in the signal's unit after
// scaling by toCounts), flagged with flags (GapBefore on the first
// chunk only).
func (w *wave) stream(src sim.Source, d time.Duration, toCounts float64, flags devices.ChunkFlags) {
	w.b.t.Helper()
	per := int(w.sig.SampleRate * 0.04)
	total := int64(d.Seconds() * w.sig.SampleRate)
	for sent := int64(0); sent < total; {
		n := int(min(int64(per), total-sent))
		c := &devices.Chunk{Signal: w.sig.ID, Seq: w.seq, HostTime: w.timeOf(w.n), Samples: make([]int32, n), Flags: flags}
		flags &^= devices.GapBefore // only the first chunk follows the gap
		for i := range c.Samples {
			if err := src.Next(w.frame); err != nil {
				w.b.t.Fatal(err)
			}
			c.Samples[i] = int32(math.Round(w.frame[0] * toCounts))
		}
		w.seq++
		w.n += int64(n)
		sent += int64(n)
		w.b.advance(w.timeOf(w.n))
		w.b.send(w.slot, c)
	}
}

func (w *wave) timeOf(n int64) time.Time {
	return w.start.Add(time.Duration(float64(n) / w.sig.SampleRate * float64(time.Second)))
}

// isoelectric is an ECG with no beats: the baseline wander and the
// amplifier noise of sim.NewSyntheticECG, in mV at 500 Hz.
type isoelectric struct {
	rng   *rand.Rand
	t     float64
	noise float64
}

func newIsoelectric(seed int64, noise float64) *isoelectric {
	return &isoelectric{rng: rand.New(rand.NewSource(seed)), noise: noise}
}

func (s *isoelectric) Rate() float64 { return sim.ECGRate }
func (s *isoelectric) Channels() int { return 1 }
func (s *isoelectric) Next(f []float64) error {
	f[0] = 0.03*math.Sin(2*math.Pi*0.25*s.t) + s.noise*s.rng.NormFloat64()
	s.t += 1.0 / sim.ECGRate
	return nil
}

// lastDerived returns the last numeric the analysis published with label.
func (b *bedside) lastDerived(label string) (devices.Numeric, bool) {
	for i := len(b.derived) - 1; i >= 0; i-- {
		if b.derived[i].Label == label {
			return b.derived[i], true
		}
	}
	return devices.Numeric{}, false
}
