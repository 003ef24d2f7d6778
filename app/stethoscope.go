package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"telewave/audio"
	"telewave/devices"
	"telewave/dsp/audiofilter"
)

// StethoscopeSlot is the hub slot of the live stethoscope.
const StethoscopeSlot = "stethoscope"

// PCGRate is the rate the stethoscope is captured at: heart sounds lie
// below 600 Hz and murmurs reach about 1 kHz, so 4 kHz is enough (CirCor
// was recorded at 4 kHz).
const PCGRate = 4000

// PCGSignal is the filtered phonocardiogram as it is heard, in counts of
// 1/32768 full scale.
var PCGSignal = devices.Signal{ID: "pcg", Label: "PCG", Kind: devices.KindAudio, Unit: "1",
	SampleRate: PCGRate, Scale: 1.0 / 32768, Min: -32768, Max: 32767}

// PCGEnvelopeSignal is the PCG's envelope: the mean absolute amplitude of
// each 10 ms (100 Hz), in which S1 and S2 stand out as humps.
var PCGEnvelopeSignal = devices.Signal{ID: "pcg-env", Label: "PCG envelope", Kind: devices.KindAudio, Unit: "1",
	SampleRate: 100, Scale: 1.0 / 32768, Min: 0, Max: 32767}

// envWindow is the samples of PCG per envelope sample.
const envWindow = PCGRate / 100

// StethoscopeConfig sets up the live stethoscope.
type StethoscopeConfig struct {
	Audio  func() (audio.Backend, error) // the sound card; called off the UI thread
	Input  string                        // device ids; "" = default
	Output string
	Mode   audiofilter.Mode
	Period time.Duration // per audio callback; default 5 ms
	// Retry is how long to wait before reopening a device that went away
	// (default 1 s); each failed reopen doubles the wait, up to 4 × Retry,
	// and a change in the device lists retries at once.
	Retry time.Duration
	// OnDevices hears each input/output choice made with SetDevices (ids;
	// "" = default), to remember it for next time. Called on Serve's
	// goroutine.
	OnDevices func(input, output string)
	Publish   func(Envelope)
	Now       func() time.Time
	// Clips keeps recorded clips (nil: clips cannot be recorded), for the
	// patient PatientMRN, recorded by User.
	Clips      ClipStore
	PatientMRN string
	User       string
}

// Stethoscope listens to a digital stethoscope: it plays the filtered
// sound to the headphones with measured latency and publishes it on the
// hub as the PCG signal (display, recorder). A device that goes away is
// reopened every Retry; the stream resumes with a gap.
type Stethoscope struct {
	cfg    StethoscopeConfig
	filter *audiofilter.Stethoscope
	tap    *audio.Ring

	mu       sync.Mutex
	listener *audio.Listener
	lastLat  audio.Latency
	stopped  chan stopReport
	choose   chan struct{}
	gen      uint64 // listeners opened so far
	input    string // chosen device ids (SetDevices)
	output   string
	devs     AudioDevices // as last listed
	seq      uint64
	gap      bool
	envSeq   uint64
	envSum   float64 // of |x| over the envelope window so far
	envN     int

	clip       *clipJob // the clip being recorded, nil when none
	clipStatus ClipStatus
}

// NewStethoscope prepares the stethoscope; nothing opens until Serve.
func NewStethoscope(cfg StethoscopeConfig) (*Stethoscope, error) {
	if cfg.Audio == nil || cfg.Publish == nil {
		return nil, errors.New("stethoscope: no audio or no hub")
	}
	if cfg.Period <= 0 {
		cfg.Period = 5 * time.Millisecond
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f, err := audiofilter.New(PCGRate, cfg.Mode)
	if err != nil {
		return nil, fmt.Errorf("stethoscope: %w", err)
	}
	return &Stethoscope{cfg: cfg, filter: f, tap: audio.NewRing(PCGRate * 2), stopped: make(chan stopReport, 1),
		choose: make(chan struct{}, 1), input: cfg.Input, output: cfg.Output}, nil
}

// SetMode switches the filter (bell, diaphragm, extended) without a click.
func (s *Stethoscope) SetMode(m audiofilter.Mode) { s.filter.SetMode(m) }

// Mode returns the filter in use.
func (s *Stethoscope) Mode() audiofilter.Mode { return s.filter.Mode() }

// SetGain sets the listening gain in dB; the limiter keeps bumps safe.
func (s *Stethoscope) SetGain(dB float64) { s.filter.SetGain(dB) }

// Latency returns the input-to-output latency measured so far.
func (s *Stethoscope) Latency() audio.Latency {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		s.lastLat = s.listener.Latency()
	}
	return s.lastLat
}

