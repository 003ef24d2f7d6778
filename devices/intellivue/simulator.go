package intellivue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// Timing of the simulated monitor.
const (
	// BlockTime is how much wave each extended-poll reply carries: the
	// monitor answers a real-time wave poll about every 256 ms.
	BlockTime = 256 * time.Millisecond
	// ECGRate is the monitor's ECG sample rate; pleth and pressures run
	// at ABPRate.
	ECGRate = 500
	// MaxReply is the largest user data the simulator puts in one frame;
	// a poll result that does not fit is split into linked results.
	MaxReply = 1000
)

// Vitals are the numerics the simulator reports, once per second.
type Vitals struct {
	HR, SpO2, PR, RR           float64 // /min, %, /min, /min
	NIBPSys, NIBPDia, NIBPMean float64 // mmHg
	ABPSys, ABPDia, ABPMean    float64 // mmHg
	Temp                       float64 // °C
	EtCO2                      float64 // mmHg
	PVC                        float64 // /min, a numeric the driver does not map
}

// DefaultVitals varies a little from second to second so that each report
// differs from the last.
func DefaultVitals(t time.Duration) Vitals {
	k := float64(int64(t/time.Second) % 4)
	return Vitals{HR: 72 + k, SpO2: 97 + k/2, PR: 71 + k, RR: 16, NIBPSys: 120, NIBPDia: 80, NIBPMean: 93,
		ABPSys: 118 + k, ABPDia: 76, ABPMean: 90, Temp: 36.9 + k/10, EtCO2: 38, PVC: k}
}

// Simulator plays an IntelliVue monitor's MIB/RS-232 data export: it
// answers the association, announces its MDS and waits for the host's
// confirmation, honours the wave priority list, answers single and
// extended polls (waves every 256 ms, numerics every second of source
// time), drops the association when the host goes quiet for KeepAlive, and
// answers a release. Waves are paced in real time times Speed.
type Simulator struct {
	// ECG in mV, any rate, resampled to 500 Hz: channel 0 is lead II,
	// channel 1 (if any) lead V; I, III and V otherwise derive from II.
	// nil: sim.NewSyntheticECG(72, 1).
	ECG sim.Source
	// Pleth in 0..1, any rate (resampled to 125 Hz); nil: synthetic 72 /min.
	Pleth sim.Source
	// ABP in mmHg, any rate (resampled to 125 Hz); nil: NewSyntheticABP.
	ABP sim.Source
	// Vitals gives the numerics at source time t; nil: DefaultVitals.
	Vitals func(t time.Duration) Vitals
	// NumericState and WaveState script measurement states (StateInvalid,
	// StateQuestionable, StateUnavailable, ...) per physio id and time.
	NumericState func(physio uint16, t time.Duration) uint16
	WaveState    func(physio uint16, t time.Duration) uint16
	// Refuse makes the monitor refuse every association.
	Refuse bool
	// MuteAfter, when set, makes the monitor fall silent after that much
	// source time: it reads but never answers again.
	MuteAfter time.Duration
	// KeepAlive is how long the association survives without a message
	// from the host, in source time (0 = 10 s).
	KeepAlive time.Duration
	Model     string    // "" = "MP70"
	Start     time.Time // the monitor's clock when Run starts; zero: Now()
	Now       func() time.Time
	Speed     float64 // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream writes (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a burst the port does not take in time (0 = 100 ms).
	WriteTimeout time.Duration
	// Record keeps what was written whole, for Sent and Numerics.
	Record bool

	log   sim.Log
	mu    sync.Mutex
	state simState
}

type simState int

const (
	simIdle simState = iota
	simAwaitCreate
	simAssociated
)

// Associated reports whether the simulator holds an association.
func (s *Simulator) Associated() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == simAssociated
}

// Sent returns the counts of every wave sample written in a whole frame,
// by the driver's Signal.ID (only with Record set).
func (s *Simulator) Sent() map[string][]int32 { return s.log.Sent() }

// Numerics returns every numeric written in a whole frame, in the order the
// driver emits them, times zero (only with Record set).
func (s *Simulator) Numerics() []devices.Numeric { return s.log.Numerics() }

// frame is one frame to write and what it carries, recorded once it went
// out whole.
type frame struct {
	wire     []byte
	samples  map[string][]int32
	numerics []devices.Numeric
	static   bool     // carries the waves' static attributes
	handles  []uint16 // objects in the frame's poll result
}

// Run serves the port until ctx is done or the port fails. Cancel ctx and
// close the port to stop it.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	m := newMonitor(s)
	ctx, cancel := context.WithCancel(ctx)
	pdus := make(chan []byte, 16)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(ctx, NewDecoder(port).Next, ErrNoData, func(b []byte) ([]byte, bool) { return b, true }, pdus, readErr)
	})
	defer stop()
	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	always := make(chan time.Time)
	close(always)
	for {
		tick := ticker.C
		if s.Speed <= 0 && m.streaming() {
			tick = always
		}
		var out []frame
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("intellivue simulator: %w", err))
		case ud := <-pdus:
			out = m.host(ud)
		case <-tick:
			var err error
			if out, err = m.tick(); err != nil {
				return err
			}
		}
		if err := s.write(port, m, out); err != nil {
			return devices.OrCanceled(ctx, err)
		}
	}
}

// write sends frames in one burst and records those that went out whole.
func (s *Simulator) write(port io.Writer, m *monitor, out []frame) error {
	if len(out) == 0 || m.muted() {
		return nil
	}
	var buf []byte
	for _, f := range out {
		buf = append(buf, f.wire...)
	}
	n, err := devices.WriteBurst(port, buf, devices.DurationOr(s.WriteTimeout, 100*time.Millisecond))
	s.mu.Lock()
	for _, f := range out {
		if n < len(f.wire) {
			if f.static {
				m.staticPending = true // announce again in the next reply
			}
			break
		}
		n -= len(f.wire)
		if s.Record {
			s.log.Add(f.samples, f.numerics)
		}
	}
	s.mu.Unlock()
	if err != nil && !errors.Is(err, devices.ErrDropped) {
		return fmt.Errorf("intellivue simulator write: %w", err)
	}
	return nil
}
