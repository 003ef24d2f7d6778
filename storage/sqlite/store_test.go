package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
)

func TestCreateOpenUnlock(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	if !Exists(dir) {
		t.Fatal("Exists is false after Create")
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %o, want %o", path, got, want)
		}
	}
	if _, _, err := Create(ctx, dir, "bob", []byte("x"), seal.FastParams); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("second Create: err = %v, want ErrExists", err)
	}
	if _, err := Open(ctx, t.TempDir()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Open of empty dir: err = %v, want ErrNotFound", err)
	}
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Patients(ctx); !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("Patients before unlock: err = %v, want ErrLocked", err)
	}
	bad := []struct{ user, pass string }{
		{adminName, "wrong"},
		{adminName, ""},
		{"nobody", adminPass},
	}
	for _, b := range bad {
		t.Run(b.user+"/"+b.pass, func(t *testing.T) {
			if _, err := s2.Unlock(ctx, b.user, []byte(b.pass)); !errors.Is(err, storage.ErrBadPassphrase) {
				t.Fatalf("err = %v, want ErrBadPassphrase", err)
			}
			if _, err := s2.Patients(ctx); !errors.Is(err, storage.ErrLocked) {
				t.Fatalf("store unlocked by a failed attempt: %v", err)
			}
		})
	}
	u, err := s2.Unlock(ctx, adminName, []byte(adminPass))
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != adminName || u.Role != storage.RoleAdministrator {
		t.Fatalf("user = %+v", u)
	}
	ps, err := s2.Patients(ctx)
	if err != nil || len(ps) != 1 || ps[0].Name != "Ada Lovelace" {
		t.Fatalf("patients after reopen = %+v, %v", ps, err)
	}

	log, err := s2.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	want := []string{"store created", "patient add", "failed login", "failed login", "failed login", "login"}
	if len(actions) != len(want) {
		t.Fatalf("audit actions %q, want %q", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("audit actions %q, want %q", actions, want)
		}
	}
	if log[4].Detail != "user nobody" || log[4].UserID != 0 {
		t.Errorf("failed login row = %+v", log[4])
	}
	if n := count(t, s2, `SELECT COUNT(*) FROM login_failures`); n != 0 {
		t.Errorf("%d login failures left after unlock", n)
	}
	if _, err := s2.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRecover(t *testing.T) {
	ctx := context.Background()
	s, dir, code := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	s.Close()

	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Recover(ctx, "AAAAA-AAAAA-AAAAA-AAAAA", adminName, []byte("new"), seal.FastParams); !errors.Is(err, storage.ErrBadPassphrase) {
		t.Fatalf("wrong code: err = %v", err)
	}
	if _, err := s2.Recover(ctx, code, adminName, []byte("new pass"), seal.FastParams); err != nil {
		t.Fatalf("recover: %v", err)
	}
	if p, err := s2.PatientByMRN(ctx, "MRN-1"); err != nil || p.Name != "Ada Lovelace" {
		t.Fatalf("patient after recovery = %+v, %v", p, err)
	}
	if _, err := s2.Unlock(ctx, adminName, []byte(adminPass)); !errors.Is(err, storage.ErrBadPassphrase) {
		t.Fatalf("old passphrase still works: %v", err)
	}
	if _, err := s2.Unlock(ctx, adminName, []byte("new pass")); err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	if _, err := s2.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAddUser(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	nurse, err := s.AddUser(ctx, "grace", storage.RoleClinician, []byte("nurse pass"), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "grace", storage.RoleReviewer, []byte("x"), seal.FastParams); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("duplicate user: err = %v", err)
	}
	if _, err := s.AddUser(ctx, "eve", storage.Role("root"), []byte("x"), seal.FastParams); err == nil {
		t.Fatal("unknown role accepted")
	}
	u, err := s.Unlock(ctx, "grace", []byte("nurse pass"))
	if err != nil || u != nurse {
		t.Fatalf("unlock as clinician = %+v, %v", u, err)
	}
	if _, err := s.PatientByMRN(ctx, "MRN-1"); err != nil {
		t.Fatalf("clinician reads patients: %v", err)
	}
	if _, err := s.AddUser(ctx, "eve", storage.RoleClinician, []byte("x"), seal.FastParams); !errors.Is(err, ErrNotAdministrator) {
		t.Fatalf("clinician adds user: err = %v", err)
	}
}

func TestLockedStoreRefuses(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	s.Close()
	l, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	now := time.Now()
	calls := map[string]func() error{
		"AddUser": func() error {
			_, err := l.AddUser(ctx, "x", storage.RoleClinician, []byte("x"), seal.FastParams)
			return err
		},
		"AddPatient":   func() error { _, err := l.AddPatient(ctx, storage.Patient{MRN: "1"}); return err },
		"PatientByMRN": func() error { _, err := l.PatientByMRN(ctx, "1"); return err },
		"Patient":      func() error { _, err := l.Patient(ctx, 1); return err },
		"Patients":     func() error { _, err := l.Patients(ctx); return err },
		"StartRecording": func() error {
			_, err := l.StartRecording(ctx, 1, devices.DeviceInfo{}, now)
			return err
		},
		"Recording":       func() error { _, err := l.Recording(ctx, 1); return err },
		"AddSignal":       func() error { return l.AddSignal(ctx, 1, devices.Signal{ID: "a"}) },
		"Signals":         func() error { _, err := l.Signals(ctx, 1); return err },
		"AppendChunks":    func() error { return l.AppendChunks(ctx, 1, nil) },
		"Chunks":          func() error { _, err := l.Chunks(ctx, 1, "a"); return err },
		"StopRecording":   func() error { return l.StopRecording(ctx, 1, now) },
		"ChartVitals":     func() error { _, err := l.ChartVitals(ctx, storage.Chart{}); return err },
		"ClaimDue":        func() error { _, err := l.ClaimDue(ctx, now, 1); return err },
		"MarkDone":        func() error { return l.MarkDone(ctx, 1, now) },
		"MarkRetry":       func() error { return l.MarkRetry(ctx, 1, "x", now) },
		"Park":            func() error { return l.Park(ctx, 1, "x") },
		"RequeueInFlight": func() error { _, err := l.RequeueInFlight(ctx); return err },
		"OutboxStats":     func() error { _, err := l.OutboxStats(ctx); return err },
		"Audit":           func() error { return l.Audit(ctx, "view", "x") },
		"AuditLog":        func() error { _, err := l.AuditLog(ctx); return err },
		"VerifyAudit":     func() error { _, err := l.VerifyAudit(ctx); return err },
		"Stats":           func() error { _, err := l.Stats(ctx); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, storage.ErrLocked) {
				t.Fatalf("err = %v, want ErrLocked", err)
			}
		})
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations = %+v", ms)
	}
	s, dir, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	s.Close()
	for i := range 2 {
		s2 := reopen(t, dir)
		if n := count(t, s2, `SELECT COUNT(*) FROM schema_migrations`); n != len(ms) {
			t.Fatalf("open %d: %d migrations recorded, want %d", i, n, len(ms))
		}
		if n := count(t, s2, `SELECT COUNT(*) FROM patients`); n != 1 {
			t.Fatalf("open %d: %d patients", i, n)
		}
		var mode string
		if err := s2.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q, %v", mode, err)
		}
		var fk int
		if err := s2.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys = %d, %v", fk, err)
		}
		s2.Close()
	}
}
