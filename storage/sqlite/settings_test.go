package sqlite

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"telewave/storage"
)

func TestPatientSettings(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	p, err := s.AddPatient(ctx, storage.Patient{MRN: "MRN-9", Name: "A B"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PatientSetting(ctx, p.ID, "alarm-limits"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unset setting: %v, want ErrNotFound", err)
	}
	if err := s.SetPatientSetting(ctx, p.ID+99, "alarm-limits", []byte("x")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown patient: %v, want ErrNotFound", err)
	}
	for _, v := range [][]byte{[]byte(`{"hr":[40,50,120,140]}`), []byte(`{"hr":[45,55,110,130]}`)} {
		if err := s.SetPatientSetting(ctx, p.ID, "alarm-limits", v); err != nil {
			t.Fatal(err)
		}
		got, err := s.PatientSetting(ctx, p.ID, "alarm-limits")
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("got %q, %v; want %q", got, err, v)
		}
	}
	s.Close()
	s2 := reopen(t, dir)
	got, err := s2.PatientSetting(ctx, p.ID, "alarm-limits")
	if err != nil || !bytes.Contains(got, []byte("45")) {
		t.Fatalf("after reopen: %q, %v", got, err)
	}
	// The value is sealed: it is not in the database file in clear.
	var raw []byte
	if err := s2.db.QueryRowContext(ctx, `SELECT sealed FROM patient_settings`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("110")) {
		t.Fatal("setting stored in clear")
	}
}
