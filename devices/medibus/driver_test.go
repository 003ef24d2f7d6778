package medibus

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func chunksOf(msgs []devices.Message, id string) []*devices.Chunk {
	var out []*devices.Chunk
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok && c.Signal == id {
			out = append(out, c)
		}
	}
	return out
}

// The simulated ventilator asks for the host's ID and sends NOPs every
// 20 ms and drops the link if one goes unanswered for 300 ms: the stream
// must run without a break.
func TestDriverAnswersTheDevice(t *testing.T) {
	s := &Simulator{Speed: 5, Requests: 20 * time.Millisecond, LinkTimeout: 300 * time.Millisecond}
	msgs := devicetest.Run(t, s.Run, &Driver{Poll: 50 * time.Millisecond},
		func(m []devices.Message) bool { return len(chunksOf(m, "flow")) >= 100 }) // 8 s of source time
	info, ok := msgs[0].(*devices.DeviceInfo)
	if !ok || info.Model != "Evita4" || info.Firmware != "04.05" || info.Protocol != Protocol {
		t.Fatalf("first message %#v", msgs[0])
	}
	for _, c := range append(chunksOf(msgs, "paw"), chunksOf(msgs, "flow")...) {
		if c.Flags&devices.GapBefore != 0 {
			t.Fatalf("chunk %s/%d after a gap: the link dropped", c.Signal, c.Seq)
		}
	}
	for _, m := range msgs {
		if e, ok := m.(*devices.Event); ok {
			t.Errorf("event %+v", e)
		}
	}
}

// A device that drops the link (no traffic for 200 ms while the driver
// only speaks every 2 s) sends ICC again; the driver answers, starts over
// and the curves resume, marked as after a gap.
func TestDriverRecoversADroppedLink(t *testing.T) {
	s := &Simulator{Speed: 1, Requests: -1, LinkTimeout: 200 * time.Millisecond}
	d := &Driver{Poll: time.Hour, KeepAlive: 2 * time.Second}
	gapSeen := func(m []devices.Message) bool {
		for _, c := range chunksOf(m, "paw") {
			if c.Flags&devices.GapBefore != 0 && c.Seq > 0 {
				return true
			}
		}
		return false
	}
	var resumed int
	msgs := devicetest.Run(t, s.Run, d, func(m []devices.Message) bool {
		if !gapSeen(m) {
			return false
		}
		resumed++
		return resumed > 5 // a few chunks after the gap
	})
	sigs := 0
	for _, m := range msgs {
		if _, ok := m.(*devices.Signal); ok {
			sigs++
		}
	}
	if sigs != 2 {
		t.Errorf("%d signals announced, want paw and flow once each", sigs)
	}
	cs := chunksOf(msgs, "paw")
	for i, c := range cs {
		if c.Seq != uint64(i) {
			t.Fatalf("chunk %d has seq %d", i, c.Seq)
		}
	}
}

// fakeDevice plays the device by hand: it records every item the driver
// sends and lets the test write raw bytes.
type fakeDevice struct {
	end   *devicetest.End
	items chan Item
}

func newFakeDevice(end *devicetest.End) *fakeDevice {
	f := &fakeDevice{end: end, items: make(chan Item, 64)}
	go func() {
		dec := NewDecoder(end)
		for {
			it, err := dec.Next()
			if err != nil {
				close(f.items)
				return
			}
			f.items <- it
		}
	}()
	return f
}

func (f *fakeDevice) expect(tb testing.TB, kind ItemKind, response bool, cmd byte) Item {
	tb.Helper()
	for {
		select {
		case it, ok := <-f.items:
			if !ok {
				tb.Fatalf("link closed waiting for %02X", cmd)
			}
			if it.Kind == ItemFrame && it.Frame.Cmd == CmdNOP && !it.Frame.Response && cmd != CmdNOP {
				continue // keep-alives may come any time
			}
			if it.Kind != kind || (kind == ItemFrame && (it.Frame.Response != response || it.Frame.Cmd != cmd)) ||
				(kind == ItemSync && it.Sync.Cmd != cmd) {
				tb.Fatalf("got %+v, want kind %d response %v cmd %02X", it, kind, response, cmd)
			}
			return it
		case <-time.After(3 * time.Second):
			tb.Fatalf("nothing for %02X", cmd)
		}
	}
}

