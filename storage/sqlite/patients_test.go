package sqlite

import (
	"context"
	"errors"
	"testing"

	"telewave/storage"
	"telewave/storage/seal"
)

func TestPatientRegister(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	a := addPatient(t, s, " ab123 ", "Ada Lovelace")
	if a.MRN != "AB123" || a.ID == 0 {
		t.Fatalf("added %+v", a)
	}
	b := addPatient(t, s, "CD456", "Charles Babbage")

	lookups := []struct {
		mrn     string
		want    storage.Patient
		wantErr error
	}{
		{"AB123", a, nil},
		{"ab123", a, nil},
		{"  AB123\t", a, nil},
		{"CD456", b, nil},
		{"AB124", storage.Patient{}, storage.ErrNotFound},
		{"", storage.Patient{}, storage.ErrNotFound},
	}
	for _, l := range lookups {
		t.Run(l.mrn, func(t *testing.T) {
			got, err := s.PatientByMRN(ctx, l.mrn)
			if !errors.Is(err, l.wantErr) || got != l.want {
				t.Fatalf("PatientByMRN = %+v, %v; want %+v, %v", got, err, l.want, l.wantErr)
			}
		})
	}
	if _, err := s.AddPatient(ctx, storage.Patient{MRN: "Ab123 ", Name: "Someone Else"}); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("duplicate MRN: err = %v, want ErrExists", err)
	}
	if _, err := s.AddPatient(ctx, storage.Patient{MRN: "  "}); err == nil {
		t.Fatal("empty MRN accepted")
	}
	all, err := s.Patients(ctx)
	if err != nil || len(all) != 2 || all[0] != a || all[1] != b {
		t.Fatalf("Patients = %+v, %v", all, err)
	}
	if got, err := s.Patient(ctx, b.ID); err != nil || got != b {
		t.Fatalf("Patient(%d) = %+v, %v", b.ID, got, err)
	}
	if _, err := s.Patient(ctx, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Patient(999): err = %v", err)
	}
}

// TestMovedCiphertextFails copies sealed values between rows, as someone
// editing the file might, and expects every read of the victim to fail.
func TestMovedCiphertextFails(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		tamper string
	}{
		{"sealed column copied from B", `UPDATE patients SET sealed = (SELECT sealed FROM patients WHERE id = :b) WHERE id = :a`},
		{"index column copied from B", `UPDATE patients SET mrn_index = (SELECT mrn_index FROM patients WHERE id = :b) || x'00' WHERE id = :a`},
		{"byte flipped", `UPDATE patients SET sealed = substr(sealed, 1, 40) || x'ff' || substr(sealed, 42) WHERE id = :a`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _, _ := newStore(t)
			a := addPatient(t, s, "AAA1", "Ada Lovelace")
			b := addPatient(t, s, "BBB2", "Charles Babbage")
			if _, err := s.db.Exec(c.tamper, sqlNamed("a", a.ID), sqlNamed("b", b.ID)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Patient(ctx, a.ID); !errors.Is(err, seal.ErrTampered) {
				t.Fatalf("Patient(A): err = %v, want ErrTampered", err)
			}
			if _, err := s.Patients(ctx); !errors.Is(err, seal.ErrTampered) {
				t.Fatalf("Patients: err = %v, want ErrTampered", err)
			}
			if got, err := s.Patient(ctx, b.ID); err != nil || got != b {
				t.Fatalf("Patient(B) = %+v, %v", got, err)
			}
		})
	}
	t.Run("rows swapped wholesale", func(t *testing.T) {
		s, _, _ := newStore(t)
		a := addPatient(t, s, "AAA1", "Ada Lovelace")
		b := addPatient(t, s, "BBB2", "Charles Babbage")
		// Swap everything but the ids: recordings of A would now point at B's data.
		exec(t, s, `UPDATE patients SET id = -1 WHERE id = ?`, a.ID)
		exec(t, s, `UPDATE patients SET id = ? WHERE id = ?`, a.ID, b.ID)
		exec(t, s, `UPDATE patients SET id = ? WHERE id = -1`, b.ID)
		if _, err := s.PatientByMRN(ctx, "AAA1"); !errors.Is(err, seal.ErrTampered) {
			t.Fatalf("PatientByMRN(A): err = %v, want ErrTampered", err)
		}
	})
}
