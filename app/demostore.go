package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"

	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// DemoStore is the throwaway store of `telewave --demo`: sealed like a
// real one (with a random passphrase nobody sees), in a private temp
// directory removed by Close.
type DemoStore struct {
	*sqlite.Store
	User    storage.User
	Patient storage.Patient
	dir     string
}

// Demo identities.
const (
	DemoUser = "demo"
	DemoMRN  = "DEMO-0001"
)

// OpenDemoStore creates and unlocks the demo store with its demo user and
// demo patient.
func OpenDemoStore(ctx context.Context) (*DemoStore, error) {
	dir, err := os.MkdirTemp("", "telewave-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo store: %w", err)
	}
	secret := make([]byte, 24)
	rand.Read(secret)
	pass := []byte(base64.RawURLEncoding.EncodeToString(secret))
	s, _, err := sqlite.Create(ctx, dir, DemoUser, pass, seal.FastParams)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("demo store: %w", err)
	}
	d := &DemoStore{Store: s, dir: dir}
	if d.User, err = s.Unlock(ctx, DemoUser, pass); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo store: %w", err)
	}
	if d.Patient, err = s.AddPatient(ctx, storage.Patient{MRN: DemoMRN, Name: "Demo Patient", Birth: "1970-01-01", Sex: "unknown"}); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo store: %w", err)
	}
	return d, nil
}

// Dir is where the demo store lives until Close.
func (d *DemoStore) Dir() string { return d.dir }

// Close closes the store and removes it.
func (d *DemoStore) Close() error {
	err := d.Store.Close()
	if rerr := os.RemoveAll(d.dir); err == nil {
		err = rerr
	}
	return err
}
