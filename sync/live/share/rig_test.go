package share_test

import (
	"context"
	"math"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
	"telewave/sync/live/relay"
	"telewave/sync/live/share"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
)

// rig is a relay on the loopback, optionally behind a recording proxy,
// and a share connected to it.
type rig struct {
	t      testing.TB
	relay  *relay.Relay
	srv    *httptest.Server
	proxy  *wsProxy // nil without one
	share  *share.Share
	admit  bool // admit every knock
	mu     sync.Mutex
	knocks []share.Knocker
	audits []string
	marks  []wire.Marker
	links  []share.LinkState // as OnChange heard them
}

type rigOpts struct {
	relay relay.Config
	proxy bool // host and viewers reach the relay through a wsProxy
	// relayDown hears each message the relay sends through the proxy.
	relayDown func(path string, msg []byte)
	// smallBuffers gives the relay's connections a 16 KiB send buffer,
	// so that a slow reader backs up into the relay's own queue within a
	// second rather than after megabytes of kernel buffer.
	smallBuffers bool
	noAdmit      bool
	config       func(*share.Config)
}

func newRig(t testing.TB, o rigOpts) *rig {
	t.Helper()
	r := &rig{t: t, admit: !o.noAdmit}
	r.relay = relay.New(o.relay)
	r.srv = httptest.NewUnstartedServer(r.relay)
	if o.smallBuffers {
		r.srv.Listener = smallSendBuffers{r.srv.Listener}
	}
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.relay.Close)
	base := r.srv.URL
	if o.proxy {
		r.proxy = newWSProxy(t, strings.TrimPrefix(r.srv.URL, "http://"), 0, o.relayDown)
		base = r.proxy.URL()
	}
	cfg := share.Config{
		Relay:   base,
		Patient: wire.Patient{Name: "Zebulon Quetzalcoatl", MRN: "MRN-77-31-4159"},
		OnKnock: func(k share.Knocker) {
			r.mu.Lock()
			r.knocks = append(r.knocks, k)
			admit := r.admit
			r.mu.Unlock()
			if admit {
				if err := r.share.Admit(k.ID); err != nil {
					t.Errorf("admit %d: %v", k.ID, err)
				}
			}
		},
		OnMarker: func(_ string, m wire.Marker) {
			r.mu.Lock()
			r.marks = append(r.marks, m)
			r.mu.Unlock()
		},
		OnChange: func(st share.Status) {
			r.mu.Lock()
			if n := len(r.links); n == 0 || r.links[n-1] != st.Link {
				r.links = append(r.links, st.Link)
			}
			r.mu.Unlock()
		},
		Audit: func(action, detail string) {
			r.mu.Lock()
			r.audits = append(r.audits, action+": "+detail)
			r.mu.Unlock()
		},
		Logf: t.Logf,
	}
	if o.config != nil {
		o.config(&cfg)
	}
	s, err := share.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.share = s
	t.Cleanup(s.End)
	// The relay answers the host's upgrade a moment before it registers
	// the share; a viewer that came in between would find no share.
	eventually(t, "the share registered at the relay", 5*time.Second, func() bool { return r.relay.Stats().Sessions == 1 })
	return r
}

type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// auditCount counts audit lines of one action.
func (r *rig) auditCount(action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, a := range r.audits {
		if strings.HasPrefix(a, action+":") {
			n++
		}
	}
	return n
}

func (r *rig) knockCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.knocks)
}

// join joins the rig's share as name, through link (the share's own when
// empty), and collects what arrives.
func (r *rig) join(name string) (*view.Session, *collector) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sess, err := view.Join(ctx, r.share.Link(), name)
	if err != nil {
		r.t.Fatalf("join %s: %v", name, err)
	}
	r.t.Cleanup(func() { sess.Close() })
	return sess, collect(sess)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The signals the feeder publishes: a 3-lead ECG at 500 Hz, a pleth at
