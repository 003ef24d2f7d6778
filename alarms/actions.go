package alarms

import (
	"fmt"
	"slices"
	"time"
)

// Acknowledge acknowledges alarm id for user: an active alarm stops
// sounding, stops flashing and does not escalate, and goes when its
// condition ends; a latched alarm goes at once.
func (e *Engine) Acknowledge(id, user string) error {
	return e.do(func() error {
		a, ok := e.alarms[id]
		if !ok {
			return fmt.Errorf("acknowledge %q: %w", id, ErrUnknownAlarm)
		}
		e.ack(a, user, e.now())
		return nil
	})
}

// AcknowledgeAll acknowledges every alarm shown.
func (e *Engine) AcknowledgeAll(user string) error {
	return e.do(func() error {
		now := e.now()
		for _, a := range e.sorted() {
			if !a.Acknowledged || a.Latched() {
				e.ack(a, user, now)
			}
		}
		return nil
	})
}

func (e *Engine) ack(a *Alarm, user string, now time.Time) {
	detail := ""
	if a.Latched() {
		detail = "latched alarm reset"
		delete(e.alarms, a.ID)
		delete(e.paused, a.ID)
	}
	a.Acknowledged, a.AckedBy, a.AckedAt = true, user, now
	en := entryOf(a, now, Acknowledged, detail)
	en.User = user
	e.record(en)
}

// PauseAudio silences, for Policy.AudioPause, the alarms sounding now.
// An alarm raised or escalated during the pause sounds at once (IEC
// 60601-1-8 allows either; this is the safer). Pausing again restarts the
// pause.
func (e *Engine) PauseAudio(user string) error {
	return e.do(func() error {
		now := e.now()
		e.pauseUntil = now.Add(e.policy.AudioPause)
		e.paused = map[string]bool{}
		for id := range e.alarms {
			e.paused[id] = true
		}
		e.record(Entry{Time: now, Action: AudioPaused, User: user,
			Detail: "until " + e.pauseUntil.Format(time.RFC3339)})
		return nil
	})
}

// State returns what to show and play now (by the engine's clock).
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s State
	if !e.pauseUntil.IsZero() && e.now().Before(e.pauseUntil) {
		s.AudioPausedUntil = e.pauseUntil
	}
	for _, a := range e.sorted() {
		v := *a
		v.Style = StyleOf(v.Priority)
		v.Flashing = !v.Acknowledged && v.Style.FlashHz > 0
		v.Audible = !v.Acknowledged && !(s.AudioPausedUntil.After(time.Time{}) && e.paused[v.ID])
		if v.Audible && s.Sound == "" {
			s.Sound = v.Style.Sound
		}
		s.Alarms = append(s.Alarms, v)
	}
	return s
}

// sorted returns the alarms highest priority first, then newest first,
// then by id.
func (e *Engine) sorted() []*Alarm {
	out := make([]*Alarm, 0, len(e.alarms))
	for _, a := range e.alarms {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Alarm) int {
		if a.Priority != b.Priority {
			return int(b.Priority - a.Priority)
		}
		if c := b.Raised.Compare(a.Raised); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out
}
