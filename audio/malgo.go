//go:build cgo

package audio

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// Malgo is the real backend: miniaudio (through malgo) over whatever the
// OS has — PulseAudio/PipeWire or ALSA on Linux, WASAPI on Windows, Core
// Audio on macOS — or miniaudio's null device when asked for.
type Malgo struct {
	ctx *malgo.AllocatedContext
}

// maBackendNull is miniaudio's ma_backend_null. malgo v0.11.24's Backend
// enumeration lacks ma_backend_custom, so its BackendNull names the custom
// backend (13); the null backend is the next value, the last of
// miniaudio.h's ma_backend enum (checked by TestMalgoNullBackendRunsCallbacks).
const maBackendNull = malgo.Backend(malgo.BackendNull + 1)

// OpenMalgo starts miniaudio with the OS's backends; null selects
// miniaudio's null backend (no sound card: tests).
func OpenMalgo(null bool) (*Malgo, error) {
	var backends []malgo.Backend
	if null {
		backends = []malgo.Backend{maBackendNull}
	}
	ctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("audio: start miniaudio: %w", err)
	}
	return &Malgo{ctx: ctx}, nil
}

// Name is "miniaudio".
func (m *Malgo) Name() string { return "miniaudio" }

// Inputs lists the capture devices.
func (m *Malgo) Inputs() ([]DeviceInfo, error) { return m.list(malgo.Capture) }

// Outputs lists the playback devices.
func (m *Malgo) Outputs() ([]DeviceInfo, error) { return m.list(malgo.Playback) }

func (m *Malgo) list(kind malgo.DeviceType) ([]DeviceInfo, error) {
	ds, err := m.ctx.Devices(kind)
	if err != nil {
		return nil, fmt.Errorf("audio: list devices: %w", err)
	}
	out := make([]DeviceInfo, 0, len(ds))
	for _, d := range ds {
		out = append(out, DeviceInfo{ID: hex.EncodeToString(d.ID[:]), Name: d.Name(), Default: d.IsDefault != 0})
	}
	return out, nil
}

// OpenInput opens a capture device, mono float32 at cfg.Rate.
func (m *Malgo) OpenInput(cfg Config, f InputFunc) (Stream, error) {
	return m.open(cfg, malgo.Capture, func(_, in []byte, n uint32) {
		f(asFloats(in, n), time.Now())
	})
}

// OpenOutput opens a playback device, mono float32 at cfg.Rate.
func (m *Malgo) OpenOutput(cfg Config, f OutputFunc) (Stream, error) {
	return m.open(cfg, malgo.Playback, func(out, _ []byte, n uint32) {
		p := asFloats(out, n)
		clear(p)
		f(p)
	})
}

// asFloats views miniaudio's buffer of n mono float32 frames as a slice.
func asFloats(b []byte, n uint32) []float32 {
	if len(b) < int(n)*4 || n == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
}

func (m *Malgo) open(cfg Config, kind malgo.DeviceType, data malgo.DataProc) (Stream, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	dc := malgo.DefaultDeviceConfig(kind)
	dc.SampleRate = uint32(cfg.Rate)
	dc.PeriodSizeInMilliseconds = uint32(max(cfg.Period.Milliseconds(), 1))
	dc.Periods = 2
	dc.PerformanceProfile = malgo.LowLatency
	sub := malgo.SubConfig{Format: malgo.FormatF32, Channels: 1}
	var id malgo.DeviceID
	if cfg.DeviceID != "" {
		b, err := hex.DecodeString(cfg.DeviceID)
		if err != nil || len(b) != len(id) {
			return nil, fmt.Errorf("audio: device %q: %w", cfg.DeviceID, ErrNoDevice)
		}
		copy(id[:], b)
		sub.DeviceID = id.Pointer()
	}
	if kind == malgo.Capture {
		dc.Capture = sub
	} else {
		dc.Playback = sub
	}
	s := &malgoStream{rate: cfg.Rate, onStop: cfg.OnStop}
	dev, err := malgo.InitDevice(m.ctx.Context, dc, malgo.DeviceCallbacks{Data: data, Stop: s.stopped})
	if err != nil {
		if errors.Is(err, malgo.ErrDoesNotExist) || errors.Is(err, malgo.ErrNoDevice) {
			err = fmt.Errorf("%w: %w", ErrNoDevice, err)
		}
		return nil, fmt.Errorf("audio: open device: %w", err)
	}
	s.dev = dev
	return s, nil
}

// Close ends miniaudio.
func (m *Malgo) Close() error {
	if m.ctx == nil {
		return nil
	}
	err := m.ctx.Uninit()
	m.ctx.Free()
	m.ctx = nil
	return err
}

type malgoStream struct {
	dev    *malgo.Device
	rate   int
	onStop StopFunc

	mu       sync.Mutex
	stopping bool // we asked for the stop: not a device loss
}

// errDeviceStopped is what OnStop hears when miniaudio stops a device by
// itself: the device was unplugged, or its backend failed.
var errDeviceStopped = fmt.Errorf("audio: the device stopped by itself (unplugged?): %w", ErrNoDevice)

// stopped is miniaudio's stop notification. It may run on the device's
// own thread, so OnStop is called on a goroutine of its own (it ends when
// OnStop returns); a stop we asked for is not reported.
func (s *malgoStream) stopped() {
	s.mu.Lock()
	report := !s.stopping && s.onStop != nil
	s.stopping = true // one report per loss
	s.mu.Unlock()
	if report {
		go s.onStop(errDeviceStopped)
	}
}

func (s *malgoStream) Rate() int { return s.rate }

func (s *malgoStream) Start() error {
	s.mu.Lock()
	dev := s.dev
	s.stopping = false
	s.mu.Unlock()
	if dev == nil {
		return errors.New("audio: stream closed")
	}
	return dev.Start()
}

func (s *malgoStream) Stop() error {
	s.mu.Lock()
	s.stopping = true
	dev := s.dev
	s.mu.Unlock()
	if dev == nil {
		return nil
	}
	return dev.Stop()
}

// Close releases the device; a second Close does nothing (miniaudio
// would free it twice).
func (s *malgoStream) Close() error {
	s.Stop()
	s.mu.Lock()
	dev := s.dev
	s.dev = nil
	s.mu.Unlock()
	if dev != nil {
		dev.Uninit()
	}
	return nil
}

// System opens the OS's audio through miniaudio.
func System() (Backend, error) { return OpenMalgo(false) }
