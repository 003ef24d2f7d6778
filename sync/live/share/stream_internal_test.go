package share

import (
	"math"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/wire"
)

var (
	t0    = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ecgII = devices.Signal{ID: "ecg-ii", Kind: devices.KindECG, SampleRate: 500}
	pcg   = devices.Signal{ID: "pcg", Kind: devices.KindAudio, SampleRate: 4000}
	env   = devices.Signal{ID: "pcg-env", Kind: devices.KindAudio, SampleRate: 100}
)

func chunk(id string, at time.Duration, flags devices.ChunkFlags, samples ...int32) *devices.Chunk {
	return &devices.Chunk{Signal: id, HostTime: t0.Add(at), Flags: flags, Samples: samples}
}

func ramp(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

func TestStreamerChunks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		msgs   []devices.Message
		waves  []wire.WaveChunk // Samples compared by length when long
		audio  int              // audio chunks
		sigs   []string         // definitions in the state
		sendOK bool
	}{
		{name: "contiguous chunks join", sendOK: true,
			msgs:  []devices.Message{&ecgII, chunk("ecg-ii", 0, 0, 1, 2), chunk("ecg-ii", 4*time.Millisecond, 0, 3, 4)},
			waves: []wire.WaveChunk{{Handle: 1, Seq: 0, Time: t0, Samples: []int32{1, 2, 3, 4}}},
			sigs:  []string{"ecg-ii"}},
		{name: "a gap starts a new chunk", sendOK: true,
			msgs: []devices.Message{&ecgII, chunk("ecg-ii", 0, 0, 1, 2), chunk("ecg-ii", time.Second, devices.GapBefore, 3)},
			waves: []wire.WaveChunk{{Handle: 1, Seq: 0, Time: t0, Samples: []int32{1, 2}},
				{Handle: 1, Seq: 1, Time: t0.Add(time.Second), Flags: devices.GapBefore, Samples: []int32{3}}},
			sigs: []string{"ecg-ii"}},
		{name: "other flags start a new chunk", sendOK: true,
			msgs: []devices.Message{&ecgII, chunk("ecg-ii", 0, 0, 1), chunk("ecg-ii", 2*time.Millisecond, devices.LeadOff, 2)},
			waves: []wire.WaveChunk{{Handle: 1, Seq: 0, Time: t0, Samples: []int32{1}},
				{Handle: 1, Seq: 1, Time: t0.Add(2 * time.Millisecond), Flags: devices.LeadOff, Samples: []int32{2}}},
			sigs: []string{"ecg-ii"}},
		{name: "a long chunk goes in pieces", sendOK: true,
			msgs: []devices.Message{&ecgII, chunk("ecg-ii", 0, devices.GapBefore, ramp(maxPieceSamples+10)...)},
			waves: []wire.WaveChunk{{Handle: 1, Seq: 0, Time: t0, Flags: devices.GapBefore, Samples: ramp(maxPieceSamples)},
				{Handle: 1, Seq: 1, Time: t0.Add(maxPieceSamples * 2 * time.Millisecond), Samples: ramp(maxPieceSamples + 10)[maxPieceSamples:]}},
			sigs: []string{"ecg-ii"}},
		{name: "sound goes as audio, its envelope not at all", sendOK: true,
			msgs:  []devices.Message{&pcg, &env, chunk("pcg", 0, 0, 1, 2, 3), chunk("pcg-env", 0, 0, 9)},
			audio: 1, sigs: []string{"pcg"}},
		{name: "a chunk before its signal gets a placeholder", sendOK: true,
			msgs:  []devices.Message{chunk("resp", 0, 0, 5)},
			waves: []wire.WaveChunk{{Handle: 1, Seq: 0, Time: t0, Samples: []int32{5}}},
			sigs:  []string{"resp"}},
		{name: "nobody admitted: forgotten", sendOK: false,
			msgs: []devices.Message{&ecgII, chunk("ecg-ii", 0, 0, 1, 2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStreamer(t0)
			for _, m := range tc.msgs {
				st.publish("dev", m, t0)
			}
			got := st.take(t0.Add(40*time.Millisecond), tc.sendOK)
			if !chunksEqual(got.waves, tc.waves) {
				t.Errorf("waves\n got %+v\nwant %+v", got.waves, tc.waves)
			}
			if len(got.audio) != tc.audio {
				t.Errorf("audio chunks %d, want %d", len(got.audio), tc.audio)
			}
			var sigs []string
			if got.state != nil {
				for _, d := range got.state.Signals {
					sigs = append(sigs, d.Signal.ID)
				}
			}
			if !slices.Equal(sigs, tc.sigs) {
				t.Errorf("signals in the state %v, want %v", sigs, tc.sigs)
			}
			if again := st.take(t0.Add(80*time.Millisecond), true); len(again.waves)+len(again.audio) != 0 || again.state != nil {
				t.Errorf("a second take repeats: %+v", again)
			}
		})
	}
}

