package app

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"telewave/audio"
	"telewave/devices"
	"telewave/dsp/audiofilter"
	"telewave/formats/wav"
	"telewave/storage"
)

// stethRig is the live stethoscope on a Manual clocked sound card: the
// test puts sound on the chest piece (feed), which steps the card's clock,
// and reads what reached the headphones (the card's Sink), the hub (the
// published PCG) and the clip store — the same path a real device takes.
type stethRig struct {
	t     *testing.T
	card  *audio.Clocked
	steth *Stethoscope

	mu     sync.Mutex
	play   []float32 // what the chest piece picks up next; then silence
	fed    int       // samples captured so far
	heard  []float32 // what reached the headphones
	pcg    []int32   // the PCG published on the hub
	gaps   int       // PCG chunks marked GapBefore
	events []string
	states []devices.State
	chosen [][2]string // OnDevices calls
	clips  []storage.Clip
}

// stethPeriod is the rig's audio callback period: 20 samples at 4 kHz.
const stethPeriod = 5 * time.Millisecond

// newStethRig starts Serve on card (made Manual, its Source and Sink the
// rig's) and waits until both streams run.
func newStethRig(t *testing.T, card *audio.Clocked, mode audiofilter.Mode, setup func(*StethoscopeConfig)) *stethRig {
	t.Helper()
	r := &stethRig{t: t, card: card}
	card.Manual = true
	card.Source = r.capture
	card.Sink = func(p []float32, _ time.Time) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.heard = append(r.heard, p...)
	}
	cfg := StethoscopeConfig{Audio: func() (audio.Backend, error) { return card, nil }, Mode: mode,
		Period: stethPeriod, Retry: 50 * time.Millisecond, Publish: r.publish, Clips: r,
		PatientMRN: "MRN-0001", User: "admin",
		OnDevices: func(in, out string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.chosen = append(r.chosen, [2]string{in, out})
		}}
	if setup != nil {
		setup(&cfg)
	}
	s, err := NewStethoscope(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.steth = s
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	r.waitStreams(2)
	return r
}

func (r *stethRig) capture(p []float32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := copy(p, r.play)
	r.play = r.play[n:]
	r.fed += len(p)
}

func (r *stethRig) publish(e Envelope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch m := e.Msg.(type) {
	case *devices.Chunk:
		if m.Signal == PCGSignal.ID {
			r.pcg = append(r.pcg, m.Samples...)
			if m.Flags&devices.GapBefore != 0 {
				r.gaps++
			}
		}
	case *devices.Event:
		r.events = append(r.events, m.Code)
	case *devices.State:
		r.states = append(r.states, *m)
	}
}

// QueueClip is the rig's clip store.
func (r *stethRig) QueueClip(_ context.Context, c storage.Clip) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clips = append(r.clips, c)
	return int64(len(r.clips)), nil
}

// feed plays x into the chest piece, half a second of clock at a time,
// waiting after each for the hub to have published all that was captured
// (the tap holds 2 s, so nothing is lost to the drain's pace).
func (r *stethRig) feed(x []float32) {
	r.t.Helper()
	r.mu.Lock()
	r.play = append(r.play, x...)
	periods := (len(r.play) + 19) / 20
	r.mu.Unlock()
	for periods > 0 {
		n := min(periods, 100)
		r.card.Step(n)
		periods -= n
		eventually(r.t, 10*time.Second, "the hub to publish what was captured", func() bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			return len(r.pcg) == r.fed
		})
	}
}

// waitStreams waits until n streams run on the card.
func (r *stethRig) waitStreams(n int) {
	r.t.Helper()
	eventually(r.t, 10*time.Second, "the stethoscope's streams", func() bool { return len(r.card.Streams()) == n })
}

func (r *stethRig) snapshot() (heard []float32, pcg []int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.heard), slices.Clone(r.pcg)
}

func (r *stethRig) hasEvent(code string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.events, code)
}

// tone is a sine of amplitude a at f Hz, n samples at the PCG rate.
func tone(f, a float64, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(a * math.Sin(2*math.Pi*f*float64(i)/PCGRate))
	}
	return x
}

func rms(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}

func dB(ratio float64) float64 { return 20 * math.Log10(ratio) }

// maxJump is the largest sample-to-sample step in x: a click.
func maxJump(x []float32) float64 {
	var m float64
	for i := 1; i < len(x); i++ {
		m = max(m, math.Abs(float64(x[i])-float64(x[i-1])))
	}
	return m
}

// heartSound reads a CirCor recording from ../shared/data (ODC-By, read
// in place), or skips loudly when the shared data is absent.
func heartSound(t *testing.T, name string) []float32 {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("SKIPPED: no repository root above the test; heart sound %s not read", name)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", "heart-sounds", "circor", name)
	f, err := os.Open(p)
	if err != nil {
		t.Skipf("SKIPPED: shared heart sound %s is absent (%v)", p, err)
	}
	defer f.Close()
	a, err := wav.Read(f)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if a.Rate != PCGRate || a.Channels != 1 {
		t.Fatalf("%s: %d Hz, %d channels; CirCor is 4 kHz mono", p, a.Rate, a.Channels)
	}
	return a.Mono()
}

// offline runs x through a fresh sound path in mode at gain dB: what the
// live path must have produced.
func offline(t *testing.T, x []float32, mode audiofilter.Mode, gain float64) []float32 {
	t.Helper()
	f, err := audiofilter.New(PCGRate, mode)
	if err != nil {
		t.Fatal(err)
	}
	f.SetGain(gain)
	y := slices.Clone(x)
	for i := 0; i < len(y); i += 20 { // in the live path's blocks
		f.Process(y[i:min(i+20, len(y))])
	}
	return y
}
