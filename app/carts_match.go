package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"telewave/formats/carts"
	"telewave/formats/ecg12"
	"telewave/storage"
)

type patientFinder interface {
	PatientByMRN(ctx context.Context, mrn string) (storage.Patient, error)
}

// cartMatch is a cart file read and matched to a patient. Exactly one of
// reject (the file is refused: not a cart file, torn, too large),
// unmatched (read, but no patient has its id, or it names none) and
// patient.ID is set.
type cartMatch struct {
	rec       *ecg12.Record
	format    carts.Format
	patient   storage.Patient
	reject    string
	unmatched string
}

// decodeAndMatch reads a cart file and finds its patient by the file's
// patient id. An error is the store failing, and decides nothing.
func decodeAndMatch(ctx context.Context, st patientFinder, data []byte) (cartMatch, error) {
	var m cartMatch
	if len(data) > carts.MaxFile {
		m.reject = fmt.Sprintf("%d bytes is more than any ECG cart file", len(data))
		return m, nil
	}
	rec, f, err := carts.Decode(data)
	m.format = f
	if err != nil {
		m.reject = err.Error()
		return m, nil
	}
	m.rec = rec
	id := strings.TrimSpace(rec.Patient.ID)
	if id == "" {
		m.unmatched = "the file names no patient"
		return m, nil
	}
	p, err := st.PatientByMRN(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		m.unmatched = fmt.Sprintf("no patient in the store has the file's patient id %q", id)
		return m, nil
	}
	if err != nil {
		return cartMatch{format: f}, fmt.Errorf("match patient: %w", err)
	}
	m.patient = p
	return m, nil
}
