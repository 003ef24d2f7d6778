package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"telewave/storage"
)

// ehr is what a Sender needs of a Client for resources.
type ehr interface {
	FindPatient(ctx context.Context, system, mrn string) (string, error)
	Transaction(ctx context.Context, b Bundle) (BundleResponse, error)
	Search(ctx context.Context, resourceType string, query url.Values) (Bundle, error)
}

// fileEHR is what a Sender needs of a Client for stethoscope clips.
type fileEHR interface {
	UploadBinary(ctx context.Context, contentType string, data []byte) (string, error)
	SupportsResource(ctx context.Context, resourceType string) (bool, error)
}

var (
	_ ehr     = (*Client)(nil)
	_ fileEHR = (*Client)(nil)
)

// ClipBinaries remembers the EHR's Binary id of a clip's uploaded audio
// (the store: sqlite.Store.SetClipBinary), so that a resend after a crash
// does not upload the audio again.
type ClipBinaries interface {
	SetClipBinary(ctx context.Context, clipID, binaryID string) error
}

// SenderOption adjusts a Sender built by NewSender.
type SenderOption func(*Sender)

// WithClipBinaries makes the Sender record each uploaded clip's Binary id in
// cb. Without it the id is kept in memory only, so a restart between the
// upload and the Media uploads the audio again (an orphan Binary, no
// duplicate Media).
func WithClipBinaries(cb ClipBinaries) SenderOption {
	return func(s *Sender) { s.binaries = cb }
}

// Sender uploads outbox units to the EHR; the outbox's Drainer calls Send.
// It is safe for concurrent use.
type Sender struct {
	client   ehr
	files    fileEHR
	binaries ClipBinaries
	systems  Systems

	mu       sync.Mutex
	uploaded map[string]string // clip id -> Binary id, this process's uploads
	// devicesSent holds the device upsert transactions already committed.
	devicesSent map[[32]byte]bool
	hasMedia    *bool // the CapabilityStatement lists Media; nil until asked
}

// NewSender returns a Sender that uploads through c with the identifier
// systems sys (empty fields take the defaults).
func NewSender(c *Client, sys Systems, opts ...SenderOption) *Sender {
	s := &Sender{client: c, files: c, systems: sys.withDefaults(), uploaded: map[string]string{}, devicesSent: map[[32]byte]bool{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Send uploads one unit: a "chart", "strip", "clip" or "report". Errors
// that sending again cannot fix (an unknown kind, data that cannot be
// mapped, a 4xx from the server) implement Permanent() bool returning true;
// an unmatched patient is not permanent (errors.Is ErrPatientNotMatched):
// the unit waits for a clinician. Error texts never carry patient data:
// they are stored and shown.
func (s *Sender) Send(ctx context.Context, u storage.OutboxUnit) error {
	var err error
	switch u.Kind {
	case "chart":
		err = s.sendChart(ctx, u.Chart)
	case "strip":
		err = s.sendStrip(ctx, u.Strip)
	case "clip":
		err = s.sendClip(ctx, u.Clip)
	case "report":
		err = s.sendReport(ctx, u.Report)
	default:
		return Permanent(fmt.Errorf("send unit %d: %w %q", u.ID, ErrUnknownKind, u.Kind))
	}
	if err != nil {
		return fmt.Errorf("send %s unit %d: %w", u.Kind, u.ID, err)
	}
	return nil
}

// patient finds the EHR's Patient for an MRN.
func (s *Sender) patient(ctx context.Context, what, id, mrn string) (string, error) {
	if id == "" {
		return "", Permanent(fmt.Errorf("%s has no id", what))
	}
	if strings.TrimSpace(mrn) == "" {
		return "", Permanent(fmt.Errorf("%s %s has no MRN", what, id))
	}
	return s.client.FindPatient(ctx, s.systems.MRN, mrn)
}

func (s *Sender) sendChart(ctx context.Context, c *storage.Chart) error {
	if c == nil {
		return Permanent(errors.New("the unit carries no chart"))
	}
	ref, err := s.patient(ctx, "chart", c.ID, c.PatientMRN)
	if err != nil {
		return err
	}
	b, err := ChartBundle(*c, ref, s.systems)
	if err != nil {
		return Permanent(err)
	}
	return s.commit(ctx, b)
}

// commit posts one transaction and checks every entry succeeded.
func (s *Sender) commit(ctx context.Context, b Bundle) error {
	r, err := s.client.Transaction(ctx, b)
	if err != nil {
		return err
	}
	for i, e := range r.Entries {
		if e.Status < 200 || e.Status > 299 {
			// A transaction is all-or-nothing, so a failed entry in a 2xx
			// reply is a server fault; sending again is the cure.
			return fmt.Errorf("entry %d answered %d: %s", i, e.Status, e.Outcome)
		}
	}
	return nil
}

// tooLarge reports a 413 from the server.
func tooLarge(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.TooLarge()
}
