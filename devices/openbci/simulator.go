package openbci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// SampleRate is the Cyton's rate with 8 channels.
const SampleRate = 250

// Simulator behaves like a Cyton on its serial dongle: `v` resets it and
// prints the banner ending in "$$$", `b` starts streaming at 250 Hz (paced
// in real time), `s` stops. The zero value streams a synthetic ECG on
// channel 1 and noise on the rest.
type Simulator struct {
	// Source gives up to 8 channels in mV, any rate (resampled to 250 Hz);
	// channels it lacks carry a little noise. nil: synthetic ECG at 72 /min.
	Source sim.Source
	// Drop, when it returns true for packet number n (from 0), leaves that
	// packet out while its counter still advances: a lost packet.
	Drop     func(n uint64) bool
	Firmware string           // "" = "v3.1.2"
	Seed     int64            // for the noise
	Now      func() time.Time // nil: time.Now
	Speed    float64          // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes a burst (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps the counts of every packet written whole, for Sent.
	Record bool

	streaming atomic.Bool
	mu        sync.Mutex
	sent      [Channels][]int32
}

// Streaming reports whether the board is streaming (b received, no s or v since).
func (s *Simulator) Streaming() bool { return s.streaming.Load() }

// Sent returns, per channel, the counts of every packet fully written so
// far (only with Record set).
func (s *Simulator) Sent() [Channels][]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [Channels][]int32
	for i := range out {
		out[i] = append([]int32(nil), s.sent[i]...)
	}
	return out
}

// Banner returns what the board prints after a reset.
func Banner(firmware string) string {
	return "OpenBCI V3 8-16 channel\r\nOn Board ADS1299 Device ID: 0x3E\r\nLIS3DH Device ID: 0x33\r\nFirmware: " + firmware + "\r\n$$$"
}

// Run serves the port until ctx is done or the port fails. A Read blocked
// on a port without read deadlines ends only when the caller closes the
// port; Run waits for it, so cancel ctx and close the port.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	src := s.Source
	if src == nil {
		src = sim.NewSyntheticECG(72, s.Seed)
	}
	src = sim.Resample(src, SampleRate)
	st := &stream{
		src:   src,
		frame: make([]float64, src.Channels()),
		rng:   rand.New(rand.NewSource(s.Seed)),
	}
	writeTimeout := devices.DurationOr(s.WriteTimeout, 100*time.Millisecond)
	pacer := sim.NewPacer(SampleRate, s.Speed, now)

	ctx, cancel := context.WithCancel(ctx)
	cmds := make(chan byte, 16)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { readCommands(ctx, port, cmds, readErr) })
	defer func() {
		stop()
		s.streaming.Store(false)
	}()

	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	always := make(chan time.Time)
	close(always)
	for {
		var tick <-chan time.Time
		if s.streaming.Load() {
			tick = ticker.C
			if s.Speed <= 0 {
				tick = always
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, err)
		case c := <-cmds:
			switch c {
			case 'b':
				if !s.streaming.Load() {
					pacer.Reset()
				}
				s.streaming.Store(true)
			case 's':
				s.streaming.Store(false)
			case 'v':
				s.streaming.Store(false)
				fw := s.Firmware
				if fw == "" {
					fw = "v3.1.2"
				}
				if _, err := devices.WriteBurst(port, []byte(Banner(fw)), writeTimeout); err != nil && !errors.Is(err, devices.ErrDropped) {
					return devices.OrCanceled(ctx, fmt.Errorf("openbci simulator banner: %w", err))
				}
			}
		case <-tick:
			if err := s.burst(port, st, pacer.Due(), writeTimeout); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}

func readCommands(ctx context.Context, port io.Reader, cmds chan<- byte, readErr chan<- error) {
	buf := make([]byte, 64)
	for {
		n, err := port.Read(buf)
		for _, c := range buf[:n] {
			select {
			case cmds <- c:
			case <-ctx.Done():
				return
			}
		}
		if err != nil {
			readErr <- fmt.Errorf("openbci simulator: %w", err)
			return
		}
		if n == 0 && ctx.Err() != nil {
			return
		}
	}
}

// stream is the sample generator's state.
type stream struct {
	src   sim.Source
	frame []float64
	rng   *rand.Rand
	n     uint64 // packets built, dropped ones included
}

// counts converts mV to ADS1299 counts, clamped to 24 bits.
func counts(mV float64) int32 {
	c := math.Round(mV * 1000 / ScaleUV)
	return int32(min(1<<23-1, max(-(1<<23), c)))
}

func (s *Simulator) burst(port io.Writer, st *stream, n int, timeout time.Duration) error {
	if n == 0 {
		return nil
	}
	buf := make([]byte, 0, n*PacketSize)
	var kept []Packet
	for range n {
		if err := st.src.Next(st.frame); err != nil {
			return fmt.Errorf("openbci simulator source: %w", err)
		}
		p := Packet{Sample: uint8(st.n), Footer: FooterBase}
		for c := range p.Channels {
			if c < len(st.frame) {
				p.Channels[c] = counts(st.frame[c])
			} else {
				p.Channels[c] = counts(0.001 * st.rng.NormFloat64()) // 1 µV noise
			}
		}
		dropped := s.Drop != nil && s.Drop(st.n)
		st.n++
		if dropped {
			continue
		}
		buf = append(buf, Encode(p)...)
		kept = append(kept, p)
	}
	w, err := devices.WriteBurst(port, buf, timeout)
	if s.Record {
		s.mu.Lock()
		for _, p := range kept[:w/PacketSize] {
			for c, v := range p.Channels {
				s.sent[c] = append(s.sent[c], v)
			}
		}
		s.mu.Unlock()
	}
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("openbci simulator stream: %w", err)
	}
	return nil
}