// Serve runs until ctx ends.
func (s *Stethoscope) Serve(ctx context.Context) {
	s.publish(&devices.DeviceInfo{Protocol: "audio", Model: "Stethoscope"})
	sig, env := PCGSignal, PCGEnvelopeSignal
	s.publish(&sig)
	s.publish(&env)
	defer s.close()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	var retryAt time.Time
	delay := s.cfg.Retry
	s.listDevices()
	ticks := 0
	for {
		if s.current() == nil && !s.cfg.Now().Before(retryAt) {
			if err := s.open(); err != nil {
				s.state(devices.Connecting, err.Error())
				retryAt = s.cfg.Now().Add(delay)
				delay = s.nextRetry(delay)
			} else {
				delay = s.cfg.Retry
			}
		}
		select {
		case <-t.C:
			s.drain()
			if ticks++; ticks%listEvery == 0 && s.listDevices() && s.current() == nil {
				retryAt = time.Time{} // a device came back: try it now
			}
		case r := <-s.stopped:
			if r.gen != s.gen || s.current() == nil {
				continue // from a listener already replaced
			}
			s.drain()
			s.close()
			s.gap = true
			s.event(devices.EventDisconnected, devices.Medium, "stethoscope audio device gone: "+r.err.Error())
			s.state(devices.Connecting, r.err.Error())
			s.listDevices()
			retryAt = s.cfg.Now().Add(delay)
			delay = s.nextRetry(delay)
		case <-s.choose:
			if s.current() != nil {
				s.drain()
				s.close()
				s.gap = true
			}
			retryAt, delay = time.Time{}, s.cfg.Retry
			if s.cfg.OnDevices != nil {
				s.cfg.OnDevices(s.chosen())
			}
		case <-ctx.Done():
			s.drain()
			return
		}
	}
}

func (s *Stethoscope) current() *audio.Listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listener
}

func (s *Stethoscope) open() error {
	b, err := s.cfg.Audio()
	if err != nil {
		return err
	}
	in, out := s.chosen()
	s.gen++
	gen := s.gen
	l, err := audio.Listen(b, audio.ListenConfig{Rate: PCGRate, Period: s.cfg.Period, Input: in,
		Output: out, Filter: s.filter, Tap: s.tap, OnStop: func(err error) {
			select {
			case s.stopped <- stopReport{gen, err}:
			default:
			}
		}})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.listener = l
	s.mu.Unlock()
	s.tap.Discard()
	s.state(devices.Streaming, "")
	if s.gap {
		s.event(devices.EventConnected, devices.Low, "stethoscope audio device back")
	}
	return nil
}

func (s *Stethoscope) close() {
	s.mu.Lock()
	l := s.listener
	s.listener = nil
	if l != nil {
		s.lastLat = l.Latency()
	}
	s.mu.Unlock()
	if l != nil {
		l.Close()
	}
}

// drain publishes what the tap holds as one chunk.
func (s *Stethoscope) drain() {
	n := s.tap.Len()
	if n == 0 {
		return
	}
	buf := make([]float32, n)
	n = s.tap.Read(buf)
	end := s.cfg.Now()
	c := &devices.Chunk{Signal: PCGSignal.ID, Seq: s.seq, Samples: make([]int32, n),
		HostTime: end.Add(-time.Duration(float64(n) / PCGRate * float64(time.Second)))}
	for i, v := range buf[:n] {
		c.Samples[i] = int32(math.Round(float64(max(-1, min(v, 32767.0/32768)) * 32768)))
	}
	gap := s.gap
	if gap {
		c.Flags |= devices.GapBefore
		s.gap = false
	}
	s.takeClip(buf[:n], c.HostTime, gap)
	s.seq++
	s.publish(c)
	s.envelope(c)
}

// envelope publishes the envelope samples the chunk completes.
func (s *Stethoscope) envelope(c *devices.Chunk) {
	if c.Flags&devices.GapBefore != 0 {
		s.envSum, s.envN = 0, 0
	}
	var out []int32
	first := time.Time{}
	for i, v := range c.Samples {
		s.envSum += math.Abs(float64(v))
		s.envN++
		if s.envN == envWindow {
			if first.IsZero() {
				first = c.HostTime.Add(time.Duration(float64(i+1-envWindow) / PCGRate * float64(time.Second)))
			}
			out = append(out, int32(math.Round(s.envSum/envWindow)))
			s.envSum, s.envN = 0, 0
		}
	}
	if len(out) == 0 {
		return
	}
	e := &devices.Chunk{Signal: PCGEnvelopeSignal.ID, Seq: s.envSeq, HostTime: first, Samples: out, Flags: c.Flags & devices.GapBefore}
	s.envSeq++
	s.publish(e)
}

func (s *Stethoscope) publish(m devices.Message) {
	s.cfg.Publish(Envelope{Device: StethoscopeSlot, Msg: m})
}

func (s *Stethoscope) state(st devices.ConnState, why string) {
	s.publish(&devices.State{State: st, Port: "audio", Err: why, Time: s.cfg.Now()})
}

func (s *Stethoscope) event(code string, p devices.Priority, text string) {
	s.publish(&devices.Event{Kind: devices.Technical, Code: code, Priority: p, Time: s.cfg.Now(), Text: text})
}