// 100 Hz, the stethoscope's sound at 4 kHz and its 100 Hz envelope (which
// must not be sent).
var (
	ecgSignals = []devices.Signal{
		{ID: "ecg-i", Label: "ECG I", Kind: devices.KindECG, MDC: devices.MDCECGLeadI, Unit: "mV", SampleRate: 500, Scale: 0.005, Min: -32768, Max: 32767},
		{ID: "ecg-ii", Label: "ECG II", Kind: devices.KindECG, MDC: devices.MDCECGLeadII, Unit: "mV", SampleRate: 500, Scale: 0.005, Min: -32768, Max: 32767},
		{ID: "ecg-iii", Label: "ECG III", Kind: devices.KindECG, MDC: devices.MDCECGLeadIII, Unit: "mV", SampleRate: 500, Scale: 0.005, Min: -32768, Max: 32767},
	}
	plethSignal = devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, MDC: devices.MDCPulsOximPleth, Unit: "1", SampleRate: 100, Scale: 1.0 / 4095, Max: 4095}
	pcgSignal   = devices.Signal{ID: "pcg", Label: "PCG", Kind: devices.KindAudio, Unit: "1", SampleRate: 4000, Scale: 1.0 / 32768, Min: -32768, Max: 32767}
	bulkSignal  = devices.Signal{ID: "bulk", Label: "Noise", Kind: devices.KindOther, Unit: "1", SampleRate: 50000, Scale: 1, Min: -32768, Max: 32767}
	pcgEnvelope = devices.Signal{ID: "pcg-env", Label: "PCG envelope", Kind: devices.KindAudio, Unit: "1", SampleRate: 100, Scale: 1.0 / 32768, Max: 32767}
)

// feeder publishes realistic signals to a share in real time, every
// 10 ms as a monitor's drivers would, and keeps what it published.
type feeder struct {
	pub   func(device string, m devices.Message)
	audio bool // also the stethoscope
	noise int  // extra wide noise on the ECG, in counts (a worst case)
	bulk  bool // also a 50 kHz noise wave: more than a thin link carries
	// vitals publishes HR, SpO2 and pulse rate once a second.
	vitals bool
	// ecg gives the three leads' next sample in counts of 5 µV; nil: a
	// synthetic ECG.
	ecg    func() [3]int32
	mu     sync.Mutex
	sent   map[string][]int32
	cancel context.CancelFunc
	done   chan struct{}
}

func (f *feeder) start() {
	f.sent = map[string][]int32{}
	for _, s := range ecgSignals {
		f.pub("ecg", &s)
	}
	f.pub("oximeter", &plethSignal)
	if f.audio {
		f.pub("stethoscope", &pcgSignal)
		f.pub("stethoscope", &pcgEnvelope)
	}
	if f.bulk {
		f.pub("bulk", &bulkSignal)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.done = cancel, make(chan struct{})
	go f.run(ctx)
}

func (f *feeder) stop() {
	f.cancel()
	<-f.done
}

func (f *feeder) samples(id string) []int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int32(nil), f.sent[id]...)
}

