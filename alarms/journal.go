package alarms

import (
	"time"

	"telewave/devices"
)

// Journal receives every alarm record, in order, for storage and audit.
// Record is called without the engine's state lock held but with calls
// serialised; it must not call back into the engine's mutating methods.
type Journal interface {
	Record(Entry) error
}

// Action says what an Entry records.
type Action string

// Journal actions.
const (
	Raised        Action = "raised"         // the alarm is announced
	Ended         Action = "ended"          // its condition ended (Detail says if it stays latched)
	Superseded    Action = "superseded"     // replaced by a higher alarm on the same parameter
	Escalated     Action = "escalated"      // priority raised while unacknowledged
	Acknowledged  Action = "acknowledged"   // by a user
	AudioPaused   Action = "audio-paused"   // by a user, for Policy.AudioPause
	AudioResumed  Action = "audio-resumed"  // the pause ran out
	LimitsChanged Action = "limits-changed" // by a user or an age-group change
)

// Entry is one journal record.
type Entry struct {
	Time     time.Time
	Action   Action
	AlarmID  string // empty for audio pause and limit changes
	Kind     devices.EventKind
	Priority devices.Priority
	Text     string
	Source   string
	Value    float64 // the parameter's value, when there is one
	User     string  // who acknowledged, paused or changed limits
	Detail   string
}

// JournalFunc adapts a function to Journal.
type JournalFunc func(Entry) error

// Record calls f.
func (f JournalFunc) Record(e Entry) error { return f(e) }

var _ Journal = JournalFunc(nil)
