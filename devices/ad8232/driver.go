package ad8232

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "ad8232"

// Defaults of the sketch and the board.
const (
	// DefaultRate is the rate the sketch paces its analogRead at (a
	// micros()-timed loop), samples per second.
	DefaultRate = 250
	// DefaultBaud is the sketch's Serial.begin rate. At 250 lines/s of at
	// most 6 bytes the stream needs 15 000 bit/s.
	DefaultBaud = 115200
	// DefaultADCRefV is the Arduino Uno's converter reference, volts.
	DefaultADCRefV = 5.0
	// BoardGain is the AD8232 front end's gain on the SparkFun board
	// (instrumentation amplifier 100 × output stage 11), V/V.
	BoardGain = 1100
	// DefaultBaseline is the count of 0 mV: the AD8232's reference sits at
	// half its 3.3 V supply, 1.65 V, which a 5 V converter reads as 338.
	DefaultBaseline = 338
)

// SignalID is the ID of the one signal the driver emits.
const SignalID = "ecg"

// EventLeadOn is the event code for leads that came back on.
const EventLeadOn = "lead-on"

// Driver reads the sketch's lines and emits one ECG signal, timing each
// sample on the host (devices.HostClock). Leads-off lines carry no
// sample: they break the run, and the first chunk after them is flagged
// GapBefore|LeadOff.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Rate is the sketch's sample rate (0 = DefaultRate).
	Rate float64
	// Baud is the sketch's serial rate (0 = DefaultBaud; the SparkFun
	// example uses 9600, which carries at most about 190 lines/s).
	Baud int
	// ADCRefV is the Arduino's converter reference (0 = DefaultADCRefV;
	// 3.3 for a 3.3 V board, whose Baseline is then 512).
	ADCRefV float64
	// Baseline is the count of 0 mV (0 = DefaultBaseline).
	Baseline int32
	// Label and MDC name the lead the electrodes form (defaults "ECG" and
	// MDC_ECG_ELEC_POTL, lead unspecified).
	Label string
	MDC   uint32
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a driver with the defaults and the given clock (nil
// for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "ad8232".
func (d *Driver) Protocol() string { return Protocol }

// Link returns the sketch's serial settings: Baud (115200) 8N1.
func (d *Driver) Link() devices.Link {
	baud := d.Baud
	if baud <= 0 {
		baud = DefaultBaud
	}
	return devices.Link{Baud: baud, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

func (d *Driver) rate() float64 {
	if d.Rate > 0 {
		return d.Rate
	}
	return DefaultRate
}

// ScaleMV returns millivolts per count at the electrodes for a converter
// reference of refV volts: refV/1024/BoardGain.
func ScaleMV(refV float64) float64 {
	if refV <= 0 {
		refV = DefaultADCRefV
	}
	return refV * 1000 / 1024 / BoardGain
}

// Signal returns the signal the driver announces.
func (d *Driver) Signal() devices.Signal {
	label, mdc, base := d.Label, d.MDC, d.Baseline
	if label == "" {
		label = "ECG"
	}
	if mdc == 0 {
		mdc = devices.MDCECGElecPotl
	}
	if base == 0 {
		base = DefaultBaseline
	}
	return devices.Signal{ID: SignalID, Label: label, Kind: devices.KindECG, MDC: mdc, Unit: "mV",
		SampleRate: d.rate(), Scale: ScaleMV(d.ADCRefV), Baseline: base, Min: 0, Max: MaxValue}
}

// chunkSamples is about 100 ms of samples.
func (d *Driver) chunkSamples() int {
	return max(1, int(math.Round(d.rate()/10)))
}

// arrival is a line with its arrival time and the decoder's count of
// skipped bytes at that point.
type arrival struct {
	l       Line
	at      time.Time
	skipped int
}

// Run reads lines until ctx is done or the port fails. The sketch takes
// no commands, so Run never writes. Cancel ctx and close the port to stop
// it; ports with read deadlines stop on cancel alone.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	lines := make(chan arrival, 256)
	readErr := make(chan error, 1)
	stop := devices.ReadInBackground(cancel, port, func() {
		dec := NewDecoder(port)
		devices.Forward(ctx, dec.Next, ErrNoData,
			func(l Line) (arrival, bool) { return arrival{l, now(), dec.Skipped()}, true }, lines, readErr)
	})
	defer stop()

	emit(&devices.DeviceInfo{Protocol: Protocol, Model: "AD8232 single-lead"})
	s := newSession(d.Signal(), d.chunkSamples(), emit)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			for len(lines) > 0 { // decoded before the error: keep them
				s.handle(<-lines)
			}
			return devices.OrCanceled(ctx, fmt.Errorf("ad8232 driver: %w", err))
		case a := <-lines:
			s.handle(a)
		}
	}
}
