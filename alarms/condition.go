package alarms

import (
	"slices"
	"time"

	"telewave/devices"
)

// Spec describes an alarm condition.
type Spec struct {
	ID       string // unique, stable: the journal and acknowledgements use it
	Kind     devices.EventKind
	Priority devices.Priority
	Delay    time.Duration // how long the condition must last before it alarms
	Text     string
	Source   string
	// Supersedes lists conditions this one replaces while it is raised
	// (asystole supersedes bradycardia).
	Supersedes []string
}

// condition is the engine's view of one alarm condition.
type condition struct {
	spec    Spec
	present bool
	since   time.Time // when it became present
	value   float64
	leads   *leadState // lead-off conditions only
}

// cond returns the condition for spec, creating it; a known condition
// keeps its state but takes the new spec (a limit's text may change).
func (e *Engine) cond(spec Spec) *condition {
	c, ok := e.conds[spec.ID]
	if !ok {
		c = &condition{}
		e.conds[spec.ID] = c
		e.order = append(e.order, c)
	}
	c.spec = spec
	return c
}

// set records whether c is present from at on.
func (c *condition) set(present bool, at time.Time, value float64) {
	c.value = value
	switch {
	case present && !c.present:
		c.present, c.since = true, at
	case !present:
		c.present, c.since = false, time.Time{}
	}
}

// evaluate raises, ends, supersedes and escalates at now.
func (e *Engine) evaluate(now time.Time) {
	var due []*condition
	for _, c := range e.order {
		a := e.alarms[c.spec.ID]
		active := a != nil && a.Active()
		switch {
		case c.present && !active && now.Sub(c.since) >= c.spec.Delay:
			due = append(due, c)
		case !c.present && active:
			e.end(a, now, "")
		}
	}
	// The highest first, so that a condition it supersedes is not raised
	// only to be replaced at once.
	slices.SortStableFunc(due, func(a, b *condition) int { return int(b.spec.Priority - a.spec.Priority) })
	for _, c := range due {
		if !e.supersededNow(c.spec.ID) {
			e.raise(c, now)
		}
	}
	for _, c := range e.order {
		a := e.alarms[c.spec.ID]
		if a == nil || !a.Active() {
			continue
		}
		for _, id := range c.spec.Supersedes {
			if b := e.alarms[id]; b != nil && b.Active() {
				e.record(entryOf(b, now, Superseded, "by "+a.ID))
				e.end(b, now, "superseded by "+a.ID)
			}
		}
	}
	e.escalate(now)
	if !e.pauseUntil.IsZero() && !now.Before(e.pauseUntil) {
		e.pauseUntil, e.paused = time.Time{}, nil
		e.record(Entry{Time: now, Action: AudioResumed})
	}
}

// supersededNow reports whether an active alarm supersedes id.
func (e *Engine) supersededNow(id string) bool {
	for _, c := range e.order {
		if a := e.alarms[c.spec.ID]; a == nil || !a.Active() {
			continue
		}
		for _, s := range c.spec.Supersedes {
			if s == id {
				return true
			}
		}
	}
	return false
}

func (e *Engine) raise(c *condition, now time.Time) {
	s := c.spec
	a := e.alarms[s.ID]
	detail := ""
	if a != nil { // latched from an earlier episode: it recurs
		detail = "recurred while latched"
	}
	a = &Alarm{ID: s.ID, Kind: s.Kind, Priority: s.Priority, Initial: s.Priority, Text: s.Text,
		Source: s.Source, Value: c.value, Onset: c.since, Raised: now}
	e.alarms[s.ID] = a
	e.record(entryOf(a, now, Raised, detail))
}

// end handles the end of a's condition: a latching, unacknowledged alarm
// stays shown; any other goes.
func (e *Engine) end(a *Alarm, now time.Time, why string) {
	a.Ended = now
	latch := a.Kind == devices.Physiological && !a.Acknowledged &&
		((a.Priority == devices.High && e.policy.LatchHigh) || (a.Priority == devices.Medium && e.policy.LatchMedium))
	if why != "" {
		latch = false // superseded: the higher alarm carries the episode
	}
	detail := why
	if latch {
		detail = "latched until acknowledged"
	} else {
		delete(e.alarms, a.ID)
		delete(e.paused, a.ID)
	}
	if why == "" {
		e.record(entryOf(a, now, Ended, detail))
	}
}

func (e *Engine) escalate(now time.Time) {
	for _, c := range e.order {
		a := e.alarms[c.spec.ID]
		if a == nil || !a.Active() || a.Acknowledged {
			continue
		}
		since := a.Raised
		if !a.EscalatedAt.IsZero() {
			since = a.EscalatedAt
		}
		var after time.Duration
		switch a.Priority {
		case devices.Low:
			after = e.policy.EscalateLow
		case devices.Medium:
			after = e.policy.EscalateMedium
		default:
			continue
		}
		if after > 0 && now.Sub(since) >= after {
			a.Priority++
			a.EscalatedAt = now
			delete(e.paused, a.ID) // a new priority sounds even in a pause
			e.record(entryOf(a, now, Escalated, "unacknowledged for "+after.String()))
		}
	}
}

func entryOf(a *Alarm, now time.Time, act Action, detail string) Entry {
	return Entry{Time: now, Action: act, AlarmID: a.ID, Kind: a.Kind, Priority: a.Priority,
		Text: a.Text, Source: a.Source, Value: a.Value, Detail: detail}
}
