package audio

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

func TestRingKeepsOrderDropsOldestAndCounts(t *testing.T) {
	q := NewRing(8)
	q.Write([]float32{1, 2, 3, 4, 5})
	q.Write([]float32{6, 7, 8, 9, 10}) // two too many: 1 and 2 go
	got := make([]float32, 10)
	n := q.Read(got)
	if n != 8 || got[0] != 3 || got[7] != 10 {
		t.Fatalf("read %d: %v", n, got[:n])
	}
	st := q.Stats()
	if st.Dropped != 2 || st.Underruns != 1 || st.Written != 10 || st.Read != 8 {
		t.Fatalf("stats %+v", st)
	}
	q.Write(make([]float32, 20)) // larger than the ring: keeps the newest 8
	if q.Len() != 8 {
		t.Fatalf("len %d after an oversize write", q.Len())
	}
}

// A sine through the clocked backend's listener comes out whole and in
// order, and the latency it reports is bounded by the buffering.
func TestListenerPassesSoundAndMeasuresLatency(t *testing.T) {
	const rate = 4000
	var mu sync.Mutex
	var phase int
	var heard []float32
	b := &Clocked{
		Source: func(p []float32) {
			mu.Lock()
			defer mu.Unlock()
			for i := range p {
				p[i] = float32(0.5 * math.Sin(2*math.Pi*100*float64(phase)/rate))
				phase++
			}
		},
		Sink: func(p []float32, _ time.Time) {
			mu.Lock()
			defer mu.Unlock()
			heard = append(heard, p...)
		},
	}
	tap := NewRing(rate)
	l, err := Listen(b, ListenConfig{Rate: rate, Period: 5 * time.Millisecond, Tap: tap})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(heard)
		mu.Unlock()
		if n >= rate/2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.Close()
	mu.Lock()
	defer mu.Unlock()
	// Skip leading silence, then the output must be the sine, sample by sample
	// (a dropped or repeated sample breaks the recurrence).
	k := 0
	for k < len(heard) && heard[k] == 0 {
		k++
	}
	if len(heard)-k < rate/4 {
		t.Fatalf("heard %d samples after %d of silence", len(heard)-k, k)
	}
	c := 2 * math.Cos(2*math.Pi*100/rate)
	bad := 0
	for i := k + 2; i < len(heard); i++ {
		if heard[i] == 0 && heard[i-1] == 0 {
			continue // an underrun gap under load is silence, counted below
		}
		want := c*float64(heard[i-1]) - float64(heard[i-2])
		if heard[i-2] != 0 && heard[i-1] != 0 && math.Abs(float64(heard[i])-want) > 1e-3 {
			bad++
		}
	}
	st := l.Stats()
	if bad > int(st.Underruns)*2+int(st.Dropped) {
		t.Fatalf("%d samples out of sequence (underruns %d, dropped %d)", bad, st.Underruns, st.Dropped)
	}
	lat := l.Latency()
	if lat.N == 0 || lat.P50 <= 0 || lat.P50 > 250*time.Millisecond {
		t.Fatalf("latency %+v", lat)
	}
	if tap.Stats().Written == 0 {
		t.Fatal("the tap saw nothing")
	}
	t.Logf("clocked backend, 5 ms periods: p50 %v p99 %v (+%v device buffering), underruns %d", lat.P50, lat.P99, lat.Device, st.Underruns)
}

func TestUnplugStopsTheStreamAndReplugReopens(t *testing.T) {
	b := &Clocked{}
	stopped := make(chan error, 1)
	p, err := NewPlayer(b, Config{Rate: 8000, Period: 10 * time.Millisecond, OnStop: func(err error) { stopped <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b.Unplug("sim-out")
	select {
	case err := <-stopped:
		if !errors.Is(err, ErrNoDevice) {
			t.Fatalf("stop reason %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("unplug not reported")
	}
	if _, err := b.OpenOutput(Config{Rate: 8000, Period: 10 * time.Millisecond}, func([]float32) {}); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("open while unplugged: %v", err)
	}
	b.Plug("sim-out")
	p2, err := NewPlayer(b, Config{Rate: 8000, Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatalf("reopen after replug: %v", err)
	}
	p2.Close()
}

func TestPlayerPlaysAClipOnce(t *testing.T) {
	var mu sync.Mutex
	var loud int
	b := &Clocked{Sink: func(p []float32, _ time.Time) {
		mu.Lock()
		defer mu.Unlock()
		for _, v := range p {
			if v != 0 {
				loud++
			}
		}
	}}
	p, err := NewPlayer(b, Config{Rate: 8000, Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	clip := Resample([]int16{1000, 2000, 3000, 4000}, 4, 8000) // 1 s at 8 kHz from 4 samples at 4 Hz
	if len(clip) != 8000 {
		t.Fatalf("resampled %d samples", len(clip))
	}
	p.Play(clip[:800])
	deadline := time.Now().Add(10 * time.Second)
	for p.Finished() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if p.Finished() != 1 || loud != 800 || p.Playing() {
		t.Fatalf("finished %d, %d loud samples (want 800), playing %v", p.Finished(), loud, p.Playing())
	}
}

func TestConfigChecked(t *testing.T) {
	b := &Clocked{}
	for _, c := range []Config{{Rate: 10, Period: 10 * time.Millisecond}, {Rate: 8000}, {Rate: 8000, Period: time.Hour}} {
		if _, err := b.OpenOutput(c, func([]float32) {}); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
