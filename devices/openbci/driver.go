package openbci

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "openbci"

// ChunkSamples is how many samples go in one chunk: 48 ms at 250 Hz.
const ChunkSamples = 12

// Lead maps a board channel (1..8) to a waveform.
type Lead struct {
	Channel int    // 1..8, as printed on the board
	Label   string // e.g. "ECG II"
	MDC     uint32 // 0 = devices.MDCECGElecPotl
}

// DefaultMontage is every channel as "Ch 1".."Ch 8", lead unspecified.
func DefaultMontage() []Lead {
	m := make([]Lead, Channels)
	for i := range m {
		m[i] = Lead{Channel: i + 1, Label: fmt.Sprintf("Ch %d", i+1), MDC: devices.MDCECGElecPotl}
	}
	return m
}

// SignalID is the Signal.ID of a board channel: "ch1".."ch8".
func SignalID(channel int) string { return fmt.Sprintf("ch%d", channel) }

// Driver reads a Cyton: it stops and resets the board, reads the firmware
// from the reset banner, starts streaming and turns packets into ECG
// waveforms, flagging packets lost on the way (counter gaps).
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Montage chooses the channels that become signals; nil: DefaultMontage.
	Montage []Lead
	// BannerTimeout is how long to wait for "$$$" after `v` (0 = 3 s); a
	// board that never answers is still streamed, without firmware.
	BannerTimeout time.Duration
}

var _ devices.Driver = (*Driver)(nil)

// NewDriver returns a driver with the default montage and the given clock
// (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "openbci".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 115200 8N1.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 115200, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

func (d *Driver) montage() []Lead {
	if d.Montage == nil {
		return DefaultMontage()
	}
	return d.Montage
}

// Signals returns the signals the driver announces for its montage.
func (d *Driver) Signals() []devices.Signal {
	m := d.montage()
	sigs := make([]devices.Signal, len(m))
	for i, l := range m {
		mdc := l.MDC
		if mdc == 0 {
			mdc = devices.MDCECGElecPotl
		}
		sigs[i] = devices.Signal{
			ID: SignalID(l.Channel), Label: l.Label, Kind: devices.KindECG, MDC: mdc,
			Unit: "uV", SampleRate: SampleRate, Scale: ScaleUV, Min: -(1 << 23), Max: 1<<23 - 1,
		}
	}
	return sigs
}

type arrival struct {
	p  Packet
	at time.Time
}

var firmwareRE = regexp.MustCompile(`Firmware:\s*(v?[0-9][0-9A-Za-z.\-]*)`)

// Run talks to the board until ctx is done or the port fails, and sends `s`
// on the way out when the port still takes it. Cancel ctx and close the
// port to stop it; ports with read deadlines stop on cancel alone.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	var chans []int
	seen := map[int]bool{}
	for _, l := range d.montage() {
		if l.Channel < 1 || l.Channel > Channels || seen[l.Channel] {
			return fmt.Errorf("openbci montage: channel %d twice or not in 1..%d", l.Channel, Channels)
		}
		seen[l.Channel] = true
		chans = append(chans, l.Channel-1)
	}
	ctx, cancel := context.WithCancel(ctx)
	banner := make(chan string, 1)
	giveUp := make(chan struct{})
	packets := make(chan arrival, 64)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() { read(ctx, port, now, banner, giveUp, packets, readErr) })
	defer func() {
		_, _ = devices.WriteBurst(port, []byte("s"), 100*time.Millisecond)
		stop()
	}()

	send := func(cmd string) error {
		if _, err := devices.WriteBurst(port, []byte(cmd), time.Second); err != nil {
			return devices.OrCanceled(ctx, fmt.Errorf("send openbci command %q: %w", cmd, err))
		}
		return nil
	}
	if err := send("sv"); err != nil {
		return err
	}
	info := devices.DeviceInfo{Protocol: Protocol, Model: "Cyton"}
	timer := time.NewTimer(devices.DurationOr(d.BannerTimeout, 3*time.Second))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-readErr:
		return devices.OrCanceled(ctx, fmt.Errorf("openbci driver: %w", err))
	case text := <-banner:
		if m := firmwareRE.FindStringSubmatch(text); m != nil {
			info.Firmware = m[1]
		}
	case <-timer.C:
		close(giveUp)
	}
	if err := send("b"); err != nil {
		return err
	}
	emit(&info)
	s := newSession(d.Signals(), chans, emit)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return devices.OrCanceled(ctx, fmt.Errorf("openbci driver: %w", err))
		case a := <-packets:
			s.handle(a)
		}
	}
}

// streamStart finds two packets back to back (header, 31 bytes, footer,
// next header): proof that the board streams. It returns the offset of
// the first, or -1.
func streamStart(b []byte) int {
	for i := 0; i+PacketSize < len(b); i++ {
		if b[i] == Header && b[i+PacketSize-1]&0xf8 == 0xc0 && b[i+PacketSize] == Header {
			return i
		}
	}
	return -1
}

// read collects the reset banner up to "$$$" (or until giveUp), then
// decodes packets from whatever follows.
func read(ctx context.Context, port io.Reader, now func() time.Time, banner chan<- string, giveUp <-chan struct{},
	packets chan<- arrival, readErr chan<- error) {
	var text []byte
	buf := make([]byte, 512)
banner:
	for {
		select {
		case <-giveUp:
			break banner
		default:
		}
		n, err := port.Read(buf)
		text = append(text, buf[:n]...)
		if i := bytes.Index(text, []byte("$$$")); i >= 0 {
			banner <- string(text[:i])
			text = text[i+3:]
			break
		}
		if i := streamStart(text); i >= 0 {
			// Already streaming (a board left running, a capture file):
			// there will be no banner, and these bytes are data.
			banner <- ""
			text = text[i:]
			break
		}
		if err != nil {
			readErr <- err
			return
		}
		if n == 0 && ctx.Err() != nil {
			return
		}
		if len(text) > 8192 { // a board streaming without a banner
			text = text[len(text)-4096:]
		}
	}
	dec := NewDecoder(io.MultiReader(bytes.NewReader(text), port))
	devices.Forward(ctx, dec.Next, ErrNoData,
		func(p Packet) (arrival, bool) { return arrival{p, now()}, true }, packets, readErr)
}