func chunksEqual(a, b []wire.WaveChunk) bool {
	return slices.EqualFunc(a, b, func(x, y wire.WaveChunk) bool {
		return x.Handle == y.Handle && x.Seq == y.Seq && x.Time.Equal(y.Time) && x.Flags == y.Flags && slices.Equal(x.Samples, y.Samples)
	})
}

// Numerics, events and alarms wait for the next state frame at most every
// 250 ms; a new signal's definition goes out at once.
func TestStreamerStatePacing(t *testing.T) {
	st := newStreamer(t0)
	st.publish("mon", &devices.Numeric{Code: 1, Value: 60}, t0)
	if got := st.take(t0.Add(100*time.Millisecond), true); got.state != nil {
		t.Fatalf("state after 100 ms: %+v", got.state)
	}
	st.publish("mon", &devices.Numeric{Code: 1, Value: 61}, t0)
	st.setAlarms(nil)
	got := st.take(t0.Add(250*time.Millisecond), true)
	if got.state == nil || len(got.state.Numerics) != 2 || got.state.Alarms == nil || len(*got.state.Alarms) != 0 {
		t.Fatalf("state after 250 ms: %+v", got.state)
	}
	st.publish("mon", &devices.Numeric{Code: 2, Value: 7}, t0)
	st.publish("ecg", &ecgII, t0)
	got = st.take(t0.Add(260*time.Millisecond), true)
	if got.state == nil || len(got.state.Signals) != 1 || len(got.state.Numerics) != 1 || got.state.Alarms != nil {
		t.Fatalf("state with a new signal 10 ms later: %+v", got.state)
	}
	snap := st.snapshot(t0)
	if len(snap.Numerics) != 2 || snap.Numerics[0].Value != 61 || snap.Numerics[1].Value != 7 || len(snap.Signals) != 1 || snap.Alarms == nil {
		t.Errorf("snapshot %+v: want the latest of each numeric, the signal and the alarms", snap)
	}
}

// A ticker that stalls drops the oldest waiting samples and marks the
// next chunk as after a gap.
func TestStreamerBounded(t *testing.T) {
	st := newStreamer(t0)
	st.publish("ecg", &ecgII, t0)
	n := maxPendingSamples / 1000
	for i := range n + 10 {
		st.publish("ecg", chunk("ecg-ii", time.Duration(i)*2*time.Second, devices.GapBefore, ramp(1000)...), t0)
	}
	got := st.take(t0, true)
	total := 0
	for _, c := range got.waves {
		total += len(c.Samples)
	}
	if total > maxPendingSamples || st.dropped.Load() == 0 || got.waves[0].Flags&devices.GapBefore == 0 {
		t.Errorf("%d samples kept, %d pieces dropped, first flags %v", total, st.dropped.Load(), got.waves[0].Flags)
	}
}

