package storage

import (
	"errors"
	"time"

	"telewave/devices"
)

// More errors callers tell apart.
var (
	// ErrDisabled: the user exists but an administrator disabled it. Unlock
	// does not return it (a guesser learns nothing); user management does.
	ErrDisabled = errors.New("user is disabled")
	// ErrThrottled: too many failed logins for this user name lately; the
	// next attempt is refused until the wait has passed.
	ErrThrottled = errors.New("too many failed logins, wait before trying again")
	// ErrLastAdministrator: the change would leave no enabled administrator.
	ErrLastAdministrator = errors.New("the store must keep one enabled administrator")
	// ErrOpen: an encounter is already open for the patient.
	ErrOpen = errors.New("already open")
)

// UserInfo is a user as an administrator sees it.
type UserInfo struct {
	User
	Disabled bool
	Created  time.Time
}

// Encounter is one visit of a patient: recordings started while it is open
// belong to it.
type Encounter struct {
	ID        int64
	PatientID int64
	Started   time.Time
	Stopped   time.Time // zero while open
	Reason    string    // sealed
	OpenedBy  string    // sealed
	ClosedBy  string    // sealed
}

// Annotation is a note at a time of a recording, by a clinician or a
// remote viewer; Signal is empty when it concerns the whole recording.
type Annotation struct {
	ID          int64
	RecordingID int64
	Time        time.Time
	Signal      string
	Text        string
	Author      string
}

// RecordedEvent is a device or technical event stored with a recording.
type RecordedEvent struct {
	RecordingID int64
	devices.Event
}

// AlarmAction is what happened to an alarm.
type AlarmAction string

// Alarm actions, as stored in the alarm history.
const (
	AlarmRaised       AlarmAction = "raised"
	AlarmCleared      AlarmAction = "cleared"
	AlarmAcknowledged AlarmAction = "acknowledged"
	AlarmPaused       AlarmAction = "audio-paused"
	AlarmEscalated    AlarmAction = "escalated"
)

// AlarmEntry is one line of the alarm history.
type AlarmEntry struct {
	ID          int64
	PatientID   int64 // 0 when no patient was selected
	RecordingID int64 // 0 when not tied to a recording
	Time        time.Time
	Code        string
	Text        string
	Priority    devices.Priority
	Action      AlarmAction
	User        string // who acknowledged or paused; empty for the engine
}
