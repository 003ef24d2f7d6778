package ad8232

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/devices"
)

type readOnly struct{ io.Reader }

func (readOnly) Write(p []byte) (int, error) { return len(p), nil }

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

// collect runs d over wire until the wire ends and returns its messages.
func collect(t *testing.T, d *Driver, wire []byte) []devices.Message {
	t.Helper()
	var msgs []devices.Message
	err := d.Run(context.Background(), readOnly{bytes.NewReader(wire)}, func(m devices.Message) { msgs = append(msgs, m) })
	if !errors.Is(err, io.EOF) {
		t.Fatalf("run ended with %v, want io.EOF", err)
	}
	return msgs
}

func chunksOf(msgs []devices.Message) []*devices.Chunk {
	var out []*devices.Chunk
	for _, m := range msgs {
		if c, ok := m.(*devices.Chunk); ok {
			out = append(out, c)
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

func TestDriverLeadsOff(t *testing.T) {
	// A cut first line, 30 samples, 12 leads-off lines, 40 samples, 1
	// leads-off line, 5 samples. Chunks are 25 samples (100 ms at 250 Hz).
	wire := []byte("12\r\n")
	v := int32(0)
	add := func(n int, off bool) {
		for range n {
			wire = AppendLine(wire, Line{Value: v % 1024, LeadsOff: off})
			if !off {
				v++
			}
		}
	}
	add(30, false)
	add(12, true)
	add(40, false)
	add(1, true)
	add(5, false)
	msgs := collect(t, NewDriver(fakeClock(4*time.Millisecond)), wire)

	type chunk struct {
		n     int
		flags devices.ChunkFlags
	}
	var got []chunk
	var samples []int32
	for _, c := range chunksOf(msgs) {
		got = append(got, chunk{len(c.Samples), c.Flags})
		samples = append(samples, c.Samples...)
	}
	gapOff := devices.GapBefore | devices.LeadOff
	// The last 5 samples stay in the unfinished chunk when the wire ends.
	want := []chunk{{25, 0}, {5, 0}, {25, gapOff}, {15, 0}}
	if !slices.Equal(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	for i, s := range samples {
		if s != int32(i) {
			t.Fatalf("sample %d is %d", i, s)
		}
	}
	off, on := eventsOf(msgs, devices.EventLeadOff), eventsOf(msgs, EventLeadOn)
	if len(off) != 2 || len(on) != 2 || off[0].Priority != devices.Medium {
		t.Errorf("%d lead-off and %d lead-on events", len(off), len(on))
	}
	// Host times keep counting sample periods through the leads-off run:
	// chunk 2 starts 30 + 12 lines after chunk 0.
	cs := chunksOf(msgs)
	if d := cs[2].HostTime.Sub(cs[0].HostTime); d != 42*4*time.Millisecond {
		t.Errorf("chunk 2 starts %v after chunk 0, want %v", d, 42*4*time.Millisecond)
	}
	if len(eventsOf(msgs, devices.EventBadFrame)) != 0 {
		t.Error("the cut first line is not a bad frame")
	}
}

func TestDriverBadLines(t *testing.T) {
	// Bad lines at line 10, 20 (within a second of the first report) and
	// 600 (over a second later, at 4 ms a line).
	wire := []byte("\r\n")
	for n := range 700 {
		switch n {
		case 10:
			wire = append(wire, "oops\r\n"...)
		case 20:
			wire = append(wire, "99999\r\n"...)
		case 600:
			wire = append(wire, "\r\n"...)
		}
		wire = AppendLine(wire, Line{Value: int32(n % 1024)})
	}
	msgs := collect(t, NewDriver(fakeClock(4*time.Millisecond)), wire)
	bad := eventsOf(msgs, devices.EventBadFrame)
	want := []string{"6 bytes", "7 bytes", "2 bytes"}
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
	n := 0
	for _, c := range chunksOf(msgs) {
		n += len(c.Samples)
		if c.Flags != 0 {
			t.Errorf("chunk %d flagged %b: bad lines are not a gap the stream shows", c.Seq, c.Flags)
		}
	}
	if n != 700 {
		t.Errorf("%d samples, want 700", n)
	}
}

func TestDriverSignal(t *testing.T) {
	tests := []struct {
		name  string
		d     *Driver
		link  string
		mv1   float64 // counts per mV
		base  int32
		rate  float64
		label string
	}{
		{"defaults: Uno at 5 V", NewDriver(nil), "115200 8N1", 1024 * 1.1 / 5, 338, 250, "ECG"},
		{"3.3 V board, 9600 baud, 100 Hz", &Driver{Baud: 9600, ADCRefV: 3.3, Baseline: 512, Rate: 100, Label: "I"},
			"9600 8N1", 1024 * 1.1 / 3.3, 512, 100, "I"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.d.Signal()
			if tt.d.Link().String() != tt.link || tt.d.Protocol() != "ad8232" {
				t.Errorf("link %s", tt.d.Link())
			}
			if math.Abs(1/s.Scale-tt.mv1) > 1e-9 || s.Baseline != tt.base || s.SampleRate != tt.rate ||
				s.Label != tt.label || s.Unit != "mV" || s.Min != 0 || s.Max != 1023 {
				t.Errorf("signal %+v", s)
			}
			if s.Physical(tt.base) != 0 {
				t.Error("baseline is not 0 mV")
			}
		})
	}
}