func TestOutQueueDropsOldestWaveFirst(t *testing.T) {
	msg := func(kind int, tag byte) outMsg { return outMsg{kind: kind, b: []byte{tag}} }
	for _, tc := range []struct {
		name    string
		push    []outMsg
		want    string // tags left, in order
		dropped uint64
	}{
		{"under the bound", []outMsg{msg(kindWave, 'a'), msg(kindOther, 'b')}, "ab", 0},
		{"oldest wave goes", []outMsg{msg(kindWave, 'a'), msg(kindOther, 'b'), msg(kindWave, 'c'), msg(kindWave, 'd')}, "bcd", 1},
		{"audio kept over waves", []outMsg{msg(kindOther, 'a'), msg(kindWave, 'b'), msg(kindOther, 'c'), msg(kindOther, 'd')}, "acd", 1},
		{"no wave: oldest other goes", []outMsg{msg(kindOther, 'a'), msg(kindOther, 'b'), msg(kindOther, 'c'), msg(kindOther, 'd')}, "bcd", 1},
		{"control never dropped nor counted", []outMsg{msg(kindControl, 'x'), msg(kindWave, 'a'), msg(kindOther, 'b'), msg(kindControl, 'y'), msg(kindOther, 'c'), msg(kindControl, 'z')}, "xabycz", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newOutQueue(3)
			for _, m := range tc.push {
				q.push(m)
			}
			var got []byte
			for {
				m, ok := q.tryPop()
				if !ok {
					break
				}
				got = append(got, m.b[0])
			}
			if string(got) != tc.want || q.droppedCount() != tc.dropped {
				t.Errorf("left %q with %d dropped, want %q with %d", got, q.droppedCount(), tc.want, tc.dropped)
			}
		})
	}
}

func TestMarkerRate(t *testing.T) {
	v := &viewer{tokens: markerBurst, refilled: t0}
	taken := 0
	for range 2 * markerBurst {
		if v.take(t0) {
			taken++
		}
	}
	if taken != markerBurst {
		t.Errorf("burst: %d taken, want %d", taken, markerBurst)
	}
	if !v.take(t0.Add(time.Second/markerRate)) || v.take(t0.Add(time.Second/markerRate)) {
		t.Errorf("want exactly one more marker after 1/%d s", markerRate)
	}
}

func TestEventQueueOrderAndCoalescing(t *testing.T) {
	q := startEventQueue()
	var got []int
	block := make(chan struct{})
	q.push(func() { <-block }) // hold the queue while the rest is pushed
	for i := range 3 {
		q.push(func() { got = append(got, i) })
		q.pushCoalesced(func() { got = append(got, 100) })
	}
	close(block)
	q.stop()
	if want := []int{0, 100, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	q.push(func() { t.Error("ran after stop") })
}

// One tick of the hot path: 40 ms of a 3-lead ECG at 500 Hz and a pleth
// at 100 Hz published, taken, encoded and sealed.
func BenchmarkTick(b *testing.B) {
	sid, _ := wire.NewSessionID()
	host, err := wire.NewHost(sid)
	if err != nil {
		b.Fatal(err)
	}
	st := newStreamer(t0)
	leads := []devices.Signal{ecgII, {ID: "ecg-i", Kind: devices.KindECG, SampleRate: 500}, {ID: "ecg-iii", Kind: devices.KindECG, SampleRate: 500}}
	for i := range leads {
		st.publish("ecg", &leads[i], t0)
	}
	st.publish("ox", &devices.Signal{ID: "pleth", Kind: devices.KindPleth, SampleRate: 100}, t0)
	st.take(t0, true)
	ecg := make([]int32, 20)
	b.ReportAllocs()
	var frameBytes int
	for i := range b.N {
		now := t0.Add(time.Duration(i) * 40 * time.Millisecond)
		for j := range ecg {
			ecg[j] = int32(200*math.Sin(float64(i*20+j)/30)) + int32(j%3)
		}
		for _, l := range leads {
			st.publish("ecg", &devices.Chunk{Signal: l.ID, HostTime: now, Samples: ecg}, now)
		}
		st.publish("ox", &devices.Chunk{Signal: "pleth", HostTime: now, Samples: ecg[:4]}, now)
		for _, p := range packChunks(now, st.take(now, true).waves) {
			f, err := host.SealStream(wire.ClassWave, p)
			if err != nil {
				b.Fatal(err)
			}
			frameBytes += len(f)
		}
	}
	b.ReportMetric(float64(frameBytes)/float64(b.N), "bytes/frame")
}