func (f *feeder) run(ctx context.Context) {
	defer close(f.done)
	ecg := sim.NewSyntheticECG(72, 7)
	pleth := sim.NewSyntheticPleth(72, 8)
	rng := rand.New(rand.NewPCG(1, 2))
	frame := make([]float64, 1)
	seq := map[string]uint64{}
	start := time.Now()
	done := map[string]int{}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	ph := 0.0 // the heart sound's phase
	ticks := 0
	emit := func(device string, sig devices.Signal, now time.Time, n int, next func() int32) {
		if n <= 0 {
			return
		}
		samples := make([]int32, n)
		for i := range samples {
			samples[i] = next()
		}
		first := start.Add(time.Duration(float64(done[sig.ID]) / sig.SampleRate * float64(time.Second)))
		done[sig.ID] += n
		f.mu.Lock()
		f.sent[sig.ID] = append(f.sent[sig.ID], samples...)
		f.mu.Unlock()
		f.pub(device, &devices.Chunk{Signal: sig.ID, Seq: seq[sig.ID], HostTime: first, Samples: samples})
		seq[sig.ID]++
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if ticks++; f.vitals && ticks%100 == 1 {
			now := time.Now()
			for _, n := range []devices.Numeric{
				{Code: devices.MDCECGHeartRate, Label: "HR", Value: float64(70 + ticks/100%5), Unit: "/min", Time: now},
				{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: float64(95 + ticks/100%3), Unit: "%", Time: now},
				{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: float64(71 + ticks/100%4), Unit: "/min", Time: now},
			} {
				f.pub("monitor", &n)
			}
		}
		el := time.Since(start).Seconds()
		due := func(rate float64, id string) int { return int(el*rate) - done[id] }
		if n := due(500, "ecg-ii"); n > 0 {
			leads := make([][3]int32, n)
			for i := range leads {
				if f.ecg != nil {
					leads[i] = f.ecg()
					continue
				}
				ecg.Next(frame)
				ii := int32(math.Round(frame[0]/0.005)) + int32(rng.IntN(2*f.noise+1)-f.noise)
				i1 := int32(math.Round(0.55*frame[0]/0.005)) + int32(rng.IntN(3)-1)
				leads[i] = [3]int32{i1, ii, ii - i1}
			}
			for l, sig := range ecgSignals {
				k := 0
				emit("ecg", sig, time.Now(), n, func() int32 { k++; return leads[k-1][l] })
			}
		}
		emit("oximeter", plethSignal, time.Now(), due(100, "pleth"), func() int32 {
			pleth.Next(frame)
			return int32(math.Round(frame[0] * 4000))
		})
		if f.audio {
			emit("stethoscope", pcgSignal, time.Now(), due(4000, "pcg"), func() int32 {
				ph += 2 * math.Pi * 60 / 4000
				return int32(3000*math.Sin(ph)) + int32(rng.IntN(801)-400)
			})
			emit("stethoscope", pcgEnvelope, time.Now(), due(100, "pcg-env"), func() int32 { return int32(rng.IntN(3000)) })
		}
		if f.bulk {
			emit("bulk", bulkSignal, time.Now(), due(bulkSignal.SampleRate, "bulk"), func() int32 { return int32(rng.IntN(40001) - 20000) })
		}
	}
}

// collector keeps what a viewer session received.
type collector struct {
	mu       sync.Mutex
	signals  map[string]devices.Signal
	chunks   map[string][]*devices.Chunk
	numerics []devices.Numeric
	events   []devices.Event
	alarms   [][]wire.AlarmRec
	markers  []wire.Marker
	done     chan struct{}
}

func collect(s *view.Session) *collector {
	c := &collector{signals: map[string]devices.Signal{}, chunks: map[string][]*devices.Chunk{}, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for m := range s.Messages() {
			c.mu.Lock()
			switch x := m.Msg.(type) {
			case *devices.Signal:
				c.signals[x.ID] = *x
			case *devices.Chunk:
				c.chunks[x.Signal] = append(c.chunks[x.Signal], x)
			case *devices.Numeric:
				c.numerics = append(c.numerics, *x)
			case *devices.Event:
				c.events = append(c.events, *x)
			case *view.Alarms:
				c.alarms = append(c.alarms, x.List)
			case *view.Marker:
				c.markers = append(c.markers, x.Marker)
			}
			c.mu.Unlock()
		}
	}()
	return c
}

// samples returns the samples received for a signal, in order, and how
// many chunks came after a gap.
func (c *collector) samples(id string) (s []int32, gaps int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.chunks[id] {
		s = append(s, ch.Samples...)
		if ch.Flags&devices.GapBefore != 0 {
			gaps++
		}
	}
	return s, gaps
}

func (c *collector) count(id string) int {
	s, _ := c.samples(id)
	return len(s)
}

func (c *collector) with(fn func(c *collector)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(c)
}
