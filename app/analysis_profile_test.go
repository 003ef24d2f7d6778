package app

import (
	"context"
	"testing"
	"time"

	"telewave/alarms"
	"telewave/devices"
	"telewave/storage"
)

// Limits a clinician sets are kept with the patient: the next session for
// the same patient starts with them, and the store's copy is what changed.
func TestAlarmLimitsKeptWithThePatient(t *testing.T) {
	store, p := openStore(t)
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p})
	if err != nil {
		t.Fatal(err)
	}
	if g := w.Analysis.Engine().AgeGroup(); g != alarms.Adult {
		t.Fatalf("born 1815: age group %s", g)
	}
	w.Start(context.Background())
	own := alarms.Limits{ExtremeLow: 35, Low: 45, High: 110, ExtremeHigh: 130}
	if err := w.Analysis.SetLimits(alarms.HR, own, "admin"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the profile saved", func() bool {
		b, err := store.PatientSetting(context.Background(), p.ID, ProfileSetting)
		if err != nil {
			return false
		}
		pr, err := alarms.UnmarshalProfile(b)
		return err == nil && pr.Limits["hr"] == own
	})
	w.Close()

	w2, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p})
	if err != nil {
		t.Fatal(err)
	}
	w2.Start(context.Background())
	defer w2.Close()
	eventually(t, 10*time.Second, "the saved limits applied", func() bool { return w2.Analysis.Engine().Limits(alarms.HR) == own })
}

func TestAlarmDefaultsFollowTheBirthDate(t *testing.T) {
	store, _ := openStore(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	child, err := store.AddPatient(context.Background(), storage.Patient{MRN: "MRN-KID", Name: "Kid", Birth: "2020-06-01"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: child, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	e := w.Analysis.Engine()
	if e.AgeGroup() != alarms.Child || e.Limits(alarms.HR) != alarms.DefaultLimits(alarms.Child)[alarms.HR] {
		t.Fatalf("a 6-year-old: age group %s, HR limits %+v", e.AgeGroup(), e.Limits(alarms.HR))
	}
}

// A damaged saved profile keeps the defaults and raises a technical alarm
// saying so, instead of half applying it.
func TestDamagedAlarmProfileKeepsDefaults(t *testing.T) {
	store, p := openStore(t)
	if err := store.SetPatientSetting(context.Background(), p.ID, ProfileSetting, []byte(`{"age":0,"limits":{"hr":{"low":150,"high":60}}}`)); err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p})
	if err != nil {
		t.Fatal(err)
	}
	sub := w.Hub.Subscribe("test", 256)
	w.Start(context.Background())
	defer w.Close()
	eventually(t, 10*time.Second, "the alarm-limits technical event", func() bool {
		for {
			select {
			case e := <-sub.C:
				if ev, ok := e.Msg.(*devices.Event); ok && ev.Code == "alarm-limits" && ev.Kind == devices.Technical {
					return true
				}
			default:
				return false
			}
		}
	})
	if got := w.Analysis.Engine().Limits(alarms.HR); got != alarms.DefaultLimits(alarms.Adult)[alarms.HR] {
		t.Fatalf("HR limits %+v after a damaged profile", got)
	}
}
