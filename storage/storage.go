// Package storage defines the record store's types: users, patients,
// recordings, charted vitals and the outbox of work for the EHR. The
// implementation lives in storage/sqlite; sealing in storage/seal.
package storage

import (
	"errors"
	"time"

	"telewave/devices"
)

// Errors callers tell apart.
var (
	ErrNotFound      = errors.New("not found")
	ErrBadPassphrase = errors.New("wrong user or passphrase")
	ErrExists        = errors.New("already exists")
	ErrLocked        = errors.New("store is locked")
)

// Role of a user.
type Role string

// Roles.
const (
	RoleAdministrator Role = "administrator"
	RoleClinician     Role = "clinician"
	RoleReviewer      Role = "reviewer"
)

// User of the workstation. The passphrase never leaves seal.
type User struct {
	ID   int64
	Name string
	Role Role
}

// Patient as the local register holds it; everything but ID is sealed.
type Patient struct {
	ID    int64
	MRN   string
	Name  string
	Birth string // YYYY-MM-DD, may be empty
	Sex   string // "female", "male", "other", "unknown" or empty
}

// Recording is one continuous capture of a device's signals for a patient.
type Recording struct {
	ID          int64
	PatientID   int64
	EncounterID int64 // 0 when started outside an encounter
	Device      devices.DeviceInfo
	Started     time.Time
	Stopped     time.Time // zero while live
}

// Vital is one charted value.
type Vital struct {
	Code   uint32 // MDC
	Label  string
	Value  float64
	Unit   string // UCUM
	Status devices.NumericStatus
}

// Chart is a vitals panel charted for a patient at one time: by the
// charting timer from device numerics, or by a clinician. Its ID (a UUID)
// becomes the business identifier of every resource sent for it.
type Chart struct {
	ID         string
	PatientMRN string
	Time       time.Time
	Vitals     []Vital
	Device     devices.DeviceInfo // zero when entered by hand
	Author     string             // user name
}

// UnitState is where an outbox unit stands.
type UnitState string

// Outbox states.
const (
	Pending  UnitState = "pending"
	InFlight UnitState = "in-flight"
	Done     UnitState = "done"
	Parked   UnitState = "failed-permanent"
)

// OutboxUnit is one unit of work for the EHR, written in the same
// transaction as the data it refers to.
type OutboxUnit struct {
	ID          int64
	Kind        string // "chart"
	State       UnitState
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Chart       *Chart // for Kind "chart"
}

// OutboxStats summarises the queue for the sync state line.
type OutboxStats struct {
	Pending     int
	Parked      int
	Done        int
	LastSuccess time.Time
	LastError   string
}
