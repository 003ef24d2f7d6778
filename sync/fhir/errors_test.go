package fhir

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"telewave/storage"
)

// failureKinds are the sentinels the sync screen sorts failures by.
var failureKinds = []error{ErrNoPatient, ErrRefused, ErrTooLarge, ErrUnsendable, ErrAuth}

// TestSendFailureKinds sends units that fail in every way a Sender knows
// and checks that each error matches exactly the kind it should (or none,
// for trouble that retrying cures), is permanent exactly when sending again
// cannot help, says so in its text, and never shows the MRN or the report
// text, even where the server's OperationOutcome echoes them.
func TestSendFailureKinds(t *testing.T) {
	const mrn = "MRN-0001"
	good := chart("c-k", vital(150456, 97, "%"))
	empty := chart("c-k-empty")
	noMRN := good
	noMRN.PatientMRN = ""
	report := storage.Report{ID: "r-1", PatientMRN: mrn, Time: time.Now(), Text: "Atrial fibrillation, patient Jane Roe"}
	notWAV := storage.Clip{ID: "k-1", PatientMRN: mrn, Time: time.Now(), WAV: []byte("ID3 not a wave file")}
	echo := &StatusError{Code: 422, Outcome: "Observation.subject: no Patient with identifier " + mrn}
	tests := []struct {
		name      string
		unit      storage.OutboxUnit
		ehr       *fakeEHR
		kind      error // nil: none of failureKinds
		permanent bool
		says      string
	}{
		{"no patient with the MRN", chartUnit(&good), &fakeEHR{findErr: &NotMatchedError{}}, ErrNoPatient, false, "no patient with this MRN"},
		{"two patients share the MRN", chartUnit(&good), &fakeEHR{findErr: &NotMatchedError{Count: 2}}, ErrNoPatient, false, "2 patients share this MRN"},
		{"refused with the MRN echoed", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: echo}, ErrRefused, true, "EHR refused the resource (422 Unprocessable Entity): Observation.subject"},
		{"bad request", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 400}}, ErrRefused, true, "EHR refused the resource (400 Bad Request)"},
		{"conflict", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 409}}, ErrRefused, true, "EHR refused the resource (409"},
		{"report text echoed", storage.OutboxUnit{ID: 2, Kind: "report", Report: &report},
			&fakeEHR{patient: testPatient, txErr: &StatusError{Code: 422, Outcome: "conclusion " + report.Text + " too long"}}, ErrRefused, true, "conclusion [redacted] too long"},
		{"chart too large", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 413}}, ErrTooLarge, true, "too large for the EHR (413"},
		{"token refused", chartUnit(&good), &fakeEHR{findErr: &AuthError{Status: 400, Code: "invalid_client", Reason: "unknown kid"}}, ErrAuth, false, "EHR authorization failed (400): invalid_client"},
		{"401 without SMART", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 401}}, ErrAuth, false, "EHR authorization failed (401 Unauthorized)"},
		{"403 scopes", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 403}}, ErrAuth, false, "(403 Forbidden)"},
		{"server busy", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 503}}, nil, false, "EHR answered 503 Service Unavailable"},
		{"rate limited", chartUnit(&good), &fakeEHR{patient: testPatient, txErr: &StatusError{Code: 429}}, nil, false, "EHR answered 429"},
		{"network", chartUnit(&good), &fakeEHR{findErr: errors.New("dial tcp: connection refused")}, nil, false, "connection refused"},
		{"chart without vitals", chartUnit(&empty), &fakeEHR{patient: testPatient}, ErrUnsendable, true, "unit cannot be sent: map chart c-k-empty: chart has no vitals"},
		{"chart without MRN", chartUnit(&noMRN), &fakeEHR{}, ErrUnsendable, true, "has no MRN"},
		{"unknown kind", storage.OutboxUnit{ID: 3, Kind: "fax"}, &fakeEHR{}, ErrUnsendable, true, "unknown outbox unit kind"},
		{"clip not a WAVE file", storage.OutboxUnit{ID: 4, Kind: "clip", Clip: &notWAV}, &fakeEHR{patient: testPatient}, ErrUnsendable, true, "not a RIFF WAVE file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newFakeSender(tt.ehr).Send(context.Background(), tt.unit)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			for _, k := range failureKinds {
				if got := errors.Is(err, k); got != (k == tt.kind) {
					t.Errorf("errors.Is(err, %q) = %v; err = %v", k, got, err)
				}
			}
			if isPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v: %v", isPermanent(err), tt.permanent, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.says) {
				t.Errorf("error %q does not say %q", msg, tt.says)
			}
			if strings.Contains(msg, mrn) || strings.Contains(msg, "Jane Roe") {
				t.Errorf("error %q shows patient data", msg)
			}
			var se *StatusError
			if want := tt.ehr.txErr != nil; errors.As(err, &se) != want {
				t.Errorf("errors.As StatusError = %v, want %v (redaction must keep the chain)", !want, want)
			}
		})
	}
}

func TestRedactErr(t *testing.T) {
	base := errors.New("outcome: MRN 12 and MRN-4711 and 4711")
	tests := []struct {
		secrets []string
		want    string
	}{
		{nil, base.Error()},
		{[]string{"MRN-4711"}, "outcome: MRN 12 and [redacted] and 4711"},
		{[]string{"4711"}, "outcome: MRN 12 and MRN-[redacted] and [redacted]"},
		{[]string{"12"}, base.Error()}, // too short to take out safely
		{[]string{" ", ""}, base.Error()},
	}
	for _, tt := range tests {
		err := redactErr(base, tt.secrets...)
		if err.Error() != tt.want || !errors.Is(err, base) {
			t.Errorf("redactErr(%v) = %q (is base: %v), want %q", tt.secrets, err, errors.Is(err, base), tt.want)
		}
	}
	if redactErr(nil, "x") != nil {
		t.Error("redactErr(nil) is not nil")
	}
}
