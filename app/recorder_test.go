package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
)

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

func pleth() *devices.Signal {
	return &devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, Unit: "1", SampleRate: 60, Scale: 1, Max: 127}
}

func ramp(from, n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(from + i)
	}
	return s
}

func TestRecorderWritesSealedChunksOfAtMostOneSecond(t *testing.T) {
	store, p := openStore(t)
	ctx := context.Background()
	r := NewRecorder(store, p.ID, func() time.Time { return t0 }, nil)
	r.Observe(Envelope{Device: "ox", Msg: &devices.DeviceInfo{Protocol: "contec", Model: "CMS50F"}})
	r.Observe(Envelope{Device: "ox", Msg: pleth()})
	// 150 samples in chunks of 3, then a gap, then 30 more.
	for i := 0; i < 50; i++ {
		r.Observe(Envelope{Device: "ox", Msg: &devices.Chunk{Signal: "pleth", Seq: uint64(i), HostTime: t0.Add(time.Duration(i*3) * time.Second / 60), Samples: ramp(i*3, 3)}})
	}
	r.Observe(Envelope{Device: "ox", Msg: &devices.Chunk{Signal: "pleth", Seq: 50, HostTime: t0.Add(10 * time.Second), Samples: ramp(1000, 30), Flags: devices.GapBefore}})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rec := r.Recordings()["ox"]
	got, err := store.Chunks(ctx, rec, "pleth")
	if err != nil {
		t.Fatal(err)
	}
	wantLens := []int{60, 60, 30, 30}
	if len(got) != len(wantLens) {
		t.Fatalf("%d chunks stored, want %d", len(got), len(wantLens))
	}
	var all []int32
	for i, c := range got {
		if len(c.Samples) != wantLens[i] || c.Seq != uint64(i) {
			t.Errorf("chunk %d: %d samples seq %d, want %d samples seq %d", i, len(c.Samples), c.Seq, wantLens[i], i)
		}
		if gap := c.Flags&devices.GapBefore != 0; gap != (i == 3) {
			t.Errorf("chunk %d gap flag = %v", i, gap)
		}
		all = append(all, c.Samples...)
	}
	want := append(ramp(0, 150), ramp(1000, 30)...)
	for i := range want {
		if all[i] != want[i] {
			t.Fatalf("sample %d = %d, want %d", i, all[i], want[i])
		}
	}
	if !got[1].HostTime.Equal(t0.Add(time.Second)) {
		t.Errorf("second chunk starts at %v, want %v", got[1].HostTime, t0.Add(time.Second))
	}
}

// failingStore fails AppendChunks until healed: the recorder must keep
// the chunks and raise the trouble, not lose samples.
type failingStore struct {
	ChunkStore
	fail bool
}

func (f *failingStore) AppendChunks(ctx context.Context, id int64, c []devices.Chunk) error {
	if f.fail {
		return errors.New("disk full")
	}
	return f.ChunkStore.AppendChunks(ctx, id, c)
}

func TestRecorderKeepsChunksWhileTheStoreFails(t *testing.T) {
	store, p := openStore(t)
	fs := &failingStore{ChunkStore: store, fail: true}
	var alarms []devices.Event
	r := NewRecorder(fs, p.ID, func() time.Time { return t0 }, func(e devices.Event) { alarms = append(alarms, e) })
	ctx := context.Background()
	r.Observe(Envelope{Device: "ox", Msg: pleth()})
	r.Observe(Envelope{Device: "ox", Msg: &devices.Chunk{Signal: "pleth", HostTime: t0, Samples: ramp(0, 90)}})
	if err := r.Flush(ctx); err == nil {
		t.Fatal("flush on a failing store returned no error")
	}
	if len(alarms) != 1 || alarms[0].Code != "storage-error" || alarms[0].Priority != devices.High {
		t.Fatalf("alarms = %+v", alarms)
	}
	fs.fail = false
	r.Observe(Envelope{Device: "ox", Msg: &devices.Chunk{Signal: "pleth", HostTime: t0.Add(1500 * time.Millisecond), Samples: ramp(90, 10)}})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := store.Chunks(ctx, r.Recordings()["ox"], "pleth")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range got {
		n += len(c.Samples)
	}
	if n != 100 {
		t.Fatalf("%d samples stored after recovery, want all 100", n)
	}
}

