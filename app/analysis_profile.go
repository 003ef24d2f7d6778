package app

import (
	"context"
	"errors"
	"fmt"

	"telewave/alarms"
	"telewave/storage"
)

// ProfileSetting is the name under which a patient's alarm profile (age
// group and own limits) is kept with the patient.
const ProfileSetting = "alarm-profile"

// ProfileStore keeps per-patient settings (storage/sqlite.Store).
type ProfileStore interface {
	SetPatientSetting(ctx context.Context, patientID int64, name string, value []byte) error
	PatientSetting(ctx context.Context, patientID int64, name string) ([]byte, error)
}

// loadProfile applies the patient's saved alarm profile. With none saved
// it keeps the defaults of the age group from the birth date. A damaged
// profile is an error: the defaults stay and the caller says so.
func (a *Analysis) loadProfile(ctx context.Context, ps ProfileStore, patientID int64) error {
	b, err := ps.PatientSetting(ctx, patientID, ProfileSetting)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load alarm limits: %w", err)
	}
	pr, err := alarms.UnmarshalProfile(b)
	if err != nil {
		return fmt.Errorf("load alarm limits: %w", err)
	}
	return a.engine.ApplyProfile(pr, "")
}

// SetLimits changes one parameter's alarm limits for user and saves the
// patient's profile in the background; it never waits on the disk.
func (a *Analysis) SetLimits(p alarms.Parameter, l alarms.Limits, user string) error {
	if err := a.engine.SetLimits(p, l, user); err != nil {
		return err
	}
	return a.saveProfile()
}

// SetAgeGroup loads the default limits of g for user (dropping the
// patient's own) and saves the profile in the background.
func (a *Analysis) SetAgeGroup(g alarms.AgeGroup, user string) error {
	if err := a.engine.SetAgeGroup(g, user); err != nil {
		return err
	}
	return a.saveProfile()
}

func (a *Analysis) saveProfile() error {
	b, err := alarms.MarshalProfile(a.engine.Profile())
	if err != nil {
		return fmt.Errorf("save alarm limits: %w", err)
	}
	a.journal.queueProfile(b)
	return nil
}

// Limits returns p's alarm limits in force.
func (a *Analysis) Limits(p alarms.Parameter) alarms.Limits { return a.engine.Limits(p) }

// AgeGroup returns the age group whose defaults were last loaded.
func (a *Analysis) AgeGroup() alarms.AgeGroup { return a.engine.AgeGroup() }
