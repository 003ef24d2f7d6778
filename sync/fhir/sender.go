package fhir

import (
	"context"
	"encoding/json"
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
// that sending again cannot fix implement Permanent() bool returning true
// and match one kind with errors.Is: ErrUnsendable (the unit cannot be
// mapped), ErrRefused (a 4xx with the server's reasons) or ErrTooLarge (a
// 413 that splitting could not cure). Errors that leave the unit waiting
// match ErrNoPatient (a clinician must match the patient), ErrAuth
// (credentials or scopes), ErrStripNotSent, or none (the network, a 5xx).
// Error texts never carry the unit's MRN or a report's text, which a
// server may echo: they are stored and shown.
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
		return unsendable(fmt.Errorf("send unit %d: %w %q", u.ID, ErrUnknownKind, u.Kind))
	}
	if err != nil {
		return redactErr(fmt.Errorf("send %s unit %d: %w", u.Kind, u.ID, err), unitSecrets(u)...)
	}
	return nil
}

// unitSecrets are the patient data of a unit that an error text must not
// show.
func unitSecrets(u storage.OutboxUnit) []string {
	switch {
	case u.Chart != nil:
		return []string{u.Chart.PatientMRN}
	case u.Strip != nil:
		return []string{u.Strip.PatientMRN}
	case u.Clip != nil:
		return []string{u.Clip.PatientMRN}
	case u.Report != nil:
		return []string{u.Report.PatientMRN, u.Report.Text}
	}
	return nil
}

// patient finds the EHR's Patient for an MRN.
func (s *Sender) patient(ctx context.Context, what, id, mrn string) (string, error) {
	if id == "" {
		return "", unsendable(fmt.Errorf("%s has no id", what))
	}
	if strings.TrimSpace(mrn) == "" {
		return "", unsendable(fmt.Errorf("%s %s has no MRN", what, id))
	}
	return s.client.FindPatient(ctx, s.systems.MRN, mrn)
}

func (s *Sender) sendChart(ctx context.Context, c *storage.Chart) error {
	if c == nil {
		return unsendable(errors.New("the unit carries no chart"))
	}
	ref, err := s.patient(ctx, "chart", c.ID, c.PatientMRN)
	if err != nil {
		return err
	}
	up, err := MapChart(*c, ref, s.systems)
	if err != nil {
		return unsendable(err)
	}
	parts, err := up.Parts()
	if err != nil {
		return unsendable(err)
	}
	// A chart too large for one transaction goes in parts, the panel last,
	// referring to the parts' members as stored. A part sent again after a
	// lost reply matches what it stored the first time.
	var members []string
	for i, b := range parts {
		r, err := s.commitReply(ctx, b)
		if err != nil {
			return fmt.Errorf("chart part %d of %d: %w", i+1, len(parts)+1, err)
		}
		refs, err := s.partMemberRefs(ctx, up, i, r)
		if err != nil {
			return fmt.Errorf("chart part %d of %d: %w", i+1, len(parts)+1, err)
		}
		members = append(members, refs...)
	}
	b, err := up.Panel(members)
	if err != nil {
		return unsendable(err)
	}
	return s.commit(ctx, b)
}

// partMemberRefs returns "Observation/<id>" of each member of part i: from
// the reply's Location, or, where a server names none, by identifier.
func (s *Sender) partMemberRefs(ctx context.Context, up *ChartUpload, i int, r BundleResponse) ([]string, error) {
	entries, identifiers := up.partMembers(i)
	out := make([]string, len(entries))
	for j, e := range entries {
		if ref, ok := observationRef(r.Entries[e].Location); ok {
			out[j] = ref
			continue
		}
		q := url.Values{"identifier": {s.systems.Observation + "|" + identifiers[j]}, "_count": {"2"}}
		b, err := s.client.Search(ctx, "Observation", q)
		if err != nil {
			return nil, fmt.Errorf("find member %d: %w", j, err)
		}
		var ids []string
		for _, se := range b.Entry {
			var o Observation
			if json.Unmarshal(se.Resource, &o) == nil && o.ResourceType == "Observation" && validID(o.ID) &&
				(se.Search == nil || se.Search.Mode == "" || se.Search.Mode == "match") {
				ids = append(ids, o.ID)
			}
		}
		if len(ids) != 1 {
			return nil, fmt.Errorf("member %d: the EHR named no location and holds %d Observations with its identifier", j, len(ids))
		}
		out[j] = "Observation/" + ids[0]
	}
	return out, nil
}

// commit posts one transaction and checks every entry succeeded.
func (s *Sender) commit(ctx context.Context, b Bundle) error {
	_, err := s.commitReply(ctx, b)
	return err
}

// commitReply is commit returning the server's reply.
func (s *Sender) commitReply(ctx context.Context, b Bundle) (BundleResponse, error) {
	r, err := s.client.Transaction(ctx, b)
	if err != nil {
		return BundleResponse{}, err
	}
	if len(r.Entries) != len(b.Entry) {
		return BundleResponse{}, fmt.Errorf("the EHR answered %d entries of %d", len(r.Entries), len(b.Entry))
	}
	for i, e := range r.Entries {
		if e.Status < 200 || e.Status > 299 {
			// A transaction is all-or-nothing, so a failed entry in a 2xx
			// reply is a server fault; sending again is the cure.
			return BundleResponse{}, fmt.Errorf("entry %d answered %d: %s", i, e.Status, e.Outcome)
		}
	}
	return r, nil
}

// tooLarge reports a 413 from the server.
func tooLarge(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.TooLarge()
}
