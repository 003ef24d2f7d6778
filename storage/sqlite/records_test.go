package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
)

func TestDisabledUserCannotLogIn(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	if _, err := s.AddUser(ctx, "cleo", storage.RoleClinician, []byte("cleo's passphrase"), seal.FastParams); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, "cleo", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, adminName, true); !errors.Is(err, storage.ErrLastAdministrator) {
		t.Errorf("disabling the only administrator: %v, want ErrLastAdministrator", err)
	}
	s.Close()

	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Unlock(ctx, "cleo", []byte("cleo's passphrase")); !errors.Is(err, storage.ErrBadPassphrase) {
		t.Fatalf("disabled user unlocked: %v", err)
	}
	if _, err := s2.Patients(ctx); !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("store opened for a disabled user: %v", err)
	}
	if _, err := s2.Unlock(ctx, adminName, []byte(adminPass)); err != nil {
		t.Fatal(err)
	}
	users, err := s2.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[1].Name != "cleo" || !users[1].Disabled {
		t.Errorf("users = %+v", users)
	}
	if err := s2.SetDisabled(ctx, "cleo", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Unlock(ctx, "cleo", []byte("cleo's passphrase")); err != nil {
		t.Fatalf("re-enabled user: %v", err)
	}
	if _, err := s2.Users(ctx); !errors.Is(err, ErrNotAdministrator) {
		t.Errorf("a clinician listed users: %v", err)
	}
}

