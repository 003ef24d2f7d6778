package intellivue

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

// collector gathers messages from any goroutine and tells when a condition
// holds.
type collector struct {
	mu   sync.Mutex
	msgs []devices.Message
}

func (c *collector) emit(m devices.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) snapshot() []devices.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]devices.Message(nil), c.msgs...)
}

func chunksOf(msgs []devices.Message, id string) []*devices.Chunk {
	var out []*devices.Chunk
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok && c.Signal == id {
			out = append(out, c)
		}
	}
	return out
}

// pair runs a simulator and a driver over a net.Pipe (whose reads take
// deadlines, so that Run can return on its own error without the port
// being closed) until done says so or Run returns, then stops both and
// returns the messages and Run's error.
func pair(t *testing.T, s *Simulator, d *Driver, wrap func(io.ReadWriter) io.ReadWriter, done func([]devices.Message) bool) ([]devices.Message, error) {
	t.Helper()
	dev, host := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	col := &collector{}
	simErr, drvErr := make(chan error, 1), make(chan error, 1)
	go func() { simErr <- s.Run(ctx, dev) }()
	var port io.ReadWriter = host
	if wrap != nil {
		port = wrap(host)
	}
	go func() { drvErr <- d.Run(ctx, port, col.emit) }()
	var runErr error
	deadline := time.After(20 * time.Second)
wait:
	for !done(col.snapshot()) {
		select {
		case runErr = <-drvErr:
			break wait
		case <-deadline:
			t.Fatalf("timed out with %d messages", len(col.snapshot()))
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	dev.Close()
	host.Close()
	if runErr == nil {
		runErr = <-drvErr
	}
	<-simErr
	return col.snapshot(), runErr
}

func TestDriverNumericsAndStates(t *testing.T) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	s := &Simulator{Speed: 10, Start: start,
		NumericState: func(p uint16, t time.Duration) uint16 {
			switch {
			case p == PhysioSpO2 && t >= 2*time.Second:
				return StateQuestionable
			case p == PhysioHR && t >= 2*time.Second:
				return StateInvalid
			case p == PhysioEtCO2:
				return StateUnavailable
			}
			return 0
		},
		WaveState: func(p uint16, t time.Duration) uint16 {
			switch {
			case p == PhysioPleth && t >= 2*time.Second:
				return StateQuestionable
			case p == PhysioECGII && t >= 2*time.Second:
				return StateInvalid
			}
			return 0
		},
	}
	d := &Driver{Repoll: 50 * time.Millisecond, Location: time.UTC}
	msgs, err := pair(t, s, d, nil, func(m []devices.Message) bool { return len(chunksOf(m, "pleth")) >= 16 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	info := msgs[0].(*devices.DeviceInfo)
	if info.Model != "Philips MP70" || info.Serial != "0009FB123456" || info.Protocol != Protocol {
		t.Errorf("device info %+v", info)
	}

	type want struct {
		code  uint32
		unit  string
		value float64
	}
	wants := map[string]want{
		"HR": {147842, "/min", 0}, "SpO2": {150456, "%", 0}, "PR": {149530, "/min", 0}, "RR": {151562, "/min", 16},
		"NBPs": {150021, "mm[Hg]", 120}, "NBPd": {150022, "mm[Hg]", 80}, "NBPm": {150023, "mm[Hg]", 93},
		"ABPs": {150037, "mm[Hg]", 0}, "ABPd": {150038, "mm[Hg]", 76}, "ABPm": {150039, "mm[Hg]", 90},
		"Temp": {150344, "Cel", 0}, "etCO2": {151728, "mm[Hg]", 38}, "PVC": {0, "/min", 0},
	}
	seen := map[string]int{}
	statuses := map[string][]devices.NumericStatus{}
	for _, m := range msgs {
		n, ok := m.(*devices.Numeric)
		if !ok {
			continue
		}
		w, known := wants[n.Label]
		if !known {
			t.Errorf("unexpected numeric %+v", n)
			continue
		}
		seen[n.Label]++
		if n.Code != w.code || n.Unit != w.unit || (w.value != 0 && n.Value != w.value) {
			t.Errorf("numeric %s = %v %s code %d; want %v %s code %d", n.Label, n.Value, n.Unit, n.Code, w.value, w.unit, w.code)
		}
		if n.Label == "PVC" && n.RawCode != "0x0002:0x4261" {
			t.Errorf("PVC raw code %q", n.RawCode)
		}
		if n.Label == "Temp" && math.Abs(n.Value-37) > 0.35 {
			t.Errorf("Temp %v", n.Value)
		}
		statuses[n.Label] = append(statuses[n.Label], n.Status)
	}
	// States as scripted: etCO2 always unavailable; HR and SpO2 valid for
	// the first two seconds, then unavailable and questionable.
	for label, later := range map[string]devices.NumericStatus{"HR": devices.Unavailable, "SpO2": devices.QuestionableValue,
		"etCO2": devices.Unavailable, "RR": devices.Valid} {
		st := statuses[label]
		i := 0
		for i < len(st) && st[i] == devices.Valid && later != devices.Valid {
			i++
		}
		if (later != devices.Valid && (i == 0) != (label == "etCO2")) || i == len(st) {
			t.Errorf("%s statuses %v", label, st)
			continue
		}
		for _, x := range st[i:] {
			if x != later {
				t.Errorf("%s statuses %v, want valid then %v", label, st, later)
				break
			}
		}
	}
	if len(seen) != len(wants) {
		t.Errorf("numerics seen %v", seen)
	}

	// Signals scaled from SCALE_SPECN_I16 and timed from TIME_PD_SAMP.
	sigs := map[string]devices.Signal{}
	for _, m := range msgs {
		if s, ok := m.(*devices.Signal); ok {
			sigs[s.ID] = *s
		}
	}
	ecg, pleth := sigs["ecg-ii"], sigs["pleth"]
	if ecg.SampleRate != 500 || math.Abs(ecg.Scale-0.005) > 1e-12 || ecg.Baseline != 8192 || ecg.Unit != "mV" || ecg.MDC != devices.MDCECGLeadII || ecg.Max != 16383 {
		t.Errorf("ECG II signal %+v", ecg)
	}
	if pleth.SampleRate != 125 || pleth.Unit != "1" || pleth.Kind != devices.KindPleth {
		t.Errorf("pleth signal %+v", pleth)
	}
	if abp := sigs["abp"]; len(sigs) != 4 || abp.Unit != "mm[Hg]" || math.Abs(abp.Scale-0.05) > 1e-12 || abp.Baseline != 800 || abp.SampleRate != 125 {
		t.Errorf("signals %v; ABP %+v", sigs, abp)
	}

	// Flags follow the wave states; device time steps 256 ms per reply.
	for _, tc := range []struct {
		id   string
		flag devices.ChunkFlags
	}{{"pleth", devices.Questionable}, {"ecg-ii", devices.LeadOff}} {
		cs := chunksOf(msgs, tc.id)
		first := cs[0].DeviceTime
		for i, c := range cs {
			at := c.DeviceTime.Sub(first)
			if i > 0 && c.DeviceTime.Sub(cs[i-1].DeviceTime) != BlockTime {
				t.Errorf("%s chunk %d: device time step %v", tc.id, i, c.DeviceTime.Sub(cs[i-1].DeviceTime))
			}
			late := c.DeviceTime.Sub(start) >= 2*time.Second
			if got := c.Flags&tc.flag != 0; got != late {
				t.Errorf("%s chunk %d at %v: flags %b", tc.id, i, at, c.Flags)
			}
		}
		if first.Before(start) || first.Sub(start)%BlockTime != 0 {
			t.Errorf("%s first device time %v, start %v", tc.id, first, start)
		}
	}
}

func TestDriverWaveList(t *testing.T) {
	s := &Simulator{Speed: 10}
	// RESP is not in this monitor: it is left out, the rest keeps its order.
	d := &Driver{Repoll: 50 * time.Millisecond, Waves: []uint16{PhysioABP, PhysioResp, PhysioECGIII}}
	msgs, _ := pair(t, s, d, nil, func(m []devices.Message) bool { return len(chunksOf(m, "ecg-iii")) >= 3 })
	var ids []string
	for _, m := range msgs {
		if s, ok := m.(*devices.Signal); ok {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) != 2 || ids[0] != "abp" || ids[1] != "ecg-iii" {
		t.Errorf("signals %v, want [abp ecg-iii]", ids)
	}
}

func TestDriverRefused(t *testing.T) {
	msgs, err := pair(t, &Simulator{Refuse: true}, &Driver{}, nil, func([]devices.Message) bool { return false })
	if !errors.Is(err, ErrRefused) {
		t.Errorf("Run = %v, want ErrRefused", err)
	}
	if len(msgs) != 0 {
		t.Errorf("%d messages from a refused association", len(msgs))
	}
}

// A monitor that stops answering: the driver reports it and returns, so
// the supervisor reconnects.
func TestDriverMonitorStopsAnswering(t *testing.T) {
	s := &Simulator{Speed: 10, MuteAfter: 5 * time.Second} // half a second of wall time
	d := &Driver{Repoll: 50 * time.Millisecond, ReplyTimeout: 300 * time.Millisecond, ReleaseWait: 50 * time.Millisecond}
	msgs, err := pair(t, s, d, nil, func([]devices.Message) bool { return false })
	if !errors.Is(err, ErrNoReply) {
		t.Errorf("Run = %v, want ErrNoReply", err)
	}
	if len(chunksOf(msgs, "ecg-ii")) == 0 {
		t.Error("no chunks before the monitor fell silent")
	}
}

// The monitor drops the association when the host stops polling.
func TestSimulatorKeepAlive(t *testing.T) {
	s := &Simulator{Speed: 10, KeepAlive: 3 * time.Second}               // 0.3 s of wall time
	d := &Driver{Repoll: 2 * time.Second, ReplyTimeout: 5 * time.Second} // polls too rarely
	_, err := pair(t, s, d, nil, func([]devices.Message) bool { return false })
	if !errors.Is(err, ErrAborted) {
		t.Errorf("Run = %v, want ErrAborted", err)
	}
}

// On cancel the driver releases the association and the monitor answers.
func TestDriverReleases(t *testing.T) {
	dev, host := net.Pipe()
	defer dev.Close()
	defer host.Close()
	s := &Simulator{Speed: 10}
	sctx, scancel := context.WithCancel(context.Background())
	defer scancel()
	go s.Run(sctx, dev)
	col := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Driver{Repoll: 50 * time.Millisecond}).Run(ctx, host, col.emit) }()
	for len(chunksOf(col.snapshot(), "ecg-ii")) < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	if !s.Associated() {
		t.Fatal("simulator not associated while streaming")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	if s.Associated() {
		t.Error("association still held after the driver returned")
	}
}

// corrupter flips the FCS of the nth long frame (a wave reply) on its way
// to the driver.
type corrupter struct {
	io.ReadWriter
	n, frames, size int
}

func (c *corrupter) Read(p []byte) (int, error) {
	n, err := c.ReadWriter.Read(p)
	for i := range p[:n] {
		switch p[i] {
		case frameStart:
			c.size = 0
		case frameEnd:
			if c.size > 600 {
				if c.frames++; c.frames == c.n && i > 0 {
					p[i-1] ^= 0x01
				}
			}
		}
		c.size++
	}
	return n, err
}

func TestDriverBadFrameResync(t *testing.T) {
	s := &Simulator{Speed: 10, Record: true}
	d := &Driver{Repoll: 50 * time.Millisecond, Waves: []uint16{PhysioECGII, PhysioECGV, PhysioPleth}}
	wrap := func(p io.ReadWriter) io.ReadWriter { return &corrupter{ReadWriter: p, n: 5} }
	msgs, _ := pair(t, s, d, wrap, func(m []devices.Message) bool { return len(chunksOf(m, "ecg-ii")) >= 12 })
	bad, after := 0, 0
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Event:
			if m.Code == devices.EventBadFrame {
				bad++
			}
		case *devices.Chunk:
			if bad > 0 && m.Signal == "ecg-ii" {
				after++
			}
		}
	}
	if bad != 1 || after < 3 {
		t.Fatalf("%d bad-frame events, %d ECG chunks after", bad, after)
	}
	// The lost reply shows as a gap, and everything else arrived intact.
	cs := chunksOf(msgs, "ecg-ii")
	gaps := 0
	var got []int32
	for _, c := range cs {
		if c.Flags&devices.GapBefore != 0 {
			gaps++
		}
		got = append(got, c.Samples...)
	}
	if gaps != 1 {
		t.Errorf("%d chunks with GapBefore, want 1", gaps)
	}
	sent := s.Sent()["ecg-ii"]
	if len(sent)-len(got) < 128 {
		t.Fatalf("decoded %d of %d samples: the corrupt reply was not dropped", len(got), len(sent))
	}
}
