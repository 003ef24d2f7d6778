package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"telewave/storage"
	"telewave/test/fhirserver"
)

func newFakeSender(f *fakeEHR, opts ...SenderOption) *Sender {
	s := &Sender{client: f, files: f, systems: Systems{}.withDefaults(), uploaded: map[string]string{}, devicesSent: map[[32]byte]bool{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

func TestSendStripSplitsOn413(t *testing.T) {
	st := ecgStrip(120, 500, true)
	st.Leads = st.Leads[:1] // four 30 s segments
	tests := []struct {
		name      string
		maxObs    int
		permanent bool
		obsTx     int // transactions that carried Observations
	}{
		{"fits", 0, false, 1},
		{"two per transaction", 2, false, 3}, // 4 → 413, then 2+2
		{"one per transaction", 1, false, 6}, // 4 → 413, 2 → 413, then 1+1+1+1
		{"one alone too large", 0, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEHR{patient: "Patient/p1", maxObs: max(tt.maxObs, 0)}
			u := st
			s := newFakeSender(f)
			if tt.permanent {
				s.client = &tooLargeEHR{f}
			}
			err := s.Send(context.Background(), storage.OutboxUnit{ID: 1, Kind: "strip", Strip: &u})
			if (err != nil) != tt.permanent || err != nil && !isPermanent(err) {
				t.Fatalf("err = %v, want permanent %v", err, tt.permanent)
			}
			n := 0
			for _, b := range f.bundles {
				if len(entriesOf(b, "Observation")) > 0 {
					n++
				}
			}
			if n != tt.obsTx {
				t.Errorf("%d Observation transactions, want %d", n, tt.obsTx)
			}
		})
	}
}

// tooLargeEHR answers 413 to every transaction carrying an Observation.
type tooLargeEHR struct{ *fakeEHR }

func (e *tooLargeEHR) Transaction(ctx context.Context, b Bundle) (BundleResponse, error) {
	if len(entriesOf(b, "Observation")) > 0 {
		e.bundles = append(e.bundles, b)
		return BundleResponse{}, &StatusError{Code: 413}
	}
	return e.fakeEHR.Transaction(ctx, b)
}

func TestSendStripUpsertsDeviceOnce(t *testing.T) {
	f := &fakeEHR{patient: "Patient/p1"}
	s := newFakeSender(f)
	for range 3 {
		st := ecgStrip(10, 500, true)
		if err := s.Send(context.Background(), storage.OutboxUnit{ID: 1, Kind: "strip", Strip: &st}); err != nil {
			t.Fatal(err)
		}
	}
	metrics := 0
	for _, b := range f.bundles {
		metrics += len(entriesOf(b, "DeviceMetric"))
	}
	if metrics != 12 {
		t.Errorf("%d DeviceMetric upserts for three strips of one cart, want 12", metrics)
	}
}

func TestSendClip(t *testing.T) {
	wav := readClip(t)
	clip := func(bin string) *storage.Clip {
		return &storage.Clip{ID: uuid.NewString(), PatientMRN: "MRN-0001", Time: time.Now(), Site: storage.SiteAortic, WAV: wav, BinaryID: bin}
	}
	t.Run("uploads once and records the id", func(t *testing.T) {
		f := &fakeEHR{patient: "Patient/p1"}
		rec := &recordedBinaries{ids: map[string]string{}}
		s := newFakeSender(f, WithClipBinaries(rec))
		c := clip("")
		for range 2 {
			if err := s.Send(context.Background(), storage.OutboxUnit{ID: 1, Kind: "clip", Clip: c}); err != nil {
				t.Fatal(err)
			}
		}
		if len(f.uploads) != 1 || !bytes.Equal(f.uploads[0], wav) || rec.ids[c.ID] != "bin-1" || f.capsAsked != 1 {
			t.Fatalf("%d uploads, recorded %q, metadata asked %d times", len(f.uploads), rec.ids[c.ID], f.capsAsked)
		}
		m := decode[Media](t, entriesOf(f.bundles[1], "Media")[0].Resource)
		if m.Content.URL != "Binary/bin-1" {
			t.Errorf("media content %+v", m.Content)
		}
	})
	t.Run("a stored id is not uploaded again", func(t *testing.T) {
		f := &fakeEHR{patient: "Patient/p1", noMedia: true}
		if err := newFakeSender(f).Send(context.Background(), storage.OutboxUnit{ID: 1, Kind: "clip", Clip: clip("known")}); err != nil {
			t.Fatal(err)
		}
		if len(f.uploads) != 0 || len(entriesOf(f.bundles[0], "DocumentReference")) != 1 {
			t.Fatalf("%d uploads; bundle %+v", len(f.uploads), f.bundles)
		}
	})
	t.Run("audio too large parks", func(t *testing.T) {
		f := &fakeEHR{patient: "Patient/p1", uploadErr: &StatusError{Code: 413}}
		err := newFakeSender(f).Send(context.Background(), storage.OutboxUnit{ID: 1, Kind: "clip", Clip: clip("")})
		if !isPermanent(err) || len(f.bundles) != 0 {
			t.Fatalf("err = %v, %d transactions", err, len(f.bundles))
		}
	})
	t.Run("not a WAVE file parks", func(t *testing.T) {
		c := clip("")
		c.WAV = []byte("not audio")
		err := newFakeSender(&fakeEHR{patient: "Patient/p1"}).Send(context.Background(), storage.OutboxUnit{ID: 1, Kind: "clip", Clip: c})
		if !isPermanent(err) || !errors.Is(err, ErrNotWAV) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestClipAndReportBundlesAreR4(t *testing.T) {
	wav := readClip(t)
	c := storage.Clip{ID: uuid.NewString(), Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Site: storage.SiteLungs, WAV: wav, Author: "dr.who", Device: cart}
	for _, asMedia := range []bool{true, false} {
		b, err := ClipBundle(c, "b1", "Patient/p1", Systems{}, asMedia)
		if err != nil {
			t.Fatal(err)
		}
		if err := fhirserver.ValidateValue(t, b); err != nil {
			t.Errorf("clip bundle (media %v): %v", asMedia, err)
		}
	}
	if _, err := ClipBundle(c, "a/b", "Patient/p1", Systems{}, true); err == nil {
		t.Error("a binary id with a slash was accepted")
	}
	secs, err := wavSeconds(wav)
	if err != nil || secs < 1 || secs > 60 {
		t.Errorf("clip lasts %g s (%v)", secs, err)
	}
	r := storage.Report{ID: uuid.NewString(), Time: c.Time, Text: "Sinus rhythm.", Author: "dr.who", Strips: []string{"s1"}}
	b, err := ReportBundle(r, []string{"Observation/o1", "Observation/o2"}, "Patient/p1", Systems{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fhirserver.ValidateValue(t, b); err != nil {
		t.Errorf("report bundle: %v", err)
	}
	d := decode[DiagnosticReport](t, b.Entry[0].Resource)
	if d.Code.Coding[0] != ecgStudyLOINC || len(d.Result) != 2 || d.Conclusion != r.Text {
		t.Errorf("report %+v", d)
	}
	if _, err := ReportBundle(r, []string{"Patient/p1"}, "Patient/p1", Systems{}); err == nil {
		t.Error("a result that is no Observation was accepted")
	}
}

func TestUploadBinary(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		location string
		want     string
		code     int
	}{
		{"id from the body", 201, `{"resourceType":"Binary","id":"abc-1"}`, "", "abc-1", 0},
		{"id from Location", 201, "", "http://h/fhir/R4/Binary/xyz.2/_history/1", "xyz.2", 0},
		{"no id", 201, `{"resourceType":"Binary"}`, "", "", 0},
		{"too large", 413, `{"resourceType":"OperationOutcome","issue":[{"code":"too-costly"}]}`, "", "", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			var ct string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, _ = io.ReadAll(r.Body)
				ct = r.Header.Get("Content-Type")
				if tt.location != "" {
					w.Header().Set("Location", tt.location)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, err := NewClient(srv.URL+"/fhir/R4", WithRetries(0, time.Millisecond, time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			id, err := c.UploadBinary(context.Background(), ContentTypeWAV, []byte("RIFF....WAVE"))
			if string(got) != "RIFF....WAVE" || ct != ContentTypeWAV {
				t.Errorf("server got %q as %q, want the raw bytes as audio/wav", got, ct)
			}
			var se *StatusError
			switch {
			case tt.code != 0:
				if !errors.As(err, &se) || se.Code != tt.code || !se.Permanent() {
					t.Errorf("err = %v, want a permanent %d", err, tt.code)
				}
			case tt.want == "":
				if err == nil {
					t.Errorf("id %q from a reply that names none", id)
				}
			case err != nil || id != tt.want:
				t.Errorf("id %q, %v; want %q", id, err, tt.want)
			}
		})
	}
}

func FuzzWavSeconds(f *testing.F) {
	f.Add(readClip(f)[:200])
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := wavSeconds(b)
		if err == nil && (s <= 0 || s != s) {
			t.Fatalf("%g seconds without an error", s)
		}
	})
}

func FuzzBinaryID(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Binary","id":"a"}`), "Binary/b/_history/1")
	f.Add([]byte(""), "/Binary/")
	f.Fuzz(func(t *testing.T, body []byte, loc string) {
		id, err := binaryID(body, loc)
		if err == nil && !validID(id) {
			t.Fatalf("invalid id %q accepted", id)
		}
		var probe json.RawMessage
		_ = json.Unmarshal(body, &probe)
	})
}
