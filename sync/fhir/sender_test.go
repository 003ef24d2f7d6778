package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"telewave/devices"
	"telewave/storage"
)

// fakeEHR answers from fields and records calls.
type fakeEHR struct {
	patient string
	findErr error
	reply   BundleResponse
	txErr   error
	gotMRN  string
	gotSys  string
	bundles []Bundle
	// noLocation leaves the Location out of transaction replies.
	noLocation bool
	// maxObs > 0 answers 413 to a transaction with more Observations.
	maxObs int
	// search answers every Search; searches counts them.
	search   Bundle
	searches []url.Values
	// uploads holds every Binary body; noMedia hides Media.
	uploads   [][]byte
	uploadErr error
	noMedia   bool
	capsAsked int
}

var (
	_ ehr     = (*fakeEHR)(nil)
	_ fileEHR = (*fakeEHR)(nil)
)

func (f *fakeEHR) Search(_ context.Context, _ string, q url.Values) (Bundle, error) {
	f.searches = append(f.searches, q)
	return f.search, nil
}

func (f *fakeEHR) UploadBinary(_ context.Context, _ string, data []byte) (string, error) {
	if f.uploadErr != nil {
		return "", f.uploadErr
	}
	f.uploads = append(f.uploads, data)
	return fmt.Sprintf("bin-%d", len(f.uploads)), nil
}

func (f *fakeEHR) SupportsResource(context.Context, string) (bool, error) {
	f.capsAsked++
	return !f.noMedia, nil
}

func (f *fakeEHR) FindPatient(_ context.Context, system, mrn string) (string, error) {
	f.gotSys, f.gotMRN = system, mrn
	return f.patient, f.findErr
}

func (f *fakeEHR) Transaction(_ context.Context, b Bundle) (BundleResponse, error) {
	f.bundles = append(f.bundles, b)
	if f.txErr != nil {
		return BundleResponse{}, f.txErr
	}
	if f.maxObs > 0 && len(entriesOf(b, "Observation")) > f.maxObs {
		return BundleResponse{}, &StatusError{Code: 413}
	}
	if f.reply.Entries != nil {
		return f.reply, nil
	}
	r := BundleResponse{}
	for i, e := range b.Entry {
		res := EntryResult{Status: 201}
		if e.Request != nil && e.Request.URL == "Observation" && !f.noLocation {
			res.Location = fmt.Sprintf("Observation/tx%d-%d/_history/1", len(f.bundles), i)
		}
		r.Entries = append(r.Entries, res)
	}
	return r, nil
}

func isPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

func chartUnit(c *storage.Chart) storage.OutboxUnit {
	return storage.OutboxUnit{ID: 9, Kind: "chart", State: storage.InFlight, Chart: c}
}

func TestSenderSend(t *testing.T) {
	good := chart("c-s", vital(devices.MDCPulsOximSatO2, 97, "%"))
	noVitals := chart("c-empty")
	noMRN := good
	noMRN.PatientMRN = " "
	tests := []struct {
		name      string
		unit      storage.OutboxUnit
		ehr       *fakeEHR
		ok        bool
		permanent bool
		is        error
		sends     int
	}{
		{"chart sent", chartUnit(&good), &fakeEHR{patient: "Patient/p1"}, true, false, nil, 1},
		{"unknown kind", storage.OutboxUnit{ID: 9, Kind: "ecg-strip"}, &fakeEHR{}, false, true, ErrUnknownKind, 0},
		{"chart unit without chart", chartUnit(nil), &fakeEHR{}, false, true, nil, 0},
		{"chart without MRN", chartUnit(&noMRN), &fakeEHR{}, false, true, nil, 0},
		{"unmatched patient waits", chartUnit(&good), &fakeEHR{findErr: &NotMatchedError{}}, false, false, ErrPatientNotMatched, 0},
		{"unmappable chart parks", chartUnit(&noVitals), &fakeEHR{patient: "Patient/p1"}, false, true, ErrEmptyChart, 0},
		{"server 400 parks", chartUnit(&good), &fakeEHR{patient: "Patient/p1", txErr: &StatusError{Code: 400}}, false, true, nil, 1},
		{"server 503 retries", chartUnit(&good), &fakeEHR{patient: "Patient/p1", txErr: &StatusError{Code: 503}}, false, false, nil, 1},
		{"failed entry retries", chartUnit(&good), &fakeEHR{patient: "Patient/p1",
			reply: BundleResponse{Entries: []EntryResult{{Status: 201}, {Status: 500, Outcome: "boom"}}}}, false, false, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Sender{client: tt.ehr, files: tt.ehr, systems: Systems{}.withDefaults(), uploaded: map[string]string{}, devicesSent: map[[32]byte]bool{}}
			err := s.Send(context.Background(), tt.unit)
			if len(tt.ehr.bundles) != tt.sends {
				t.Errorf("%d transactions, want %d", len(tt.ehr.bundles), tt.sends)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if tt.ehr.gotSys != DefaultMRNSystem || tt.ehr.gotMRN != "MRN-0001" {
					t.Errorf("searched %s|%s, want %s|MRN-0001", tt.ehr.gotSys, tt.ehr.gotMRN, DefaultMRNSystem)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			if isPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", isPermanent(err), tt.permanent, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			if strings.Contains(err.Error(), "MRN-0001") {
				t.Errorf("error %q carries the MRN", err)
			}
		})
	}
}

func TestNewSenderSystems(t *testing.T) {
	c, err := NewClient("http://127.0.0.1:1/fhir/R4")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSender(c, Systems{MRN: "urn:oid:1.2.3"})
	if s.systems.MRN != "urn:oid:1.2.3" || s.systems.Observation != DefaultObservationSystem {
		t.Errorf("systems %+v", s.systems)
	}
}
