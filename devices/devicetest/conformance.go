package devicetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

// Harness is what a protocol package hands the conformance suite.
type Harness struct {
	// Driver is the driver under test.
	Driver devices.Driver
	// Simulate runs the protocol's simulator on its end of the link until
	// ctx is done or the link is closed. It must record what it sends.
	Simulate func(ctx context.Context, port io.ReadWriter) error
	// Sent returns the counts the simulator has written whole so far, by
	// signal ID: the samples the driver must give back exactly.
	Sent func() map[string][]int32
	// MinSamples is how many samples of each signal to receive before
	// stopping (0 = 120).
	MinSamples int
	// Timeout bounds the run (0 = 10 s).
	Timeout time.Duration
	// Numerics, when set, returns every numeric the simulator has written
	// whole so far, in order (times are not compared): the driver must give
	// back a prefix of them, at least MinNumerics long.
	Numerics    func() []devices.Numeric
	MinNumerics int
	// Seconds, when set, asks each signal for that much simulated time:
	// Seconds × its sample rate samples (instead of MinSamples).
	Seconds float64
}

// recorder collects emitted messages; emit may be called from any goroutine.
type recorder struct {
	mu   sync.Mutex
	msgs []devices.Message
}

func (r *recorder) emit(m devices.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []devices.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// ucum accepts the unit strings drivers use: "%", "/min", "1", "uV", "mV",
// "mm[Hg]", "Cel", "{beats}/min" and their like, never free text with spaces.
var ucum = regexp.MustCompile(`^(1|%|/?[A-Za-z{}\[\]0-9.]+(/[A-Za-z{}\[\]0-9.]+)*)$`)

// Conformance runs h's simulator and driver over an in-memory link and
// checks what every driver promises: DeviceInfo first, each Signal before
// any of its Chunks, Seq counting 1 by 1 per signal, samples equal to what
// the simulator sent, numerics with UCUM units and known statuses, and Run
// returning promptly once ctx is cancelled and the port closed.
func Conformance(t *testing.T, h Harness) {
	t.Helper()
	devEnd, hostEnd := Pipe()
	run(t, h, devEnd, hostEnd)
}

// run drives h over the two ends of a link and checks the outcome.
func run(t *testing.T, h Harness, devEnd, hostEnd io.ReadWriteCloser) []devices.Message {
	t.Helper()
	minSamples := h.MinSamples
	if minSamples == 0 {
		minSamples = 120
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	simErr, drvErr := make(chan error, 1), make(chan error, 1)
	go func() { simErr <- h.Simulate(ctx, devEnd) }()
	rec := &recorder{}
	go func() { drvErr <- h.Driver.Run(ctx, hostEnd, rec.emit) }()

	// Wait until every signal has enough samples, and enough numerics came.
	deadline := time.Now().Add(timeout)
	for {
		msgs := rec.snapshot()
		got, sigs := decoded(msgs)
		enough := len(sigs) > 0 || (minSamples < 0 && h.Numerics != nil)
		for _, s := range sigs {
			want := minSamples
			if h.Seconds > 0 {
				want = int(math.Ceil(h.Seconds * s.SampleRate))
			}
			enough = enough && len(got[s.ID]) >= want
		}
		enough = enough && len(numericsOf(msgs)) >= h.MinNumerics
		if enough {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d signals, samples %v, %d numerics; want %d samples each and %d numerics",
				timeout, len(sigs), counts(got), len(numericsOf(msgs)), minSamples, h.MinNumerics)
		}
		select {
		case err := <-drvErr:
			t.Fatalf("driver stopped early: %v", err)
		case err := <-simErr:
			t.Fatalf("simulator stopped early: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}

	cancel()
	devEnd.Close()
	hostEnd.Close()
	for name, ch := range map[string]chan error{"driver": drvErr, "simulator": simErr} {
		select {
		case err := <-ch:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("%s returned %v after cancel, want nil or context.Canceled", name, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s did not return within 2 s of cancel and close", name)
		}
	}

	msgs := rec.snapshot()
	t.Run("order", func(t *testing.T) { checkOrder(t, msgs) })
	t.Run("numerics", func(t *testing.T) { checkNumerics(t, msgs) })
	if h.Numerics != nil {
		t.Run("numeric values", func(t *testing.T) { checkNumericValues(t, numericsOf(msgs), h.Numerics()) })
	}
	t.Run("samples", func(t *testing.T) {
		got, sigs := decoded(msgs)
		sent := h.Sent()
		for _, s := range sigs {
			g, w := got[s.ID], sent[s.ID]
			if len(g) > len(w) {
				t.Errorf("signal %s: decoded %d samples, simulator sent only %d", s.ID, len(g), len(w))
				continue
			}
			if i := firstDiff(g, w); i >= 0 {
				t.Errorf("signal %s: sample %d decoded %d, sent %d", s.ID, i, g[i], w[i])
			}
			for _, c := range g {
				if c < s.Min || c > s.Max {
					t.Errorf("signal %s: count %d outside [%d, %d]", s.ID, c, s.Min, s.Max)
					break
				}
			}
		}
	})
	return msgs
}

func numericsOf(msgs []devices.Message) []devices.Numeric {
	var out []devices.Numeric
	for _, m := range msgs {
		if n, ok := m.(*devices.Numeric); ok {
			out = append(out, *n)
		}
	}
	return out
}

// checkNumericValues wants got to be a prefix of sent, times aside.
func checkNumericValues(t *testing.T, got, sent []devices.Numeric) {
	t.Helper()
	if len(got) > len(sent) {
		t.Errorf("decoded %d numerics, simulator sent only %d", len(got), len(sent))
		return
	}
	for i, g := range got {
		w := sent[i]
		same := g.Code == w.Code && g.Label == w.Label && g.Unit == w.Unit && g.Status == w.Status &&
			g.RawCode == w.RawCode && (g.Value == w.Value || math.Abs(g.Value-w.Value) <= 1e-9*math.Abs(w.Value))
		if !same {
			t.Errorf("numeric %d: decoded %+v, sent %+v", i, g, w)
			return
		}
	}
}

// decoded concatenates each signal's chunk samples.
func decoded(msgs []devices.Message) (map[string][]int32, []*devices.Signal) {
	got := map[string][]int32{}
	var sigs []*devices.Signal
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Signal:
			sigs = append(sigs, m)
		case *devices.Chunk:
			got[m.Signal] = append(got[m.Signal], m.Samples...)
		}
	}
	return got, sigs
}

func counts(got map[string][]int32) string {
	s := ""
	for id, v := range got {
		s += fmt.Sprintf("%s:%d ", id, len(v))
	}
	return s
}

func firstDiff(got, want []int32) int {
	for i := range got {
		if got[i] != want[i] {
			return i
		}
	}
	return -1
}

func checkOrder(t *testing.T, msgs []devices.Message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	if _, ok := msgs[0].(*devices.DeviceInfo); !ok {
		t.Errorf("first message is %s, want device", msgs[0].MessageType())
	}
	known := map[string]*devices.Signal{}
	nextSeq := map[string]uint64{}
	lastHost := map[string]time.Time{}
	for i, m := range msgs {
		switch m := m.(type) {
		case *devices.DeviceInfo:
			if i != 0 {
				t.Errorf("message %d: a second DeviceInfo", i)
			}
			if m.Protocol == "" {
				t.Error("DeviceInfo without protocol")
			}
		case *devices.Signal:
			if known[m.ID] != nil {
				t.Errorf("message %d: signal %s announced twice", i, m.ID)
			}
			if m.SampleRate <= 0 || m.Scale == 0 || m.Unit == "" || m.Min >= m.Max {
				t.Errorf("signal %s incomplete: %+v", m.ID, *m)
			}
			known[m.ID] = m
		case *devices.Chunk:
			if known[m.Signal] == nil {
				t.Fatalf("message %d: chunk of %s before its Signal", i, m.Signal)
			}
			if m.Seq != nextSeq[m.Signal] {
				t.Fatalf("signal %s: chunk seq %d, want %d", m.Signal, m.Seq, nextSeq[m.Signal])
			}
			nextSeq[m.Signal]++
			if len(m.Samples) == 0 {
				t.Errorf("signal %s seq %d: empty chunk", m.Signal, m.Seq)
			}
			if m.HostTime.IsZero() || m.HostTime.Before(lastHost[m.Signal]) {
				t.Errorf("signal %s seq %d: host time %v not after %v", m.Signal, m.Seq, m.HostTime, lastHost[m.Signal])
			}
			lastHost[m.Signal] = m.HostTime
		}
	}
}

func checkNumerics(t *testing.T, msgs []devices.Message) {
	t.Helper()
	for _, m := range msgs {
		n, ok := m.(*devices.Numeric)
		if !ok {
			continue
		}
		if !ucum.MatchString(n.Unit) {
			t.Errorf("numeric %s: unit %q is not UCUM", n.Label, n.Unit)
		}
		switch n.Status {
		case devices.Valid, devices.QuestionableValue, devices.Unavailable:
		default:
			t.Errorf("numeric %s: status %d", n.Label, n.Status)
		}
		if n.Code == 0 && n.Label == "" {
			t.Error("numeric with neither code nor label")
		}
		if n.Time.IsZero() {
			t.Errorf("numeric %s without time", n.Label)
		}
	}
}
