package alarms

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"telewave/devices"
)

// Policy holds the engine's timing and latching rules.
type Policy struct {
	// AudioPause is how long PauseAudio silences the alarms sounding then.
	AudioPause time.Duration
	// EscalateLow and EscalateMedium are how long an active alarm may stay
	// unacknowledged before it goes up one priority; 0 disables.
	EscalateLow    time.Duration
	EscalateMedium time.Duration
	// AsystoleDelay is how long after the last beat asystole is raised.
	AsystoleDelay time.Duration
	// LatchHigh and LatchMedium make physiological alarms of that priority
	// stay after their condition ends, until acknowledged. Technical
	// alarms never latch: they show equipment state.
	LatchHigh   bool
	LatchMedium bool
}

// DefaultPolicy: 2-minute audio pause, low → medium after 5 minutes and
// medium → high after 2 minutes unacknowledged, asystole 4 s after the
// last beat, high-priority physiological alarms latch.
func DefaultPolicy() Policy {
	return Policy{
		AudioPause:     2 * time.Minute,
		EscalateLow:    5 * time.Minute,
		EscalateMedium: 2 * time.Minute,
		AsystoleDelay:  4 * time.Second,
		LatchHigh:      true,
	}
}

// Config sets up an Engine.
type Config struct {
	Now     func() time.Time // time for user actions; time.Now if nil
	Journal Journal          // required
	Age     AgeGroup         // selects the default limits
	Policy  *Policy          // DefaultPolicy if nil
}

// ErrUnknownAlarm is returned when acknowledging an alarm not shown.
var ErrUnknownAlarm = errors.New("no such alarm")

// ErrUnit is returned for a numeric whose unit the engine cannot convert.
var ErrUnit = errors.New("unknown unit")

// Engine evaluates alarm conditions for one patient.
type Engine struct {
	jmu     sync.Mutex // serialises journal writes, taken before mu
	mu      sync.Mutex
	now     func() time.Time
	journal Journal
	policy  Policy

	age    AgeGroup
	limits [numParameters]Limits
	codes  map[uint32]Parameter
	last   [numParameters]reading

	conds  map[string]*condition
	order  []*condition // creation order: deterministic evaluation
	alarms map[string]*Alarm

	pauseUntil time.Time
	paused     map[string]bool // alarms silenced by the current pause

	pending []Entry // journal entries gathered under mu
}

type reading struct {
	value float64
	at    time.Time
	ok    bool
}

// New returns an engine with the default limits of cfg.Age.
func New(cfg Config) (*Engine, error) {
	if cfg.Journal == nil {
		return nil, errors.New("alarms: a journal is required")
	}
	e := &Engine{
		now: cfg.Now, journal: cfg.Journal, policy: DefaultPolicy(),
		age: cfg.Age, limits: DefaultLimits(cfg.Age), codes: defaultCodes(),
		conds: map[string]*condition{}, alarms: map[string]*Alarm{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	if cfg.Policy != nil {
		e.policy = *cfg.Policy
	}
	return e, nil
}

// do runs f under the state lock, then journals what it gathered, in
// order, and returns f's error joined with any journal error.
func (e *Engine) do(f func() error) error {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	e.mu.Lock()
	err := f()
	entries := e.pending
	e.pending = nil
	e.mu.Unlock()
	for _, en := range entries {
		if jerr := e.journal.Record(en); jerr != nil {
			err = errors.Join(err, fmt.Errorf("journal %s %s: %w", en.Action, en.AlarmID, jerr))
		}
	}
	return err
}

func (e *Engine) record(en Entry) { e.pending = append(e.pending, en) }

// Tick evaluates every condition at now: raises those whose delay has
// run, ends those gone, escalates, and ends an audio pause that ran out.
// Call it about once a second.
func (e *Engine) Tick(now time.Time) error {
	return e.do(func() error {
		e.expireStale(now)
		e.evaluate(now)
		return nil
	})
}

// Numeric feeds a measured value. Values of unknown codes are ignored;
// unavailable, questionable or NaN values stop the parameter's timers (no
// alarm is raised on a value the device does not vouch for).
func (e *Engine) Numeric(n devices.Numeric) error {
	return e.do(func() error {
		p, ok := e.codes[n.Code]
		if !ok {
			return nil
		}
		v, ok := toCanonical(p, n.Value, n.Unit)
		if !ok {
			return fmt.Errorf("numeric %s in %q: %w", p, n.Unit, ErrUnit)
		}
		if n.Status != devices.Valid || v != v {
			e.last[p] = reading{}
			e.observeNone(p, n.Time)
		} else {
			e.last[p] = reading{value: v, at: n.Time, ok: true}
			e.observe(p, v, n.Time)
		}
		e.evaluate(e.now())
		return nil
	})
}

// MapCode makes numerics with MDC code feed parameter p (for a device
// that reports, say, impedance respiration under its own code).
func (e *Engine) MapCode(code uint32, p Parameter) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.codes[code] = p
}

// Limits returns p's current limits.
func (e *Engine) Limits(p Parameter) Limits {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.limits[p]
}

// AgeGroup returns the age group whose defaults were last loaded.
func (e *Engine) AgeGroup() AgeGroup {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.age
}

// SetLimits changes p's limits and judges the last value against them.
func (e *Engine) SetLimits(p Parameter, l Limits, user string) error {
	if p < 0 || p >= numParameters {
		return fmt.Errorf("set limits of %s: unknown parameter", p)
	}
	if err := l.Check(); err != nil {
		return fmt.Errorf("set limits of %s: %w", p, err)
	}
	return e.do(func() error {
		now := e.now()
		old := e.limits[p]
		e.limits[p] = l
		e.record(Entry{Time: now, Action: LimitsChanged, Source: p.String(), User: user,
			Detail: fmt.Sprintf("%+v → %+v", old, l)})
		e.rejudge(p)
		e.evaluate(now)
		return nil
	})
}

// SetAgeGroup loads the default limits of g for every parameter.
func (e *Engine) SetAgeGroup(g AgeGroup, user string) error {
	return e.do(func() error {
		now := e.now()
		e.age = g
		e.limits = DefaultLimits(g)
		e.record(Entry{Time: now, Action: LimitsChanged, User: user, Detail: "defaults for " + g.String()})
		for p := range numParameters {
			e.rejudge(p)
		}
		e.evaluate(now)
		return nil
	})
}

func (e *Engine) rejudge(p Parameter) {
	if r := e.last[p]; r.ok {
		e.observe(p, r.value, r.at)
	}
}
