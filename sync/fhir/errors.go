package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Kinds of failure the sync screen tells apart. Every error a Sender
// returns matches at most one of these and ErrAuth with errors.Is, and its
// text starts its own part with the sentinel's words, so a reason stored as
// text (the outbox row) can still be sorted with strings.Contains.
var (
	// ErrNoPatient means the EHR holds no single Patient with the unit's
	// MRN. The work is not lost and not permanent: it waits for a clinician
	// to match the patient.
	ErrNoPatient = errors.New("patient not matched in the EHR")
	// ErrRefused is a permanent refusal of what we sent: a 4xx other than
	// 401, 403, 408, 413 and 429, with the server's OperationOutcome,
	// trimmed.
	ErrRefused = errors.New("EHR refused the resource")
	// ErrTooLarge is a 413 that splitting could not cure (one strip segment,
	// a clip's audio, a chart's transaction).
	ErrTooLarge = errors.New("too large for the EHR")
	// ErrUnsendable is a unit that cannot be mapped to FHIR (no vitals, no
	// samples, not a WAVE file, no MRN, an unknown kind): permanent.
	ErrUnsendable = errors.New("unit cannot be sent")
)

// ErrPatientNotMatched is the former name of ErrNoPatient.
//
// Deprecated: use ErrNoPatient; the two are the same value.
var ErrPatientNotMatched = ErrNoPatient

// ErrUnknownKind is returned (as a permanent error) for an outbox unit of a
// kind this package cannot send.
var ErrUnknownKind = errors.New("unknown outbox unit kind")

// maxOutcomeText bounds what a server's explanation may add to an error
// message, which ends up in the outbox row and on screen.
const maxOutcomeText = 300

// StatusError is a non-2xx answer from the FHIR server.
type StatusError struct {
	Code    int    // HTTP status
	Outcome string // the OperationOutcome's text, shortened; may be empty
}

// Error says in plain words what the server did, its status, and its
// explanation (trimmed).
func (e *StatusError) Error() string {
	var msg string
	status := fmt.Sprintf("%d %s", e.Code, http.StatusText(e.Code))
	switch {
	case e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden:
		msg = fmt.Sprintf("%s (%s)", ErrAuth, status)
	case e.TooLarge():
		msg = fmt.Sprintf("%s (%s)", ErrTooLarge, status)
	case e.Permanent():
		msg = fmt.Sprintf("%s (%s)", ErrRefused, status)
	default:
		msg = "EHR answered " + status
	}
	if e.Outcome != "" {
		msg += ": " + e.Outcome
	}
	return msg
}

// Is makes a 401 or 403 match ErrAuth, a 413 ErrTooLarge, and any other
// permanent status ErrRefused.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrAuth:
		return e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden
	case ErrTooLarge:
		return e.TooLarge()
	case ErrRefused:
		return e.Permanent() && !e.TooLarge()
	}
	return false
}

// Permanent reports whether sending the same request again cannot succeed:
// a 4xx other than 408 and 429. 401 and 403 are not permanent: fixing the
// credentials or scopes lets the same work through, and parking every unit
// for an expired token would strand clinical data.
func (e *StatusError) Permanent() bool {
	switch {
	case e.Code == http.StatusRequestTimeout, e.Code == http.StatusTooManyRequests:
		return false
	case e.Code == http.StatusUnauthorized, e.Code == http.StatusForbidden:
		return false
	}
	return e.Code >= 400 && e.Code < 500
}

// TooLarge reports a 413: permanent as sent, but the work can be split into
// smaller requests and sent again.
func (e *StatusError) TooLarge() bool { return e.Code == http.StatusRequestEntityTooLarge }

// ServerAnswered reports that the server was reached, which the outbox reads
// as "online".
func (e *StatusError) ServerAnswered() bool { return true }

// NotMatchedError says how many Patients matched an MRN when not exactly one
// did. It matches ErrNoPatient with errors.Is and never carries the MRN
// itself.
type NotMatchedError struct {
	Count int
}

// Error describes the mismatch without naming the patient.
func (e *NotMatchedError) Error() string {
	if e.Count == 0 {
		return ErrNoPatient.Error() + ": no patient with this MRN"
	}
	return fmt.Sprintf("%s: %d patients share this MRN", ErrNoPatient, e.Count)
}

// Is makes errors.Is(err, ErrNoPatient) true.
func (e *NotMatchedError) Is(target error) bool { return target == ErrNoPatient }

// ServerAnswered reports that the server was reached.
func (e *NotMatchedError) ServerAnswered() bool { return true }

// permanentError marks work that cannot succeed however often it is sent.
type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() error   { return e.err }
func (e permanentError) Permanent() bool { return true }

// Permanent wraps err so that the outbox parks the unit instead of retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// unsendable marks err as a unit that cannot be mapped: permanent, and
// errors.Is ErrUnsendable.
func unsendable(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{fmt.Errorf("%w: %w", ErrUnsendable, err)}
}

// redactedError shows text, err's message with patient data taken out,
// and unwraps to err so that errors.Is and errors.As still see everything.
type redactedError struct {
	err  error
	text string
}

func (e redactedError) Error() string { return e.text }
func (e redactedError) Unwrap() error { return e.err }

// minRedacted is the shortest value redactErr replaces: a shorter one (an MRN
// "12") would blank unrelated numbers in the text.
const minRedacted = 4

// redactErr takes every value of secrets (an MRN, a report's text, which a
// server's OperationOutcome may echo) out of err's message.
func redactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	changed := false
	for _, s := range secrets {
		if s = strings.TrimSpace(s); len(s) >= minRedacted && strings.Contains(text, s) {
			text, changed = strings.ReplaceAll(text, s, "[redacted]"), true
		}
	}
	if !changed {
		return err
	}
	return redactedError{err: err, text: text}
}

// outcomeText extracts a short explanation from an OperationOutcome body.
func outcomeText(body []byte) string {
	var oc OperationOutcome
	if json.Unmarshal(body, &oc) != nil || oc.ResourceType != "OperationOutcome" {
		return ""
	}
	return issuesText(oc.Issue)
}

func issuesText(issues []OutcomeIssue) string {
	var parts []string
	for _, is := range issues {
		t := is.Diagnostics
		if is.Details != nil && is.Details.Text != "" {
			t = is.Details.Text
		}
		if t == "" {
			t = is.Code
		}
		if len(is.Expression) > 0 {
			t += " (" + strings.Join(is.Expression, ", ") + ")"
		}
		if t != "" {
			parts = append(parts, t)
		}
	}
	s := strings.Join(parts, "; ")
	if len(s) > maxOutcomeText {
		n := maxOutcomeText
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}
