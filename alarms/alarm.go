package alarms

import (
	"time"

	"telewave/devices"
)

// Alarm is one alarm as shown: raised and either still active, or ended
// but latched until acknowledged.
type Alarm struct {
	ID       string // the condition, e.g. "spo2-extreme-low", "lead-off:COM3"
	Kind     devices.EventKind
	Priority devices.Priority // now, after any escalation
	Initial  devices.Priority // when raised
	Text     string
	Source   string  // parameter label or device
	Value    float64 // the value that raised it (physiological)
	Onset    time.Time
	Raised   time.Time
	// Ended is when the condition ended; zero while active. An ended alarm
	// still listed is latched.
	Ended        time.Time
	Acknowledged bool
	AckedBy      string
	AckedAt      time.Time
	EscalatedAt  time.Time
	// Audible and Flashing are filled in by State: audible while neither
	// acknowledged nor paused; flashing (at Style.FlashHz) until
	// acknowledged.
	Audible  bool
	Flashing bool
	Style    Style
}

// Active reports whether the alarm's condition is still present.
func (a Alarm) Active() bool { return a.Ended.IsZero() }

// Latched reports whether the alarm is shown only because it latches.
func (a Alarm) Latched() bool { return !a.Ended.IsZero() }

// State is what the alarm bar shows and plays.
type State struct {
	// Alarms are highest priority first, then the most recent first.
	Alarms []Alarm
	// Sound is the sound of the highest-priority audible alarm; "" when
	// nothing must sound.
	Sound string
	// AudioPausedUntil is when the audio pause ends; zero when none.
	AudioPausedUntil time.Time
}

// Highest returns the highest priority shown, Info when none.
func (s State) Highest() devices.Priority {
	if len(s.Alarms) == 0 {
		return devices.Info
	}
	return s.Alarms[0].Priority
}
