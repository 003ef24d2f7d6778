package ui

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

const (
	testAdmin = "ada"
	testPass  = "a long enough passphrase"
)

// signedInSession is a session on a fresh store, unlocked as its
// administrator, with fast key slots and auto-lock after idle (negative:
// off).
func signedInSession(t *testing.T, idle int64) (*session, fyne.Window, string) {
	t.Helper()
	test.NewTempApp(t)
	dir := filepath.Join(t.TempDir(), "store")
	st, _, err := sqlite.Create(context.Background(), dir, testAdmin, []byte(testPass), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1200, 800))
	s := newSession(w, Options{StoreDir: dir, IdleLock: timeOrOff(idle)})
	s.params = seal.FastParams
	s.store = st
	t.Cleanup(s.end)
	return s, w, dir
}

// asUser locks the store and unlocks it as name (added with role unless it
// is the administrator).
func asUser(t *testing.T, s *session, name string, role storage.Role) storage.User {
	t.Helper()
	ctx := context.Background()
	if name != testAdmin {
		if _, err := s.store.AddUser(ctx, name, role, []byte(testPass), seal.FastParams); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.store.Lock(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	u, err := s.store.Unlock(ctx, name, []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func addTestPatient(t *testing.T, s *session, mrn, name string) storage.Patient {
	t.Helper()
	p, err := s.store.AddPatient(context.Background(), storage.Patient{MRN: mrn, Name: name, Birth: "1950-02-03", Sex: "female"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func patientNames(ps []storage.Patient) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestFilterPatients(t *testing.T) {
	ps := []storage.Patient{{MRN: "A-100", Name: "Ada Lovelace"}, {MRN: "B-200", Name: "Charles Babbage"}, {MRN: "A-300", Name: "Mary Somerville"}}
	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{"Ada Lovelace", "Charles Babbage", "Mary Somerville"}},
		{"  ", []string{"Ada Lovelace", "Charles Babbage", "Mary Somerville"}},
		{"bab", []string{"Charles Babbage"}},
		{"LOVE", []string{"Ada Lovelace"}},
		{"a-", []string{"Ada Lovelace", "Mary Somerville"}},
		{"200", []string{"Charles Babbage"}},
		{"nobody", nil},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			if got := patientNames(filterPatients(ps, tc.q)); !slices.Equal(got, tc.want) {
				t.Errorf("filter %q = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

func TestPatientSearchCreateAndEdit(t *testing.T) {
	s, w, _ := signedInSession(t, -1)
	addTestPatient(t, s, "B-200", "Charles Babbage")
	u, _ := s.store.CurrentUser()
	h := newHome(s, u, 0)
	w.SetContent(h.content())
	h.reload(0)
	waitFor(t, "the register", func() bool { return len(h.all) == 1 })

	// Create.
	test.Tap(h.newPatient)
	f := h.detail.Objects[0].(*fyne.Container)
	form := f.Objects[1].(*widget.Form)
	fill(form, "A-100", "Ada Lovelace", "not a date")
	form.OnSubmit()
	status := f.Objects[2].(*widget.Label)
	if !strings.Contains(status.Text, "YYYY-MM-DD") {
		t.Fatalf("a bad birth date was accepted: %q", status.Text)
	}
	fill(form, "A-100", "Ada Lovelace", "1815-12-10")
	form.OnSubmit()
	waitFor(t, "the new patient", func() bool { return len(h.all) == 2 && h.panel != nil && h.panel.p.MRN == "A-100" })

	// Search.
	h.search.SetText("love")
	if got := patientNames(h.shown); !slices.Equal(got, []string{"Ada Lovelace"}) {
		t.Errorf("search 'love' shows %v", got)
	}
	h.search.SetText("b-2")
	if got := patientNames(h.shown); !slices.Equal(got, []string{"Charles Babbage"}) {
		t.Errorf("search 'b-2' shows %v", got)
	}
	h.search.SetText("")

	// Edit.
	id := h.panel.p.ID
	test.Tap(h.panel.edit)
	form = h.detail.Objects[0].(*fyne.Container).Objects[1].(*widget.Form)
	if got := form.Items[1].Widget.(*widget.Entry).Text; got != "Ada Lovelace" {
		t.Fatalf("edit form shows name %q", got)
	}
	form.Items[1].Widget.(*widget.Entry).SetText("Augusta Ada King")
	form.OnSubmit()
	waitFor(t, "the edit", func() bool { return h.panel != nil && h.panel.p.Name == "Augusta Ada King" })
	p, err := s.store.Patient(context.Background(), id)
	if err != nil || p.Name != "Augusta Ada King" || p.MRN != "A-100" {
		t.Fatalf("stored patient %+v, %v", p, err)
	}
}

func TestEncounterStartStop(t *testing.T) {
	s, w, _ := signedInSession(t, -1)
	p := addTestPatient(t, s, "A-100", "Ada Lovelace")
	u, _ := s.store.CurrentUser()
	h := newHome(s, u, p.ID)
	w.SetContent(h.content())
	h.reload(p.ID)
	waitFor(t, "the patient panel", func() bool { return h.panel != nil && !h.panel.start.Disabled() })
	pp := h.panel
	pp.reason.SetText("chest pain")
	test.Tap(pp.start)
	waitFor(t, "the open encounter", func() bool { return pp.encounter.ID != 0 })
	e, err := s.store.OpenEncounter(context.Background(), p.ID)
	if err != nil || e.Reason != "chest pain" || e.OpenedBy != testAdmin {
		t.Fatalf("open encounter %+v, %v", e, err)
	}
	if !strings.Contains(pp.enc.Text, "chest pain") || pp.stop.Disabled() || !pp.start.Disabled() {
		t.Errorf("after start: %q, stop disabled %v, start disabled %v", pp.enc.Text, pp.stop.Disabled(), pp.start.Disabled())
	}
	test.Tap(pp.stop)
	waitFor(t, "the stop", func() bool { return pp.encounter.ID == 0 })
	if _, err := s.store.OpenEncounter(context.Background(), p.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("encounter still open after stop: %v", err)
	}
	if pp.start.Disabled() {
		t.Error("start stays disabled after the stop")
	}
}

func TestRolesHideActions(t *testing.T) {
	tests := []struct {
		name, user  string
		role        storage.Role
		edit, admin bool
	}{
		{"administrator", testAdmin, storage.RoleAdministrator, true, true},
		{"clinician", "cleo", storage.RoleClinician, true, false},
		{"reviewer", "rex", storage.RoleReviewer, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, w, _ := signedInSession(t, -1)
			p := addTestPatient(t, s, "A-100", "Ada Lovelace")
			u := asUser(t, s, tc.user, tc.role)
			h := newHome(s, u, p.ID)
			w.SetContent(h.content())
			h.reload(p.ID)
			waitFor(t, "the patient panel", func() bool { return h.panel != nil && strings.Contains(h.panel.enc.Text, "none") })
			if (h.newPatient != nil) != tc.edit || (h.panel.edit != nil) != tc.edit || (h.panel.start != nil) != tc.edit || (h.panel.watch != nil) != tc.edit {
				t.Errorf("clinical actions shown: new %v edit %v encounter %v monitor %v, want %v",
					h.newPatient != nil, h.panel.edit != nil, h.panel.start != nil, h.panel.watch != nil, tc.edit)
			}
			if (h.users != nil) != tc.admin || (h.audit != nil) != tc.admin {
				t.Errorf("admin actions shown: users %v audit %v, want %v", h.users != nil, h.audit != nil, tc.admin)
			}
			if h.lock == nil || h.passphrase == nil {
				t.Error("every user can lock and change the passphrase")
			}
		})
	}
}

func timeOrOff(ms int64) time.Duration {
	if ms < 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}
