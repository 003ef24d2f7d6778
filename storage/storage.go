// Package storage defines the record store's types: users, patients,
// recordings, charted vitals and the outbox of work for the EHR. The
// implementation lives in storage/sqlite; sealing in storage/seal.
package storage

import (
	"errors"
	"math"
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

// TimedVital is a charted value with the time of its chart.
type TimedVital struct {
	Time time.Time
	Vital
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
	Chart       *Chart  // for Kind "chart"
	Strip       *Strip  // for Kind "strip"
	Clip        *Clip   // for Kind "clip"
	Report      *Report // for Kind "report"
}

// OutboxStats summarises the queue for the sync state line.
type OutboxStats struct {
	Pending     int
	Parked      int
	Done        int
	LastSuccess time.Time
	LastError   string
}

// GapSample stands in a StripLead's samples where the device delivered
// none (a dropped packet, a reconnect): it travels to the EHR as "E".
const GapSample int32 = math.MinInt32

// StripLead is one signal of a strip with its samples, in counts.
type StripLead struct {
	Signal  devices.Signal
	Samples []int32 // GapSample where nothing was recorded
}

// Strip is a stretch of waveform (ECG leads, pleth) a clinician recorded
// for the chart. Its ID (a UUID) becomes the business identifier of what is
// sent for it.
type Strip struct {
	ID          string
	PatientMRN  string
	RecordingID int64     // the recording it was cut from; 0 if none
	Start       time.Time // time of the first sample
	// End is where the strip stops (exclusive). Queueing a strip whose
	// leads carry no samples reads them from the recording between Start
	// and End; otherwise it may be left zero.
	End    time.Time
	Leads  []StripLead
	Device devices.DeviceInfo
	Author string // user name
}

// Auscultation sites of a stethoscope clip.
const (
	SiteAortic    = "aortic"
	SitePulmonic  = "pulmonic"
	SiteTricuspid = "tricuspid"
	SiteMitral    = "mitral"
	SiteLungs     = "lungs"
)

// Clip is a stethoscope recording for the chart: the WAVE file as
// recorded, where on the body, and when.
type Clip struct {
	ID         string // UUID
	PatientMRN string
	Time       time.Time // start of the recording
	Site       string    // one of the Site constants, or empty
	WAV        []byte
	Device     devices.DeviceInfo
	Author     string
	// BinaryID is the EHR's id of the uploaded audio once known, so that a
	// resend does not upload it again.
	BinaryID string
}

// Report is a clinician's interpretation of strips, for the chart.
type Report struct {
	ID         string // UUID
	PatientMRN string
	Time       time.Time
	Text       string   // the conclusion
	Author     string   // user name of the interpreting clinician
	Strips     []string // IDs of the strips it interprets
}
