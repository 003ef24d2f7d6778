package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Config chooses the filters of a Chain. A zero frequency switches that
// filter off.
type Config struct {
	SampleRate float64 // Hz
	HighPass   float64 // baseline-wander cut-off, Hz (e.g. 0.5)
	LowPass    float64 // muscle-noise cut-off, Hz (e.g. 40)
	Notch      float64 // mains frequency, Hz: 50 or 60
	// NotchQ is the notch's quality: its -3 dB width is Notch/NotchQ.
	// Zero means DefaultNotchQ.
	NotchQ float64
	// Orders of the Butterworth high- and low-pass filters: 2, 4, 6 or 8.
	// Zero means 2 for the high-pass (little ST distortion) and 4 for the
	// low-pass (a steeper roll-off above the QRS band).
	HighPassOrder int
	LowPassOrder  int
}

// DefaultNotchQ gives a 50 Hz notch about 1.7 Hz wide at -3 dB.
const DefaultNotchQ = 30

// ErrConfig is returned for a filter that cannot be built.
var ErrConfig = errors.New("invalid filter configuration")

// Monitoring is the bedside display's usual band: 0.5–40 Hz with a mains
// notch (mains 0 for none).
func Monitoring(sampleRate, mains float64) Config {
	return Config{SampleRate: sampleRate, HighPass: 0.5, LowPass: 40, Notch: mains}
}

// Diagnostic is the band for a 12-lead review: 0.05–150 Hz (AHA), the
// low-pass left off when the sample rate cannot carry 150 Hz.
func Diagnostic(sampleRate, mains float64) Config {
	c := Config{SampleRate: sampleRate, HighPass: 0.05, LowPass: 150, Notch: mains}
	if c.LowPass >= 0.45*sampleRate {
		c.LowPass = 0
	}
	return c
}

// Chain is a causal filter for live display: high-pass, notch, low-pass
// in one cascade with streaming state. ZeroPhase gives the same filter
// without phase shift for review and reports. A Chain is not safe for
// concurrent use; use one per signal.
type Chain struct {
	cfg Config
	c   *Cascade
}

// New builds the chain described by cfg.
func New(cfg Config) (*Chain, error) {
	if cfg.NotchQ == 0 {
		cfg.NotchQ = DefaultNotchQ
	}
	if cfg.HighPassOrder == 0 {
		cfg.HighPassOrder = 2
	}
	if cfg.LowPassOrder == 0 {
		cfg.LowPassOrder = 4
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var s []Biquad
	fs := cfg.SampleRate
	if cfg.HighPass > 0 {
		for _, q := range butterworthQ(cfg.HighPassOrder) {
			s = append(s, HighPass(cfg.HighPass, fs, q))
		}
	}
	if cfg.Notch > 0 {
		s = append(s, Notch(cfg.Notch, fs, cfg.NotchQ))
	}
	if cfg.LowPass > 0 {
		for _, q := range butterworthQ(cfg.LowPassOrder) {
			s = append(s, LowPass(cfg.LowPass, fs, q))
		}
	}
	return &Chain{cfg: cfg, c: NewCascade(s...)}, nil
}

func (cfg Config) check() error {
	nyq := cfg.SampleRate / 2
	switch {
	case !(cfg.SampleRate > 0):
		return fmt.Errorf("sample rate %g Hz: %w", cfg.SampleRate, ErrConfig)
	case cfg.HighPass < 0 || cfg.HighPass >= nyq:
		return fmt.Errorf("high-pass %g Hz at %g Hz sampling: %w", cfg.HighPass, cfg.SampleRate, ErrConfig)
	case cfg.LowPass < 0 || cfg.LowPass >= nyq:
		return fmt.Errorf("low-pass %g Hz at %g Hz sampling: %w", cfg.LowPass, cfg.SampleRate, ErrConfig)
	case cfg.Notch < 0 || cfg.Notch >= nyq:
		return fmt.Errorf("notch %g Hz at %g Hz sampling: %w", cfg.Notch, cfg.SampleRate, ErrConfig)
	case cfg.HighPass > 0 && cfg.LowPass > 0 && cfg.HighPass >= cfg.LowPass:
		return fmt.Errorf("band %g–%g Hz is empty: %w", cfg.HighPass, cfg.LowPass, ErrConfig)
	case cfg.NotchQ <= 0:
		return fmt.Errorf("notch Q %g: %w", cfg.NotchQ, ErrConfig)
	}
	for _, o := range []int{cfg.HighPassOrder, cfg.LowPassOrder} {
		if o < 2 || o > 8 || o%2 != 0 {
			return fmt.Errorf("order %d (want 2, 4, 6 or 8): %w", o, ErrConfig)
		}
	}
	return nil
}

// Config returns the configuration the chain was built with, defaults
// filled in.
func (ch *Chain) Config() Config { return ch.cfg }

// Process filters the next run of samples of the stream into out (at
// least len(in), may be in itself).
func (ch *Chain) Process(in, out []float64) { ch.c.Process(in, out) }

// Reset forgets the stream, as after a gap; the next sample primes it.
func (ch *Chain) Reset() { ch.c.Reset() }

// Prime sets the state as if the stream had long been at x, so that a
// signal with an offset does not start with a step.
func (ch *Chain) Prime(x float64) { ch.c.Prime(x) }

// ZeroPhase filters a whole recording forward and backward (no delay, no
// phase distortion, the causal chain's attenuation doubled in dB) into out.
// It does not touch the streaming state.
func (ch *Chain) ZeroPhase(in, out []float64) { ch.c.ZeroPhase(in, out) }

// ResponseDB returns the causal chain's gain at f Hz in decibels; the
// zero-phase gain is twice that.
func (ch *Chain) ResponseDB(f float64) float64 { return ch.c.ResponseDB(f, ch.cfg.SampleRate) }

// Describe says in a few words what the display shows, e.g.
// "0.5–40 Hz, notch 50 Hz", "≥ 0.5 Hz", "≤ 40 Hz" or "unfiltered".
func (ch *Chain) Describe() string {
	hz := func(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }
	var parts []string
	switch hp, lp := ch.cfg.HighPass, ch.cfg.LowPass; {
	case hp > 0 && lp > 0:
		parts = append(parts, hz(hp)+"–"+hz(lp)+" Hz")
	case hp > 0:
		parts = append(parts, "≥ "+hz(hp)+" Hz")
	case lp > 0:
		parts = append(parts, "≤ "+hz(lp)+" Hz")
	}
	if ch.cfg.Notch > 0 {
		parts = append(parts, "notch "+hz(ch.cfg.Notch)+" Hz")
	}
	if len(parts) == 0 {
		return "unfiltered"
	}
	return strings.Join(parts, ", ")
}
