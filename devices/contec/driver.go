package contec

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "contec"

// ChunkSamples is how many pleth samples go in one chunk: 50 ms at 60 Hz.
const ChunkSamples = 3

// PlethSignal is the one waveform the oximeter streams. Counts are the
// device's 0..127 pleth bar, so Scale 1/127 maps them onto the same 0..1
// normalised amplitude the simulator's source uses; the value has no
// physical unit ("1").
var PlethSignal = devices.Signal{
	ID:         "pleth",
	Label:      "Pleth",
	Kind:       devices.KindPleth,
	MDC:        devices.MDCPulsOximPleth,
	Unit:       "1",
	SampleRate: LiveRate,
	Scale:      1.0 / 127,
	Min:        0,
	Max:        127,
}

// Driver reads a CMS50 in V7.0 mode. It asks for the version and model,
// starts live mode, keeps it alive, and turns live packets into a pleth
// waveform, once-a-second numerics and sensor events.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// KeepAlive is how often AF is sent (0 = 5 s; the device gives up after 30 s).
	KeepAlive time.Duration
}

var _ devices.Driver = (*Driver)(nil)

// NewDriver returns a driver using the given clock (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "contec".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 115200 8N1.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 115200, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

// arrival is a packet and when its last byte was read.
type arrival struct {
	p  Packet
	at time.Time
}

// Run speaks to the device until ctx is done or the port fails. Cancel ctx
// and close the port to stop it; ports with read deadlines (ptys, net.Conn)
// stop on cancel alone.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	packets := make(chan arrival, 64)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(ctx, NewDecoder(port).Next, ErrNoData,
			func(p Packet) (arrival, bool) { return arrival{p, now()}, true }, packets, readErr)
	})
	defer stop()

	send := func(cmds ...byte) error {
		var b []byte
		for _, c := range cmds {
			b = append(b, Command(c, 0)...)
		}
		if _, err := devices.WriteBurst(port, b, time.Second); err != nil {
			return fmt.Errorf("send contec command: %w", err)
		}
		return nil
	}
	if err := send(CmdVersion, CmdModel, CmdLive); err != nil {
		return devices.OrCanceled(ctx, err)
	}
	ticker := time.NewTicker(devices.DurationOr(d.KeepAlive, 5*time.Second))
	defer ticker.Stop()
	s := newSession(emit)
	lastLive := now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("contec driver: %w", err))
		case <-ticker.C:
			// Live mode that lapsed (or never started) needs A1 again; AF
			// only extends a running stream.
			cmd := CmdKeepAlive
			if now().Sub(lastLive) > devices.DurationOr(d.KeepAlive, 5*time.Second) {
				cmd = CmdLive
			}
			if err := send(cmd); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		case a := <-packets:
			if a.p.Type == TypeLive {
				lastLive = a.at
			}
			s.handle(a)
		}
	}
}

// session turns packets into messages; it is owned by Run's goroutine.
type session struct {
	emit     devices.Emit
	info     devices.DeviceInfo
	model    [2]string
	started  bool
	clock    devices.HostClock
	chunk    []int32
	chunkAt  time.Time
	flags    devices.ChunkFlags
	seq      uint64
	n        int64 // live packets seen
	fingerIn bool  // last state, true until told otherwise
	hasPI    bool  // the device reported a perfusion index
}

func newSession(emit devices.Emit) *session {
	return &session{emit: emit, info: devices.DeviceInfo{Protocol: Protocol}, fingerIn: true,
		clock: devices.HostClock{Period: time.Second / LiveRate}}
}

func (s *session) handle(a arrival) {
	switch a.p.Type {
	case TypeVersion:
		if len(a.p.Data) == 2 {
			s.info.Firmware = fmt.Sprintf("%d.%d", a.p.Data[1], a.p.Data[0])
		}
	case TypeModel:
		if d := a.p.Data; len(d) == 7 && d[0] < 2 {
			s.model[d[0]] = strings.TrimSpace(string(d[1:]))
			s.info.Model = s.model[0] + s.model[1]
		}
	case TypeLive:
		if l, ok := ParseLive(a.p); ok {
			s.live(l, a.at)
		}
	}
}

func (s *session) live(l Live, at time.Time) {
	if !s.started {
		s.started = true
		info, sig := s.info, PlethSignal
		s.emit(&info)
		s.emit(&sig)
	}
	t := s.clock.Sample(at)
	if len(s.chunk) == 0 {
		s.chunkAt = t
	}
	s.chunk = append(s.chunk, int32(l.Pleth))
	if l.FingerOut {
		s.flags |= devices.LeadOff
	}
	if len(s.chunk) == ChunkSamples {
		s.emit(&devices.Chunk{Signal: PlethSignal.ID, Seq: s.seq, HostTime: s.chunkAt, Samples: s.chunk, Flags: s.flags})
		s.seq++
		s.chunk, s.flags = make([]int32, 0, ChunkSamples), 0
	}

	changed := l.FingerOut == s.fingerIn
	if changed {
		s.fingerIn = !l.FingerOut
		code, text := devices.EventSensorOn, "finger back in the probe"
		if l.FingerOut {
			code, text = devices.EventSensorOff, "finger out of the probe"
		}
		s.emit(&devices.Event{Kind: devices.Technical, Code: code, Text: text, Time: t, Priority: devices.Low})
	}
	// Numerics once a second of device time (every 60th packet), and at
	// once when the finger comes out or goes back so no stale value lingers.
	if s.n%LiveRate == 0 || changed {
		s.numerics(l, t)
	}
	s.n++
}

func (s *session) numerics(l Live, t time.Time) {
	num := func(code uint32, label string, v float64, unit string, invalid bool) {
		st := devices.Valid
		if invalid || l.FingerOut {
			st = devices.Unavailable
		}
		s.emit(&devices.Numeric{Code: code, Label: label, Value: v, Unit: unit, Time: t, Status: st})
	}
	num(devices.MDCPulsOximSatO2, "SpO2", float64(l.SpO2), "%", l.SpO2 == 0)
	num(devices.MDCPulsOximPulsRt, "PR", float64(l.PR), "/min", l.PR == 0)
	// PI reads FF FF while the finger is out; once the device has shown it
	// supports PI, that is "unavailable", not "unsupported".
	s.hasPI = s.hasPI || l.PI >= 0
	if s.hasPI {
		num(devices.MDCPulsOximPerfRel, "PI", float64(l.PI)/100, "%", false)
	}
}
