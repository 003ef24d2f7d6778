package fhir

import (
	"context"
	"fmt"
	"strings"

	"telewave/storage"
)

// ehr is what a Sender needs of a Client.
type ehr interface {
	FindPatient(ctx context.Context, system, mrn string) (string, error)
	Transaction(ctx context.Context, b Bundle) (BundleResponse, error)
}

var _ ehr = (*Client)(nil)

// Sender uploads outbox units to the EHR; the outbox's Drainer calls Send.
type Sender struct {
	client  ehr
	systems Systems
}

// NewSender returns a Sender that uploads through c with the identifier
// systems sys (empty fields take the defaults).
func NewSender(c *Client, sys Systems) *Sender {
	return &Sender{client: c, systems: sys.withDefaults()}
}

// Send uploads one unit. Errors that sending again cannot fix (an unknown
// kind, a chart that cannot be mapped, a 4xx from the server) implement
// Permanent() bool returning true; an unmatched patient is not permanent
// (errors.Is ErrPatientNotMatched): the unit waits for a clinician. Error
// texts never carry patient data: they are stored and shown.
func (s *Sender) Send(ctx context.Context, u storage.OutboxUnit) error {
	switch u.Kind {
	case "chart":
		return s.sendChart(ctx, u)
	default:
		return Permanent(fmt.Errorf("send unit %d: %w %q", u.ID, ErrUnknownKind, u.Kind))
	}
}

func (s *Sender) sendChart(ctx context.Context, u storage.OutboxUnit) error {
	c := u.Chart
	if c == nil {
		return Permanent(fmt.Errorf("send chart unit %d: the unit carries no chart", u.ID))
	}
	if strings.TrimSpace(c.PatientMRN) == "" {
		return Permanent(fmt.Errorf("send chart unit %d: chart %s has no MRN", u.ID, c.ID))
	}
	ref, err := s.client.FindPatient(ctx, s.systems.MRN, c.PatientMRN)
	if err != nil {
		return fmt.Errorf("send chart unit %d: %w", u.ID, err)
	}
	b, err := ChartBundle(*c, ref, s.systems)
	if err != nil {
		return Permanent(fmt.Errorf("send chart unit %d: %w", u.ID, err))
	}
	r, err := s.client.Transaction(ctx, b)
	if err != nil {
		return fmt.Errorf("send chart unit %d: %w", u.ID, err)
	}
	for i, e := range r.Entries {
		if e.Status < 200 || e.Status > 299 {
			// A transaction is all-or-nothing, so a failed entry in a 2xx
			// reply is a server fault; sending again is the cure.
			return fmt.Errorf("send chart unit %d: entry %d answered %d: %s", u.ID, i, e.Status, e.Outcome)
		}
	}
	return nil
}
