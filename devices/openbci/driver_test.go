package openbci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
	"telewave/devices/sim"
)

func TestDriverGaps(t *testing.T) {
	tests := []struct {
		name     string
		drop     func(n uint64) bool
		wantGaps []int // missed packets per gap event
		wantAt   []int // samples received before each GapBefore chunk
	}{
		// 576 packets: the counter wraps 255 → 0 twice, which is no gap.
		{"counter wrap is not a gap", nil, nil, nil},
		{"one dropped packet", func(n uint64) bool { return n == 100 }, []int{1}, []int{100}},
		{"three in a row and one more", func(n uint64) bool { return n >= 300 && n < 303 || n == 400 }, []int{3, 1}, []int{300, 397}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Driver{Montage: []Lead{{Channel: 2, Label: "ECG II", MDC: devices.MDCECGLeadII}}}
			msgs := devicetest.Run(t, (&Simulator{Drop: tt.drop}).Run, d, devicetest.Chunks(d.Signals()[0].ID, 48))
			var gaps, at []int
			var samples int
			for _, m := range msgs {
				switch m := m.(type) {
				case *devices.Event:
					var n int
					if m.Code != devices.EventDataGap {
						t.Errorf("event %s", m.Code)
					}
					if _, err := fmt.Sscanf(m.Text, "%d packets lost", &n); err != nil {
						t.Errorf("gap text %q", m.Text)
					}
					gaps = append(gaps, n)
				case *devices.Chunk:
					if m.Flags&devices.GapBefore != 0 {
						// The gap sits at the chunk's start: the samples
						// before it went out in the previous, short chunk.
						at = append(at, samples)
					}
					samples += len(m.Samples)
				}
			}
			if !slices.Equal(gaps, tt.wantGaps) {
				t.Errorf("gap events %v, want %v", gaps, tt.wantGaps)
			}
			if !slices.Equal(at, tt.wantAt) {
				t.Errorf("GapBefore chunks after %v samples, want %v", at, tt.wantAt)
			}
		})
	}
}

func TestDriverBannerAndMontage(t *testing.T) {
	d := &Driver{Montage: []Lead{{Channel: 3, Label: "Lead I", MDC: devices.MDCECGLeadI}, {Channel: 1, Label: "Lead II"}}}
	msgs := devicetest.Run(t, (&Simulator{Firmware: "v3.9.9"}).Run, d, devicetest.Chunks(d.Signals()[0].ID, 2))
	info, ok := msgs[0].(*devices.DeviceInfo)
	if !ok || info.Firmware != "v3.9.9" || info.Protocol != "openbci" {
		t.Fatalf("first message %#v", msgs[0])
	}
	s1, ok1 := msgs[1].(*devices.Signal)
	s2, ok2 := msgs[2].(*devices.Signal)
	if !ok1 || !ok2 || s1.ID != "ch3" || s1.MDC != devices.MDCECGLeadI || s2.ID != "ch1" || s2.MDC != devices.MDCECGElecPotl {
		t.Fatalf("signals %+v %+v", msgs[1], msgs[2])
	}
	if s1.Unit != "uV" || s1.SampleRate != 250 || s1.Kind != devices.KindECG || s1.Scale < 0.02235 || s1.Scale > 0.02236 {
		t.Errorf("signal %+v", *s1)
	}
}

// A board that never prints its banner is still streamed after the timeout.
func TestDriverWithoutBanner(t *testing.T) {
	dev, hostEnd := devicetest.Pipe()
	go func() {
		buf := make([]byte, 16)
		for {
			n, err := dev.Read(buf)
			if err != nil {
				return
			}
			for _, c := range buf[:n] {
				if c == 'b' {
					for i := range 24 {
						if _, err := dev.Write(Encode(Packet{Sample: uint8(i), Footer: FooterBase})); err != nil {
							return
						}
					}
				}
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan devices.Message, 100)
	done := make(chan error, 1)
	d := &Driver{BannerTimeout: 50 * time.Millisecond, Montage: []Lead{{Channel: 1, Label: "x"}}}
	go func() { done <- d.Run(ctx, hostEnd, func(m devices.Message) { got <- m }) }()
	var chunks int
	for chunks < 2 {
		select {
		case m := <-got:
			if _, ok := m.(*devices.Chunk); ok {
				chunks++
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no chunks without a banner")
		}
	}
	cancel()
	hostEnd.Close()
	dev.Close()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
}

func TestSimulatorBannerAndStop(t *testing.T) {
	dev, host := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Simulator{Source: sim.NewSyntheticECG(60, 1)}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, dev) }()
	defer func() {
		cancel()
		dev.Close()
		host.Close()
		<-done
	}()
	if _, err := host.Write([]byte("v")); err != nil {
		t.Fatal(err)
	}
	want := Banner("v3.1.2")
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(host, buf); err != nil || string(buf) != want {
		t.Fatalf("banner %q, %v", buf, err)
	}
	if _, err := host.Write([]byte("b")); err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, PacketSize)
	if _, err := io.ReadFull(host, pkt); err != nil || pkt[0] != Header || pkt[1] != 0 {
		t.Fatalf("first packet % X, %v", pkt, err)
	}
	// `s` stops the stream; keep draining until the simulator says so.
	go func() { _, _ = io.Copy(io.Discard, host) }()
	if _, err := host.Write([]byte("s")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Streaming() {
		if time.Now().After(deadline) {
			t.Fatal("still streaming after s")
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}

func TestStreamStartFindsPacketsWithoutBanner(t *testing.T) {
	var p Packet
	stream := append([]byte("noise$"), append(Encode(p), Encode(p)...)...)
	if got := streamStart(stream); got != 6 {
		t.Fatalf("streamStart = %d, want 6", got)
	}
	if got := streamStart([]byte("OpenBCI V3 8-16 channel\r\nOn Board ADS1299")); got != -1 {
		t.Fatalf("streamStart found packets in banner text at %d", got)
	}
}
