//go:build cgo

package audio

import (
	"errors"
	"testing"
	"time"

	"telewave/dsp/audiofilter"
)

// openNull starts miniaudio's null backend: the real device code paths
// (context, device init, its audio thread, start/stop) without a sound
// card.
func openNull(t *testing.T) *Malgo {
	t.Helper()
	m, err := OpenMalgo(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMalgoNullBackendRunsCallbacks(t *testing.T) {
	m := openNull(t)
	outs, err := m.Outputs()
	if err != nil || len(outs) == 0 {
		t.Fatalf("null backend outputs: %v, %v", outs, err)
	}
	l, err := Listen(m, ListenConfig{Rate: 8000, Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	waitWritten(t, l)
}

// The devices miniaudio lists open by the id the list gives; an id that
// cannot be one is ErrNoDevice.
func TestMalgoNullDeviceChoice(t *testing.T) {
	m := openNull(t)
	ins, err := m.Inputs()
	if err != nil || len(ins) == 0 {
		t.Fatalf("null backend inputs: %v, %v", ins, err)
	}
	outs, _ := m.Outputs()
	for _, d := range append(ins, outs...) {
		if d.ID == "" || d.Name == "" {
			t.Fatalf("device without id or name: %+v", d)
		}
	}
	t.Logf("null backend: inputs %+v, outputs %+v", ins, outs)
	l, err := Listen(m, ListenConfig{Rate: 4000, Period: 5 * time.Millisecond, Input: ins[0].ID, Output: outs[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	waitWritten(t, l)
	l.Close()
	for _, id := range []string{"not hex", "abcd"} {
		if _, err := Listen(m, ListenConfig{Rate: 4000, Period: 5 * time.Millisecond, Input: id}); !errors.Is(err, ErrNoDevice) {
			t.Errorf("input %q: %v, want ErrNoDevice", id, err)
		}
	}
}

// miniaudio stopping a device by itself (what it does when the device is
// unplugged or its backend fails) reaches OnStop as ErrNoDevice; a stop
// we ask for does not.
func TestMalgoDeviceLossReported(t *testing.T) {
	m := openNull(t)
	stopped := make(chan error, 4)
	cfg := Config{Rate: 4000, Period: 5 * time.Millisecond, OnStop: func(err error) { stopped <- err }}
	s, err := m.OpenInput(cfg, func([]float32, time.Time) {})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	// Stop the device underneath the stream, as the backend does on loss.
	if err := s.(*malgoStream).dev.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, ErrNoDevice) {
			t.Fatalf("loss reported as %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("miniaudio's stop notification never reached OnStop")
	}
	s.Close()
	select {
	case err := <-stopped:
		t.Fatalf("our own stop or close was reported as a loss (%v), or a loss twice", err)
	default:
	}
}

func waitWritten(t *testing.T, l *Listener) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for l.Stats().Written == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Stats().Written == 0 {
		t.Fatal("the null capture device delivered nothing")
	}
}

// BenchmarkMalgoNullLatency runs the live path for one second per
// iteration on miniaudio's null device (its real device thread, paced by
// its own timer; 5 ms periods, 4 kHz, diaphragm filter + limiter) and
// reports the input-buffer-to-output-buffer latency as the panel shows it.
func BenchmarkMalgoNullLatency(b *testing.B) {
	m, err := OpenMalgo(true)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	var p50, p99, dev float64
	for b.Loop() {
		f, err := audiofilter.New(4000, audiofilter.Diaphragm)
		if err != nil {
			b.Fatal(err)
		}
		l, err := Listen(m, ListenConfig{Rate: 4000, Period: 5 * time.Millisecond, Filter: f})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		l.Close()
		lat := l.Latency()
		p50 += lat.P50.Seconds() * 1000
		p99 += lat.P99.Seconds() * 1000
		dev = lat.Device.Seconds() * 1000
	}
	n := float64(b.N)
	b.ReportMetric(p50/n, "p50-ms")
	b.ReportMetric(p99/n, "p99-ms")
	b.ReportMetric(dev, "device-ms")
	b.ReportMetric(p99/n+dev, "headphone-p99-ms")
}
