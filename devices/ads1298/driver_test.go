package ads1298

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func samplesOf(msgs []devices.Message) map[string][]int32 {
	out := map[string][]int32{}
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok {
			out[c.Signal] = append(out[c.Signal], c.Samples...)
		}
	}
	return out
}

func eventsOf(msgs []devices.Message, code string) []*devices.Event {
	var out []*devices.Event
	for _, m := range msgs {
		if e, ok := m.(*devices.Event); ok && e.Code == code {
			out = append(out, e)
		}
	}
	return out
}

// chunksBySignal groups the chunks per lead, in order.
func chunksBySignal(msgs []devices.Message) map[string][]*devices.Chunk {
	out := map[string][]*devices.Chunk{}
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok {
			out[c.Signal] = append(out[c.Signal], c)
		}
	}
	return out
}

func TestDriverGapsAndLeadOff(t *testing.T) {
	// Packets 60..62 are lost; LA is off for packets 100..149 and V3 for
	// 200..224 (exactly chunk 8). Chunks are 25 packets long, so the gap
	// cuts chunk 2 short at packet 59.
	s := &Simulator{Record: true,
		Drop: func(n uint64) bool { return n >= 60 && n < 63 },
		LeadOff: func(n uint64) Electrode {
			switch {
			case n >= 100 && n < 150:
				return LA
			case n >= 200 && n < 225:
				return V3
			}
			return 0
		}}
	msgs := devicetest.Run(t, s.Run, NewDriver(nil), devicetest.Chunks("I", 12))
	by := chunksBySignal(msgs)

	gaps := eventsOf(msgs, devices.EventDataGap)
	if len(gaps) != 1 || !strings.Contains(gaps[0].Text, "3 packets lost") {
		t.Errorf("data-gap events %+v", gaps)
	}
	for _, l := range Leads {
		cs := by[l.ID]
		if len(cs[2].Samples) != 10 || cs[3].Flags&devices.GapBefore == 0 || cs[2].Flags&devices.GapBefore != 0 {
			t.Errorf("%s: chunk 2 has %d samples, chunk 3 flags %b", l.ID, len(cs[2].Samples), cs[3].Flags)
		}
	}
	// After the gap chunks restart at packet 63: 63..87, 88..112 (LA off
	// from 100), 113..137, 138..162 (LA on from 150), 163..187, 188..212
	// (V3 off from 200), 213..237.
	wantOff := map[string][]int{
		"I": {4, 5, 6}, "II": nil, "III": {4, 5, 6}, "aVR": {4, 5, 6}, "aVF": {4, 5, 6},
		"V1": {4, 5, 6}, "V3": {4, 5, 6, 8, 9}, "V4": {4, 5, 6},
	}
	for id, want := range wantOff {
		var got []int
		for i, c := range by[id] {
			if c.Flags&devices.LeadOff != 0 {
				got = append(got, i)
			}
		}
		if !equal(got, want) {
			t.Errorf("%s: lead-off chunks %v, want %v", id, got, want)
		}
	}
	off, on := eventsOf(msgs, devices.EventLeadOff), eventsOf(msgs, EventLeadOn)
	if len(off) != 2 || off[0].Text != "electrode off: LA" || off[1].Text != "electrode off: V3" || off[0].Priority != devices.Medium {
		t.Errorf("lead-off events %+v", off)
	}
	if len(on) != 2 || on[0].Text != "electrode back on: LA" || on[1].Text != "electrode back on: V3" {
		t.Errorf("lead-on events %+v", on)
	}
	// While LA is off, I sits at the rail and II does not.
	sent, got := s.Sent(), samplesOf(msgs)
	if got["I"][100-3] != Rail || got["II"][100-3] == Rail {
		t.Errorf("during LA off: I %d, II %d", got["I"][97], got["II"][97])
	}
	for _, l := range Leads {
		if n := len(got[l.ID]); n == 0 || !equal(got[l.ID], sent[l.ID][:n]) {
			t.Errorf("%s: decoded samples differ from sent", l.ID)
		}
	}
}

