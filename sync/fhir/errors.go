package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ErrPatientNotMatched means the EHR holds no single Patient with the MRN.
// The work is not lost and not permanent: it waits for a clinician to match
// the patient.
var ErrPatientNotMatched = errors.New("patient not matched in the EHR")

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

// Error reports the status and the server's explanation.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("fhir server answered %d %s", e.Code, http.StatusText(e.Code))
	if e.Outcome != "" {
		msg += ": " + e.Outcome
	}
	return msg
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
// did. It matches ErrPatientNotMatched with errors.Is and never carries the
// MRN itself.
type NotMatchedError struct {
	Count int
}

// Error describes the mismatch without naming the patient.
func (e *NotMatchedError) Error() string {
	if e.Count == 0 {
		return ErrPatientNotMatched.Error() + ": no patient with this MRN"
	}
	return fmt.Sprintf("%s: %d patients share this MRN", ErrPatientNotMatched, e.Count)
}

// Is makes errors.Is(err, ErrPatientNotMatched) true.
func (e *NotMatchedError) Is(target error) bool { return target == ErrPatientNotMatched }

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
