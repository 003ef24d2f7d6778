package masimo

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

// Simulator plays a Radical-7 in ASCII 1 mode: one line a second (× Speed)
// carrying its scripted values, stamped with its own clock. It ignores
// what the host writes (it reads and discards it). Scripted functions take
// source time (lines sent, in seconds). The zero value is usable.
type Simulator struct {
	SpO2      func(t time.Duration) int  // %; nil: 97
	BPM       func(t time.Duration) int  // /min; nil: 72
	PI        func(t time.Duration) int  // perfusion index in 0.01 %; nil: 360
	SensorOff func(t time.Duration) bool // dashes and EXC sensor off
	// Fields, if set, gives a line's fields and overrides the rest (for
	// unknown keys, other firmware's layouts, any EXC).
	Fields func(t time.Duration) []Field
	Serial string           // SN; "" = "0000056661"
	Clock  time.Time        // the device clock at the first line; zero: Now() at Run
	Now    func() time.Time // nil: time.Now
	Speed  float64          // 1 = real time; 0 = as fast as the port takes it
	// Tick is how often a paced stream checks for a line due (0 = 20 ms).
	Tick time.Duration
	// WriteTimeout drops a line the port does not take in time (0 = 1 s).
	WriteTimeout time.Duration
	// Record keeps what was written whole, for Numerics.
	Record bool

	mu       sync.Mutex
	numerics []devices.Numeric
	lines    int
}

// Sent returns an empty map: ASCII 1 carries no waveform.
func (s *Simulator) Sent() map[string][]int32 { return map[string][]int32{} }

// Numerics returns the numerics of every line written whole, in order,
// without times (only with Record set).
func (s *Simulator) Numerics() []devices.Numeric {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]devices.Numeric(nil), s.numerics...)
}

// Lines returns how many lines went out whole.
func (s *Simulator) Lines() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lines
}

// Run streams until ctx is done or the port fails. Cancel ctx and close the
// port to stop it.
func (s *Simulator) Run(ctx context.Context, port io.ReadWriter) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	clock := s.Clock
	if clock.IsZero() {
		clock = now().Truncate(time.Second)
	}
	writeTimeout := devices.DurationOr(s.WriteTimeout, time.Second)
	pacer := sim.NewPacer(1, s.Speed, now)
	pacer.Burst = 1
	ctx, cancel := context.WithCancel(ctx)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { discard(ctx, port, readErr) })
	defer stop()

	ticker := time.NewTicker(devices.DurationOr(s.Tick, 20*time.Millisecond))
	defer ticker.Stop()
	var n int64
	for {
		if s.Speed > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case err := <-readErr:
				return devices.OrCanceled(ctx, fmt.Errorf("masimo simulator: %w", err))
			case <-ticker.C:
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		for range pacer.Due() {
			t := time.Duration(n) * time.Second
			n++
			l := Line{Time: clock.Add(t), Fields: s.fields(t)}
			text := Format(l)
			w, err := devices.WriteBurst(port, []byte(text), writeTimeout)
			if s.Record && w == len(text) {
				s.mu.Lock()
				s.numerics = append(s.numerics, LineNumerics(l)...)
				s.lines++
				s.mu.Unlock()
			}
			if err != nil && !errors.Is(err, devices.ErrDropped) {
				return devices.OrCanceled(ctx, fmt.Errorf("masimo simulator: %w", err))
			}
		}
	}
}

// discard reads and drops what the host writes until ctx is done or the
// port fails.
func discard(ctx context.Context, port io.Reader, errc chan<- error) {
	buf := make([]byte, 256)
	for ctx.Err() == nil {
		if _, err := port.Read(buf); err != nil {
			if ctx.Err() == nil {
				errc <- err
			}
			return
		}
	}
}

// fields builds the Radical-7 line for source time t.
func (s *Simulator) fields(t time.Duration) []Field {
	if s.Fields != nil {
		return s.Fields(t)
	}
	sn := s.Serial
	if sn == "" {
		sn = "0000056661"
	}
	spo2, bpm, pi := 97, 72, 360
	if s.SpO2 != nil {
		spo2 = s.SpO2(t)
	}
	if s.BPM != nil {
		bpm = s.BPM(t)
	}
	if s.PI != nil {
		pi = s.PI(t)
	}
	f := []Field{
		{"SN", sn},
		{"SPO2", fmt.Sprintf("%03d%%", spo2)},
		{"BPM", fmt.Sprintf("%03d", bpm)},
		{"PI", fmt.Sprintf("%02d.%02d%%", pi/100, pi%100)},
		{"SPCO", "--.-%"},
		{"SPMET", "--.-%"},
		{"DESAT", "--"},
		{"PIDELTA", "+--"},
		{"PVI", fmt.Sprintf("%03d", 10+int(t/time.Second)%20)},
		{"ALARM", "0000"},
		{"EXC", "000800"},
	}
	if s.SensorOff != nil && s.SensorOff(t) {
		f[1].Raw, f[2].Raw, f[3].Raw, f[8].Raw = "---%", "---", "--.--%", "---"
		f[10].Raw = "000820"
	}
	return f
}