func TestFailedLoginsAreThrottledAndAudited(t *testing.T) {
	ctx := context.Background()
	_, dir, _ := newStore(t)
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := &fakeClock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	s.now = clock.Now
	for i := range throttleFree {
		if _, err := s.Unlock(ctx, adminName, []byte("wrong")); !errors.Is(err, storage.ErrBadPassphrase) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Now even the right passphrase must wait.
	if _, err := s.Unlock(ctx, adminName, []byte(adminPass)); !errors.Is(err, storage.ErrThrottled) {
		t.Fatalf("4th attempt at once: %v, want ErrThrottled", err)
	}
	wait, err := s.ThrottleWait(ctx, adminName)
	if err != nil || wait <= time.Second {
		t.Fatalf("wait after a refused attempt = %v, %v; want it to have grown past 1 s", wait, err)
	}
	clock.Advance(wait)
	if _, err := s.Unlock(ctx, adminName, []byte(adminPass)); err != nil {
		t.Fatalf("after waiting: %v", err)
	}
	log, err := s.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range log {
		if e.Action == "failed login" {
			failed++
		}
	}
	if failed != throttleFree+1 {
		t.Errorf("%d failed logins audited, want %d", failed, throttleFree+1)
	}
	if w, _ := s.ThrottleWait(ctx, adminName); w != 0 {
		t.Errorf("wait after a successful login = %v", w)
	}
}

func TestChangePassphraseAndLock(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	if err := s.ChangePassphrase(ctx, []byte("not it"), []byte("new one"), seal.FastParams); !errors.Is(err, storage.ErrBadPassphrase) {
		t.Fatalf("wrong old passphrase: %v", err)
	}
	if err := s.ChangePassphrase(ctx, []byte(adminPass), []byte("new one"), seal.FastParams); err != nil {
		t.Fatal(err)
	}
	if err := s.Lock(ctx, "idle 5 min"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Patients(ctx); !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("after Lock: %v", err)
	}
	if _, err := s.Unlock(ctx, adminName, []byte(adminPass)); !errors.Is(err, storage.ErrBadPassphrase) {
		t.Fatalf("old passphrase still works: %v", err)
	}
	if _, err := s.Unlock(ctx, adminName, []byte("new one")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := func() *Store {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}()
	if _, err := s2.Unlock(ctx, adminName, []byte("new one")); err != nil {
		t.Fatal(err)
	}
	if n, err := s2.VerifyAudit(ctx); err != nil || n < 4 {
		t.Fatalf("audit: %d rows, %v", n, err)
	}
}

func TestEncountersAnnotationsEventsAlarms(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	p := addPatient(t, s, "MRN-7", "Grace Hopper")
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

	outside, err := s.StartRecording(ctx, p.ID, devices.DeviceInfo{Protocol: "contec"}, t0)
	if err != nil || outside.EncounterID != 0 {
		t.Fatalf("recording outside an encounter: %+v %v", outside, err)
	}
	e, err := s.StartEncounter(ctx, p.ID, "chest pain", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartEncounter(ctx, p.ID, "again", t0); !errors.Is(err, storage.ErrOpen) {
		t.Errorf("second open encounter: %v", err)
	}
	rec, err := s.StartRecording(ctx, p.ID, devices.DeviceInfo{Protocol: "intellivue"}, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if rec.EncounterID != e.ID {
		t.Errorf("recording in encounter %d, want %d", rec.EncounterID, e.ID)
	}
	if _, err := s.Annotate(ctx, storage.Annotation{RecordingID: rec.ID, Time: t0.Add(90 * time.Second), Signal: "ecg-2", Text: "ST elevation?"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, rec.ID, []devices.Event{{Code: devices.EventLeadOff, Text: "V1 off", Time: t0.Add(2 * time.Minute), Priority: devices.Medium}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordAlarm(ctx, storage.AlarmEntry{PatientID: p.ID, RecordingID: rec.ID, Time: t0.Add(3 * time.Minute),
		Code: "spo2-low", Text: "SpO2 85 < 90", Priority: devices.High, Action: storage.AlarmRaised}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordAlarm(ctx, storage.AlarmEntry{PatientID: p.ID, Time: t0.Add(3*time.Minute + 5*time.Second),
		Code: "spo2-low", Priority: devices.High, Action: storage.AlarmAcknowledged, User: adminName}); err != nil {
		t.Fatal(err)
	}
	if err := s.StopEncounter(ctx, e.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = reopen(t, dir)
	encs, err := s.Encounters(ctx, p.ID)
	if err != nil || len(encs) != 1 || encs[0].Reason != "chest pain" || encs[0].ClosedBy != adminName || !encs[0].Stopped.Equal(t0.Add(time.Hour)) {
		t.Fatalf("encounters = %+v, %v", encs, err)
	}
	if _, err := s.OpenEncounter(ctx, p.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("open encounter after stop: %v", err)
	}
	recs, err := s.Recordings(ctx, p.ID)
	if err != nil || len(recs) != 2 || recs[0].ID != rec.ID || recs[0].Device.Protocol != "intellivue" {
		t.Fatalf("recordings = %+v, %v", recs, err)
	}
	notes, err := s.Annotations(ctx, rec.ID)
	if err != nil || len(notes) != 1 || notes[0].Text != "ST elevation?" || notes[0].Author != adminName || notes[0].Signal != "ecg-2" {
		t.Fatalf("annotations = %+v, %v", notes, err)
	}
	evs, err := s.Events(ctx, rec.ID)
	if err != nil || len(evs) != 1 || evs[0].Code != devices.EventLeadOff || evs[0].Priority != devices.Medium {
		t.Fatalf("events = %+v, %v", evs, err)
	}
	alarms, err := s.Alarms(ctx, p.ID)
	if err != nil || len(alarms) != 2 || alarms[0].Action != storage.AlarmRaised || alarms[1].User != adminName {
		t.Fatalf("alarms = %+v, %v", alarms, err)
	}
	log, _ := s.AuditLog(ctx)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"encounter start", "annotate", "alarm acknowledged", "encounter stop"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit lacks %q: %v", want, actions)
		}
	}
	// A sealed annotation moved to another row no longer opens.
	exec(t, s, `INSERT INTO annotations (recording_id, time_ns, sealed) SELECT recording_id, time_ns, sealed FROM annotations`)
	if _, err := s.Annotations(ctx, rec.ID); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("copied annotation: %v, want ErrTampered", err)
	}
}

func TestUpdatePatient(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	a := addPatient(t, s, "A-1", "Ada")
	addPatient(t, s, "B-2", "Bob")
	a.Name, a.MRN = "Ada King", "A-11"
	if _, err := s.UpdatePatient(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PatientByMRN(ctx, "A-11"); err != nil || got.Name != "Ada King" {
		t.Fatalf("by new MRN: %+v %v", got, err)
	}
	if _, err := s.PatientByMRN(ctx, "A-1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("old MRN still found: %v", err)
	}
	a.MRN = "B-2"
	if _, err := s.UpdatePatient(ctx, a); !errors.Is(err, storage.ErrExists) {
		t.Errorf("taking another patient's MRN: %v", err)
	}
}
