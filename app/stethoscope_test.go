package app

import (
	"bytes"
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"telewave/audio"
	"telewave/devices"
	"telewave/dsp/audiofilter"
	"telewave/formats/wav"
	"telewave/storage"
)

// The stethoscope publishes what it plays as the PCG signal; an input that
// goes away gives a disconnected event and, once back, a chunk marked as
// following a gap — as a serial device does.
func TestStethoscopePublishesAndSurvivesUnplug(t *testing.T) {
	var phase int
	var pmu sync.Mutex
	b := &audio.Clocked{Source: func(p []float32) {
		pmu.Lock()
		defer pmu.Unlock()
		for i := range p {
			p[i] = float32(0.3 * math.Sin(2*math.Pi*150*float64(phase)/PCGRate))
			phase++
		}
	}}
	var mu sync.Mutex
	var chunks []*devices.Chunk
	var events []string
	publish := func(e Envelope) {
		mu.Lock()
		defer mu.Unlock()
		switch m := e.Msg.(type) {
		case *devices.Chunk:
			if m.Signal == PCGSignal.ID {
				chunks = append(chunks, m)
			}
		case *devices.Event:
			events = append(events, m.Code)
		}
	}
	s, err := NewStethoscope(StethoscopeConfig{Audio: func() (audio.Backend, error) { return b, nil },
		Mode: audiofilter.Diaphragm, Publish: publish, Retry: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx) }()
	defer func() { cancel(); <-done }()

	samples := func() (n int, gaps int) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range chunks {
			n += len(c.Samples)
			if c.Flags&devices.GapBefore != 0 {
				gaps++
			}
		}
		return n, gaps
	}
	eventually(t, 10*time.Second, "half a second of PCG", func() bool { n, _ := samples(); return n >= PCGRate/2 })
	mu.Lock()
	loud := 0
	for _, c := range chunks {
		for _, v := range c.Samples {
			if v > 3000 || v < -3000 {
				loud++
			}
		}
	}
	mu.Unlock()
	if loud == 0 {
		t.Fatal("a 150 Hz tone through the diaphragm filter came out silent")
	}
	b.Unplug("sim-in")
	eventually(t, 10*time.Second, "the disconnected event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range events {
			if e == devices.EventDisconnected {
				return true
			}
		}
		return false
	})
	b.Plug("sim-in")
	eventually(t, 10*time.Second, "the stream resumed after a gap", func() bool { _, g := samples(); return g == 1 })
	if lat := s.Latency(); lat.N == 0 || lat.P50 <= 0 {
		t.Fatalf("no latency measured: %+v", lat)
	}
}

// A clip records the sound as heard, is sealed in the store with its
// site, and waits in the outbox for the EHR.
func TestStethoscopeClipGoesToTheStoreAndOutbox(t *testing.T) {
	store, p := openStore(t)
	b := &audio.Clocked{Source: func(q []float32) {
		for i := range q {
			q[i] = 0.2
		}
	}}
	s, err := NewStethoscope(StethoscopeConfig{Audio: func() (audio.Backend, error) { return b, nil },
		Mode: audiofilter.Extended, Publish: func(Envelope) {}, Clips: store, PatientMRN: p.MRN, User: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordClip("elbow", 0); err == nil {
		t.Fatal("an unknown site was accepted")
	}
	if err := s.RecordClip(storage.SiteMitral, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordClip(storage.SiteMitral, time.Second); err == nil {
		t.Fatal("a second clip started while one records")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	eventually(t, 10*time.Second, "the clip saved", func() bool { return s.ClipStatus().Saved == 1 })
	units, err := store.ClaimDue(context.Background(), time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	var clip *storage.Clip
	for _, u := range units {
		if u.Clip != nil {
			clip = u.Clip
		}
	}
	if clip == nil || clip.Site != storage.SiteMitral || clip.PatientMRN != p.MRN {
		t.Fatalf("outbox units %+v: no mitral clip for the patient", units)
	}
	a, err := wav.Read(bytes.NewReader(clip.WAV))
	if err != nil || a.Rate != PCGRate || a.Frames() != PCGRate/2 {
		t.Fatalf("clip WAV: %v, %+v", err, a)
	}
}
