package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// shows reports whether the window shows a label with text.
func shows(w fyne.Window, text string) bool {
	found := false
	walk(w.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			found = true
		}
	})
	return found
}

func locked(s *session) bool {
	_, err := s.store.CurrentUser()
	return errors.Is(err, storage.ErrLocked)
}

func TestAutoLockAfterIdle(t *testing.T) {
	s, w, _ := signedInSession(t, 150)
	u, _ := s.store.CurrentUser()
	s.showPatients(u)
	if s.idle == nil {
		t.Fatal("no auto-lock timer after sign-in")
	}
	waitFor(t, "the auto-lock", func() bool { return shows(w, "Telewave is locked") })
	if !locked(s) || s.idle != nil || s.user.Name != "" {
		t.Fatalf("after auto-lock: store locked %v, timer %v, user %q", locked(s), s.idle, s.user.Name)
	}

	// The same store unlocks again; the timer restarts.
	form, status := findForm(t, w.Content())
	fill(form, testAdmin, testPass)
	form.OnSubmit()
	waitFor(t, "the unlock", func() bool { return s.user.Name == testAdmin })
	if locked(s) || s.idle == nil {
		t.Fatalf("after unlock: store locked %v, timer %v (status %q)", locked(s), s.idle, status.Text)
	}
	log, err := s.store.AuditLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var lock string
	for _, e := range log {
		if e.Action == "lock" {
			lock = e.Detail
		}
	}
	if !strings.Contains(lock, "idle for 150ms") {
		t.Errorf("audited lock %q", lock)
	}
}

func TestActivityPostponesTheLock(t *testing.T) {
	s, _, _ := signedInSession(t, 60_000)
	u, _ := s.store.CurrentUser()
	s.showPatients(u)
	var a *activityCatcher
	walk(s.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*activityCatcher); ok {
			a = c
		}
	})
	if a == nil {
		t.Fatal("no activity catcher under the screen")
	}
	for _, move := range []func(){
		func() { a.MouseMoved(&desktop.MouseEvent{}) },
		func() { a.MouseDown(&desktop.MouseEvent{}) },
		func() { s.act(func() {})() },
	} {
		s.idle.last.Store(0)
		move()
		if s.idle.last.Load() == 0 {
			t.Error("activity not recorded")
		}
	}
}

func TestLockButton(t *testing.T) {
	s, w, _ := signedInSession(t, -1)
	u, _ := s.store.CurrentUser()
	h := newHome(s, u, 0)
	s.show(h.content())
	h.reload(0)
	test.Tap(h.lock)
	waitFor(t, "the lock", func() bool { return shows(w, "Telewave is locked") })
	if !locked(s) {
		t.Fatal("the Lock button left the store unlocked")
	}
}

func TestThrottledLoginShowsTheWait(t *testing.T) {
	test.NewTempApp(t)
	dir := filepath.Join(t.TempDir(), "store")
	st, _, err := sqlite.Create(context.Background(), dir, testAdmin, []byte(testPass), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	w := test.NewWindow(nil)
	s := newSession(w, Options{StoreDir: dir, IdleLock: -1})
	defer s.end()
	s.begin()
	form, status := findForm(t, w.Content())
	for i := range 4 {
		fill(form, testAdmin, "wrong passphrase")
		form.OnSubmit()
		waitFor(t, "the refusal", func() bool { return status.Text != "Unlocking…" })
		// After three failures the store throttles; the refused attempt
		// counts too, so the wait shown is the one the next attempt faces.
		want := "Wrong user or passphrase."
		if i == 3 {
			want = "Too many failed logins: wait "
		}
		if !strings.HasPrefix(status.Text, want) || i == 3 && !strings.HasSuffix(status.Text, "s before trying again.") {
			t.Errorf("attempt %d: %q, want %q", i+1, status.Text, want)
		}
	}
	if s.store != nil {
		t.Fatal("a refused login left a store open")
	}
}

func TestRecoveryCodeResetsThePassphrase(t *testing.T) {
	test.NewTempApp(t)
	dir := filepath.Join(t.TempDir(), "store")
	st, code, err := sqlite.Create(context.Background(), dir, testAdmin, []byte(testPass), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	w := test.NewWindow(nil)
	s := newSession(w, Options{StoreDir: dir, IdleLock: -1})
	s.params = seal.FastParams
	defer s.end()
	s.show(s.recoveryScreen())
	form, status := findForm(t, w.Content())
	fill(form, testAdmin, "not the code", "a brand new passphrase", "a brand new passphrase")
	form.OnSubmit()
	waitFor(t, "the refusal", func() bool { return strings.HasPrefix(status.Text, "Could not") })
	fill(form, testAdmin, code, "a brand new passphrase", "a brand new passphrase")
	form.OnSubmit()
	waitFor(t, "the recovery", func() bool { return s.user.Name == testAdmin })
	if err := s.store.Lock(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Unlock(context.Background(), testAdmin, []byte("a brand new passphrase")); err != nil {
		t.Fatalf("the new passphrase does not unlock: %v", err)
	}
}

func TestChangePassphrase(t *testing.T) {
	s, _, _ := signedInSession(t, -1)
	fresh := "another long passphrase"
	tests := []struct {
		name, old, fresh, again string
		ok                      bool
	}{
		{"too short", testPass, "short", "short", false},
		{"differ", testPass, fresh, fresh + "!", false},
		{"wrong old", "not my passphrase", fresh, fresh, false},
		{"changed", testPass, fresh, fresh, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			s.applyPassphraseChange(tc.old, tc.fresh, tc.again, func(err error) { done <- err })
			if err := <-done; (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
		})
	}
	if err := s.store.Lock(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Unlock(context.Background(), testAdmin, []byte(fresh)); err != nil {
		t.Fatalf("the changed passphrase does not unlock: %v", err)
	}
}
