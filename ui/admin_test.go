package ui

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	_ "modernc.org/sqlite" // a second connection edits the audit table behind the store's back

	"telewave/storage"
	"telewave/storage/sqlite"
)

func TestAdminAddsAndDisablesUsers(t *testing.T) {
	s, w, _ := signedInSession(t, -1)
	u, _ := s.store.CurrentUser()
	a := newUsersAdmin(s, u)
	w.SetContent(a.root)
	waitFor(t, "the user list", func() bool { return len(a.users) == 1 })

	fill(a.form, "cleo")
	a.role.SetSelected(string(storage.RoleReviewer))
	a.pass.SetText("short")
	a.again.SetText("short")
	a.form.OnSubmit()
	if !strings.Contains(a.status.Text, "at least") {
		t.Fatalf("a short passphrase was accepted: %q", a.status.Text)
	}
	a.pass.SetText(testPass)
	a.again.SetText(testPass)
	a.form.OnSubmit()
	waitFor(t, "the new user", func() bool { return len(a.users) == 2 })
	if a.users[1].Name != "cleo" || a.users[1].Role != storage.RoleReviewer || a.users[1].Disabled {
		t.Fatalf("users %+v", a.users)
	}

	// Disable cleo; the store then refuses her login.
	a.list.Select(1)
	if a.toggle.Disabled() || a.toggle.Text != "Disable cleo" {
		t.Fatalf("toggle %q disabled %v", a.toggle.Text, a.toggle.Disabled())
	}
	test.Tap(a.toggle)
	waitFor(t, "the disable", func() bool { return len(a.users) == 2 && a.users[1].Disabled })
	us, err := s.store.Users(context.Background())
	if err != nil || !us[1].Disabled {
		t.Fatalf("stored users %+v, %v", us, err)
	}

	// The last administrator cannot be disabled.
	a.list.Select(0)
	test.Tap(a.toggle)
	waitFor(t, "the refusal", func() bool { return strings.Contains(a.status.Text, "one enabled administrator") })
}

func TestAuditViewerShowsABrokenChain(t *testing.T) {
	s, w, dir := signedInSession(t, -1)
	u, _ := s.store.CurrentUser()
	addTestPatient(t, s, "A-100", "Ada Lovelace")
	v := newAuditViewer(s, u)
	w.SetContent(v.root)
	waitFor(t, "the audit rows", func() bool { return len(v.rows) > 0 })
	if !strings.Contains(v.banner.Text, "verified") || v.banner.Importance == widget.DangerImportance {
		t.Fatalf("intact chain: banner %q", v.banner.Text)
	}
	if v.rows[0].ID < v.rows[len(v.rows)-1].ID {
		t.Error("rows are not newest first")
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit SET action = 'nothing to see' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	v = newAuditViewer(s, u)
	w.SetContent(v.root)
	waitFor(t, "the audit rows", func() bool { return len(v.rows) > 0 })
	if !strings.Contains(v.banner.Text, "AUDIT CHAIN BROKEN") || v.banner.Importance != widget.DangerImportance {
		t.Fatalf("tampered chain: banner %q", v.banner.Text)
	}
}
