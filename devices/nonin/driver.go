package nonin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "nonin"

// FrameRate is the DF2/DF7 frame (and pleth sample) rate.
const FrameRate = 75

// ChunkSamples is how many pleth samples go in one chunk: 66.7 ms at 75 Hz.
const ChunkSamples = 5

// Events this driver raises besides the core ones.
const (
	EventArtifact        = "artifact"
	EventOutOfTrack      = "out-of-track"
	EventLowBattery      = "low-battery"
	EventCriticalBattery = "critical-battery"
	EventSensorFault     = "sensor-fault"
)

// ErrRejected is returned by Run when the device NAKs the format.
var ErrRejected = errors.New("nonin: format rejected (NAK)")

// PlethSignal returns the pleth waveform of format f: DF7 carries 16-bit
// counts, DF2 8-bit; both map onto 0..1 ("1", no physical unit).
func PlethSignal(f Format) devices.Signal {
	s := devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, MDC: devices.MDCPulsOximPleth,
		Unit: "1", SampleRate: FrameRate, Scale: 1.0 / 65535, Min: 0, Max: 65535}
	if f == DF2 {
		s.Scale, s.Max = 1.0/255, 255
	}
	return s
}

// Driver selects a data format, checks the ACK, and turns frames into a
// pleth waveform (DF2, DF7), numerics once per packet (or per DF8 frame)
// and sensor events.
type Driver struct {
	// Format is the data format to select (0 = DF7).
	Format Format
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Retry is how long to wait for the ACK before sending the format
	// command again (0 = 1 s).
	Retry time.Duration
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a DF7 driver using the given clock (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "nonin".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 9600 8N1.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 9600, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

func (d *Driver) format() Format {
	if d.Format == 0 {
		return DF7
	}
	return d.Format
}

// arrival is a frame, when it was read, and the decoder's skipped count.
type arrival struct {
	fr      Frame
	at      time.Time
	skipped int
}

// Run selects the format, waits for the ACK (resending the command every
// Retry), then decodes until ctx is done or the port fails. A NAK ends it
// with ErrRejected. Cancel ctx and close the port to stop it.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	f := d.format()
	if f.FrameLen() == 0 {
		return fmt.Errorf("nonin driver: unknown format %d", byte(f))
	}
	ctx, cancel := context.WithCancel(ctx)
	replies := make(chan byte, 4)
	frames := make(chan arrival, 64)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { read(ctx, port, f, now, replies, frames, readErr) })
	defer stop()

	send := func() error {
		if _, err := devices.WriteBurst(port, FormatCommand(f), time.Second); err != nil {
			return devices.OrCanceled(ctx, fmt.Errorf("nonin driver: send format command: %w", err))
		}
		return nil
	}
	if err := send(); err != nil {
		return err
	}
	retry := time.NewTicker(devices.DurationOr(d.Retry, time.Second))
	defer retry.Stop()
	var s *session
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("nonin driver: %w", err))
		case <-retry.C:
			if s == nil {
				if err := send(); err != nil {
					return err
				}
			}
		case r := <-replies:
			if r == NAK {
				return fmt.Errorf("nonin driver: select %v: %w", f, ErrRejected)
			}
			if s == nil {
				s = newSession(f, emit)
			}
		case a := <-frames:
			if s == nil {
				// The reader sends the reply before any frame, but select
				// picks at random among ready channels: take the reply first.
				select {
				case r := <-replies:
					if r == NAK {
						return fmt.Errorf("nonin driver: select %v: %w", f, ErrRejected)
					}
					s = newSession(f, emit)
				default:
				}
			}
			if s != nil {
				s.handle(a)
			}
		}
	}
}

// read waits for the ACK or NAK, then decodes frames from the bytes after
// it. Bytes before the reply (an older stream) are dropped.
func read(ctx context.Context, port io.Reader, f Format, now func() time.Time,
	replies chan<- byte, frames chan<- arrival, errc chan<- error) {
	buf := make([]byte, 256)
	var rest []byte
	for rest == nil {
		n, err := port.Read(buf)
		if i := replyAt(buf[:n]); i >= 0 {
			select {
			case replies <- buf[i]:
			case <-ctx.Done():
				return
			}
			if buf[i] == NAK {
				return
			}
			rest = append([]byte{}, buf[i+1:n]...)
		}
		if err != nil {
			errc <- err
			return
		}
		if n == 0 && ctx.Err() != nil {
			return
		}
	}
	dec := NewDecoder(io.MultiReader(bytes.NewReader(rest), port), f)
	devices.Forward(ctx, dec.Next, ErrNoData, func(fr Frame) (arrival, bool) {
		return arrival{fr, now(), dec.Skipped()}, true
	}, frames, errc)
}

// replyAt returns the index of the first ACK or NAK in b, or -1.
func replyAt(b []byte) int {
	for i, c := range b {
		if c == ACK || c == NAK {
			return i
		}
	}
	return -1
}
