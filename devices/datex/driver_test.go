package datex

import (
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

func countNumerics(msgs []devices.Message, raw string) int {
	n := 0
	for _, m := range msgs {
		if v, ok := m.(*devices.Numeric); ok && v.RawCode == raw {
			n++
		}
	}
	return n
}

func TestDriverFlagsBecomeStatusesAndEvents(t *testing.T) {
	// PHDB records every 5 s of source time: records 0, 1 normal, 2 and 3
	// with P1 sys over range, 4 with it back; SpO2 invalid in record 1.
	flag := func(at time.Duration, code string) int16 {
		switch {
		case code == "basic.p1.sys" && at >= 10*time.Second && at < 20*time.Second:
			return FlagOverRange
		case code == "basic.spo2.spo2" && at >= 5*time.Second && at < 10*time.Second:
			return FlagInvalid
		}
		return 0
	}
	s := &Simulator{Flag: flag, Start: time.Unix(1_700_000_000, 0)}
	msgs := devicetest.Run(t, s.Run, NewDriver(nil), func(m []devices.Message) bool { return countNumerics(m, "basic.spo2.spo2") == 5 })

	info, ok := msgs[0].(*devices.DeviceInfo)
	if !ok || info.Protocol != Protocol || info.Firmware != "DRI level 10 (2009)" {
		t.Fatalf("first message %#v", msgs[0])
	}
	var sys, spo2 []devices.NumericStatus
	var events []string
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Numeric:
			switch m.RawCode {
			case "basic.p1.sys":
				sys = append(sys, m.Status)
				if m.Status == devices.Valid && (m.Value < 110 || m.Value > 130 || m.Code != mdcPressBldSys || m.Unit != "mm[Hg]") {
					t.Errorf("P1 sys %+v", m)
				}
			case "basic.spo2.spo2":
				spo2 = append(spo2, m.Status)
			}
		case *devices.Event:
			if m.Code != devices.EventBadFrame {
				events = append(events, m.Code+": "+m.Text)
			}
		}
	}
	V, U := devices.Valid, devices.Unavailable
	if want := []devices.NumericStatus{V, V, U, U, V}; !equal(sys, want) {
		t.Errorf("P1 sys statuses %v, want %v", sys, want)
	}
	if want := []devices.NumericStatus{V, U, V, V, V}; !equal(spo2, want) {
		t.Errorf("SpO2 statuses %v, want %v", spo2, want)
	}
	if len(events) != 1 || events[0] != EventOverRange+": P1 sys over range" {
		t.Errorf("events %q, want one over-range for P1 sys", events)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDriverWavesAndDeviceTime(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	s := &Simulator{Start: start}
	chunks := map[string][]*devices.Chunk{}
	msgs := devicetest.Run(t, s.Run, NewDriver(nil), func(m []devices.Message) bool {
		if c, ok := m[len(m)-1].(*devices.Chunk); ok {
			chunks[c.Signal] = append(chunks[c.Signal], c)
		}
		return len(chunks["ecg1"]) >= 30 // 3 s of records
	})
	sigs := map[string]*devices.Signal{}
	for _, m := range msgs {
		if s, ok := m.(*devices.Signal); ok {
			sigs[s.ID] = s
		}
	}
	want := map[string]float64{"ecg1": 300, "pleth": 100, "invp1": 100, "co2": 25}
	for id, rate := range want {
		if sigs[id] == nil || sigs[id].SampleRate != rate {
			t.Errorf("signal %s: %+v, want %g Hz", id, sigs[id], rate)
		}
	}
	// ECG: 30 samples per 100 ms record, device time from the monitor's
	// clock (whole seconds) advancing 100 ms a chunk. The waves start a
	// little after the clock does: the numerics request came first.
	first := chunks["ecg1"][0].DeviceTime
	if first.Before(start) || first.After(start.Add(5*time.Second)) || first.Nanosecond() != 0 {
		t.Errorf("first ecg chunk at device time %v, want a whole second soon after %v", first, start)
	}
	for i, c := range chunks["ecg1"][:30] {
		if len(c.Samples) != 30 {
			t.Fatalf("ecg chunk %d has %d samples", i, len(c.Samples))
		}
		if want := first.Add(time.Duration(i) * 100 * time.Millisecond); !c.DeviceTime.Equal(want) {
			t.Errorf("ecg chunk %d device time %v, want %v", i, c.DeviceTime, want)
		}
	}
	// CO2 at 25 Hz: 2 or 3 samples a record, 25 per second.
	total := 0
	for _, c := range chunks["co2"][:10] {
		total += len(c.Samples)
	}
	if total != 25 {
		t.Errorf("co2: %d samples in 10 records, want 25", total)
	}
}

// A host-side fake monitor that records every request the driver sends.
func TestDriverStopsWavesOnCancel(t *testing.T) {
	dev, hostEnd := devicetest.Pipe()
	reqs := make(chan Record, 16)
	go func() {
		dec := NewDecoder(dev)
		for {
			r, err := dec.Next()
			if err != nil {
				close(reqs)
				return
			}
			reqs <- r
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewDriver(nil).Run(ctx, hostEnd, func(devices.Message) {}) }()
	first := []Record{<-reqs, <-reqs}
	if q, err := ParsePHDBRequest(first[0]); err != nil || q.Interval != 5 || q.Type != PHDBDisplayed {
		t.Errorf("first request %+v %v", q, err)
	}
	if k, w, err := ParseWaveRequest(first[1]); err != nil || k != WaveStart || !equal(w, DefaultWaves) {
		t.Errorf("second request %d %v %v", k, w, err)
	}
	cancel()
	last := []Record{<-reqs, <-reqs}
	if k, _, err := ParseWaveRequest(last[0]); err != nil || k != WaveStop {
		t.Errorf("on cancel: %d %v, want a wave stop", k, err)
	}
	if q, err := ParsePHDBRequest(last[1]); err != nil || q.Interval != 0 {
		t.Errorf("on cancel: %+v %v, want numerics stopped", q, err)
	}
	hostEnd.Close()
	dev.Close()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
}

func TestDriverRejectsWavesOverBudget(t *testing.T) {
	d := &Driver{Waves: []WaveType{WaveECG1, WaveECG2, WaveECG3}}
	_, hostEnd := devicetest.Pipe()
	if err := d.Run(context.Background(), hostEnd, func(devices.Message) {}); !errors.Is(err, ErrWaveBudget) {
		t.Errorf("Run = %v, want ErrWaveBudget", err)
	}
}

func TestDriverBadFramesMarkGaps(t *testing.T) {
	// A monitor whose every 7th record has a broken checksum.
	dev, hostEnd := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, dev)
	}()
	go func() {
		for i := range 40 {
			w := EncodeWave(WaveData{Samples: make([]int16, 30)})
			frame := Encode(NewRecord(Header{MainType: MainWave, Time: 1_700_000_000}, []byte{byte(WaveECG1)}, [][]byte{w}))
			if i%7 == 6 {
				frame[len(frame)-2] ^= 0x55
			}
			if _, err := dev.Write(frame); err != nil {
				return
			}
		}
	}()
	var mu sync.Mutex
	var gaps, chunks, events int
	done := make(chan struct{})
	go func() {
		_ = NewDriver(nil).Run(ctx, hostEnd, func(m devices.Message) {
			mu.Lock()
			defer mu.Unlock()
			switch m := m.(type) {
			case *devices.Chunk:
				chunks++
				if m.Flags&devices.GapBefore != 0 {
					gaps++
				}
				if chunks == 35 {
					close(done)
				}
			case *devices.Event:
				if m.Code == devices.EventBadFrame {
					events++
				}
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("timed out")
	}
	cancel()
	hostEnd.Close()
	dev.Close()
	mu.Lock()
	defer mu.Unlock()
	if gaps != 5 {
		t.Errorf("%d chunks marked GapBefore, want 5 (one per bad frame)", gaps)
	}
	if events < 1 || events > 5 {
		t.Errorf("%d bad-frame events", events)
	}
}

func TestProbe(t *testing.T) {
	t.Run("monitor", func(t *testing.T) {
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
		reply func(net.Conn)
	}{
		{"silence", func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }},
		{"garbage", func(c net.Conn) {
			go func() { _, _ = io.Copy(io.Discard, c) }()
			for {
				if _, err := c.Write([]byte("\x7E OK\r\n\x7E\x01\x02")); err != nil {
					return
				}
				time.Sleep(10 * time.Millisecond) // a chatty other device
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dev, host := net.Pipe()
			go tt.reply(dev)
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