func TestDriverDialogue(t *testing.T) {
	dev, hostEnd := devicetest.Pipe()
	f := newFakeDevice(dev)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var mu sync.Mutex
	var msgs []devices.Message
	go func() {
		done <- (&Driver{Poll: time.Hour}).Run(ctx, hostEnd, func(m devices.Message) {
			mu.Lock()
			msgs = append(msgs, m)
			mu.Unlock()
		})
	}()
	write := func(b []byte) {
		if _, err := dev.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	f.expect(t, ItemFrame, false, CmdICC)
	write(Response(CmdICC, ""))
	f.expect(t, ItemFrame, false, CmdDeviceID)
	// The device asks who the host is before it answers.
	write(Command(CmdDeviceID, ""))
	if it := f.expect(t, ItemFrame, true, CmdDeviceID); string(it.Frame.Data) != "TW01'Telewave'01.00" {
		t.Errorf("host id %q", it.Frame.Data)
	}
	write(Command(CmdNOP, ""))
	f.expect(t, ItemFrame, true, CmdNOP)
	write(Response(CmdDeviceID, DeviceID{ID: "0A0B", Name: "Savina", Revision: "3.30"}.Encode()))
	f.expect(t, ItemFrame, false, CmdRTConfig)
	write(Response(CmdRTConfig, EncodeRTConfig(DefaultCurves[1:]))) // flow and volume only
	if it := f.expect(t, ItemFrame, false, CmdRTConfigure); string(it.Frame.Data) != "0101" {
		t.Errorf("configure %q, want flow only", it.Frame.Data)
	}
	write(Response(CmdRTConfigure, ""))
	if it := f.expect(t, ItemSync, false, SyncEnable1); it.Sync.Arg != 0xC1 {
		t.Errorf("enable argument %02X, want C1 (stream 1)", it.Sync.Arg)
	}
	f.expect(t, ItemSync, false, SyncEnd)
	// One set of flow, cut in the middle of a measured-values answer that
	// nobody asked for (ignored), then the real one.
	write(EncodeRealtime(Realtime{Mask: 1, Samples: []uint16{2040}}))
	cancel()
	f.expect(t, ItemSync, false, SyncEnable1) // curves off…
	f.expect(t, ItemSync, false, SyncEnd)
	f.expect(t, ItemFrame, false, CmdStop) // …and communication stopped
	hostEnd.Close()
	dev.Close()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if info, ok := msgs[0].(*devices.DeviceInfo); !ok || info.Model != "Savina" {
		t.Errorf("first message %#v", msgs[0])
	}
	var sig *devices.Signal
	for _, m := range msgs {
		if s, ok := m.(*devices.Signal); ok {
			sig = s
		}
	}
	if sig == nil || sig.ID != "flow" || sig.RawCode != "rt:01" || sig.Physical(2040) != 0 {
		t.Errorf("signal %+v", sig)
	}
}

func TestProbe(t *testing.T) {
	t.Run("ventilator", func(t *testing.T) {
		dev, host := net.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		s := &Simulator{}
		simDone := make(chan error, 1)
		go func() { simDone <- s.Run(ctx, dev) }()
		err := NewDriver(nil).Probe(ctx, host)
		cancel()
		host.Close()
		dev.Close()
		<-simDone
		if err != nil {
			t.Errorf("Probe = %v", err)
		}
	})
	for _, tt := range []struct {
		name  string
		reply []byte
	}{
		{"silence", nil},
		{"another protocol", []byte("\x7e\x01\x02OK\r\n")},
		{"a NOP answer is not an ICC answer", Response(CmdNOP, "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dev, host := net.Pipe()
			go func() {
				buf := make([]byte, 64)
				if _, err := dev.Read(buf); err != nil {
					return
				}
				_, _ = dev.Write(tt.reply)
				_, _ = io.Copy(io.Discard, dev)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := NewDriver(nil).Probe(ctx, host)
			host.Close()
			dev.Close()
			if !errors.Is(err, devices.ErrNotThisDevice) {
				t.Errorf("Probe = %v, want ErrNotThisDevice", err)
			}
		})
	}
}

// The simulator slips ASCII bytes between realtime sets.
func TestSimulatorInterleaves(t *testing.T) {
	dev, host := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Simulator{Requests: -1}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, dev) }()
	var got []byte
	var mu sync.Mutex
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := host.Read(buf)
			mu.Lock()
			got = append(got, buf[:n]...)
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	for _, b := range [][]byte{Command(CmdICC, ""), Command(CmdRTConfigure, "0001"), EnableRealtime(1), Command(CmdDataCP1, "")} {
		if _, err := host.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		items, _ := decodeAll(t, got)
		raw := bytes.Clone(got)
		mu.Unlock()
		var values *Frame
		for _, it := range items {
			if it.Kind == ItemFrame && it.Frame.Cmd == CmdDataCP1 {
				values = &it.Frame
			}
		}
		if values != nil {
			// Between the response's start and its CR there are realtime bytes.
			start := bytes.Index(raw, []byte{SOH, CmdDataCP1})
			end := start + bytes.IndexByte(raw[start:], CR)
			if bytes.IndexFunc(raw[start:end], func(r rune) bool { return r >= 0x80 || r == 0xFFFD }) < 0 {
				t.Errorf("values answer not interleaved: %q", raw[start:end])
			}
			if vs, err := ParseValues(values.Data); err != nil || len(vs) != len(DefaultValues(0)) {
				t.Errorf("values %+v %v", vs, err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no measured values")
		}
		time.Sleep(5 * time.Millisecond) // polling interval
	}
	cancel()
	dev.Close()
	host.Close()
	<-done
}