// fakeClock returns a time that advances step on each call.
func fakeClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := time.Unix(1_700_000_000, 0)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

type readOnly struct{ io.Reader }

func (readOnly) Write(p []byte) (int, error) { return len(p), nil }

// collect runs the driver over wire until it ends and returns its messages.
func collect(t *testing.T, d *Driver, wire []byte) []devices.Message {
	t.Helper()
	var msgs []devices.Message
	err := d.Run(context.Background(), readOnly{bytes.NewReader(wire)}, func(m devices.Message) { msgs = append(msgs, m) })
	if !errors.Is(err, io.EOF) {
		t.Fatalf("run ended with %v, want io.EOF", err)
	}
	return msgs
}

func TestDriverBadFrames(t *testing.T) {
	// Garbage before packets 0, 10 and 1000; one arrival every 2 ms. The
	// second run comes 20 ms after the first report, so it waits for the
	// first packet a second later.
	var wire []byte
	for n := range uint32(1200) {
		switch n {
		case 0:
			wire = append(wire, "hello"...)
		case 10:
			wire = append(wire, Encode(samplePacket(999))[:17]...)
		case 1000:
			wire = append(wire, 0x0A, 0xFA, 0x00)
		}
		wire = AppendFrame(wire, Packet{Counter: n, Channels: [8]int32{int32(n), 2 * int32(n)}})
	}
	msgs := collect(t, NewDriver(fakeClock(2*time.Millisecond)), wire)
	bad := eventsOf(msgs, devices.EventBadFrame)
	want := []string{"5 bytes", "17 bytes", "3 bytes"}
	if len(bad) != len(want) {
		t.Fatalf("%d bad-frame events, want %d", len(bad), len(want))
	}
	for i, e := range bad {
		if !strings.HasPrefix(e.Text, want[i]) {
			t.Errorf("event %d: %q, want %s", i, e.Text, want[i])
		}
		if i > 0 && e.Time.Sub(bad[i-1].Time) < time.Second {
			t.Errorf("event %d only %v after the one before", i, e.Time.Sub(bad[i-1].Time))
		}
	}
	if len(eventsOf(msgs, devices.EventDataGap)) != 0 {
		t.Error("garbage between whole frames is not a data gap")
	}
	got := samplesOf(msgs)
	if len(got["III"]) != 1200 || got["III"][1199] != 1199 || got["aVR"][1199] != -3*1199 {
		t.Errorf("III has %d samples", len(got["III"]))
	}
}

func TestDriverCounterWrapAndRestart(t *testing.T) {
	var wire []byte
	for _, c := range []uint32{1<<32 - 2, 1<<32 - 1, 0, 1, 7, 8} {
		wire = AppendFrame(wire, Packet{Counter: c})
	}
	msgs := collect(t, NewDriver(fakeClock(time.Millisecond)), wire)
	gaps := eventsOf(msgs, devices.EventDataGap)
	if len(gaps) != 1 || gaps[0].Text != "5 packets lost" {
		t.Errorf("gaps %+v", gaps)
	}
	wire = AppendFrame(AppendFrame(nil, Packet{Counter: 5000}), Packet{Counter: 3})
	msgs = collect(t, NewDriver(fakeClock(time.Millisecond)), wire)
	if gaps := eventsOf(msgs, devices.EventDataGap); len(gaps) != 1 || !strings.Contains(gaps[0].Text, "restarted") {
		t.Errorf("restart gaps %+v", gaps)
	}
}

func TestDriverLink(t *testing.T) {
	d := NewDriver(nil)
	if d.Protocol() != "ads1298" || d.Link().String() != "460800 8N1" {
		t.Errorf("%s %s", d.Protocol(), d.Link())
	}
	// The link must carry the stream: 10 bits a byte on the wire.
	if bits := FrameSize * 10 * SampleRate; bits > d.Link().Baud {
		t.Errorf("%d bit/s do not fit %d baud", bits, d.Link().Baud)
	}
}