func TestCharterChartsFreshValidVitalsIntoTheOutbox(t *testing.T) {
	store, p := openStore(t)
	ctx := context.Background()
	now := t0
	var kicked int64
	c := NewCharter(store, p.MRN, "admin", time.Minute, func() time.Time { return now }, func(id int64) { kicked = id })
	if _, err := c.ChartNow(ctx); !errors.Is(err, ErrNothingToChart) {
		t.Fatalf("chart with no data: %v", err)
	}
	c.Observe(Envelope{Device: "ox", Msg: &devices.DeviceInfo{Protocol: "contec", Model: "CMS50F"}})
	c.Observe(Envelope{Device: "ox", Msg: &devices.Numeric{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97, Unit: "%", Time: now}})
	c.Observe(Envelope{Device: "ox", Msg: &devices.Numeric{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 72, Unit: "/min", Time: now}})
	c.Observe(Envelope{Device: "ox", Msg: &devices.Numeric{Code: devices.MDCECGHeartRate, Label: "HR", Value: 0, Unit: "/min", Time: now, Status: devices.Unavailable}})
	ch, err := c.ChartNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Vitals) != 2 || ch.Device.Model != "CMS50F" || kicked == 0 {
		t.Fatalf("chart = %+v (kicked %d)", ch, kicked)
	}
	units, err := store.ClaimDue(ctx, time.Now(), 10) // the store stamps units with its own clock
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].Chart == nil || units[0].Chart.ID != ch.ID || units[0].Chart.PatientMRN != p.MRN {
		t.Fatalf("outbox = %+v", units)
	}
	now = now.Add(time.Minute) // values are now stale
	if _, err := c.ChartNow(ctx); !errors.Is(err, ErrNothingToChart) {
		t.Fatalf("stale values were charted: %v", err)
	}
	var _ storage.Chart = ch
}

func TestRecorderRaisesLossOfHubMessages(t *testing.T) {
	var h Hub
	sub := h.Subscribe("recorder", 1)
	var alarms []devices.Event
	r := NewRecorder(nil, 1, func() time.Time { return t0 }, func(e devices.Event) { alarms = append(alarms, e) })
	for i := 0; i < 5; i++ {
		h.Publish(Envelope{Device: "ox", Msg: &devices.Chunk{}})
	}
	seen := r.checkLoss(sub, 0)
	if seen != 4 || len(alarms) != 1 || alarms[0].Priority != devices.High || !strings.Contains(alarms[0].Text, "4 device messages lost") {
		t.Fatalf("seen %d, alarms %+v", seen, alarms)
	}
	if r.checkLoss(sub, seen); len(alarms) != 1 {
		t.Fatal("the same loss was raised twice")
	}
}

func TestRecorderStoresDeviceEvents(t *testing.T) {
	store, p := openStore(t)
	r := NewRecorder(store, p.ID, func() time.Time { return t0 }, nil)
	ctx := context.Background()
	off := &devices.Event{Kind: devices.Technical, Code: devices.EventSensorOff, Text: "finger out", Time: t0, Priority: devices.Low}
	r.Observe(Envelope{Device: "ox", Msg: pleth()})
	r.Observe(Envelope{Device: "ox", Msg: off}) // before any sample: waits for the recording
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	r.Observe(Envelope{Device: "ox", Msg: &devices.Chunk{Signal: "pleth", HostTime: t0, Samples: ramp(0, 30)}})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rec := r.Recordings()["ox"]
	evs, err := store.Events(ctx, rec)
	if err != nil || len(evs) != 1 || evs[0].Code != devices.EventSensorOff || evs[0].Text != "finger out" {
		t.Fatalf("events of recording %d = %+v, %v", rec, evs, err)
	}
}
