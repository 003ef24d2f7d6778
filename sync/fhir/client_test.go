package fhir

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// script answers request n with statuses[n] (the last one repeats) and
// counts the requests.
type script struct {
	statuses []int
	header   http.Header // set on every non-2xx answer
	body     string      // 2xx body
	calls    atomic.Int32
	lastURL  atomic.Value
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.calls.Add(1)) - 1
	s.lastURL.Store(r.URL.String())
	code := s.statuses[min(n, len(s.statuses)-1)]
	w.Header().Set("Content-Type", contentTypeFHIR)
	if code >= 300 {
		for k, v := range s.header {
			w.Header()[k] = v
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"text":"answer %d"}}]}`, code)
		return
	}
	w.WriteHeader(code)
	fmt.Fprint(w, s.body)
}

// loopbackServer starts an httptest server on 127.0.0.1 (httptest's
// default) and a client for it with fast retries.
func loopbackServer(tb testing.TB, h http.Handler, opts ...Option) *Client {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	opts = append([]Option{WithRetries(4, time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := NewClient(srv.URL+"/fhir/R4", opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

const capability = `{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1"}`

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		wantCalls int32
		wantCode  int // 0: success
		permanent bool
		tooLarge  bool
	}{
		{"500 then 200 succeeds", []int{500, 200}, 2, 0, false, false},
		{"503, 502, 504 then 200", []int{503, 502, 504, 200}, 4, 0, false, false},
		{"408 and 429 retried", []int{408, 429, 200}, 3, 0, false, false},
		{"400 not retried, permanent", []int{400}, 1, 400, true, false},
		{"404 not retried, permanent", []int{404}, 1, 404, true, false},
		{"422 not retried, permanent", []int{422}, 1, 422, true, false},
		{"413 permanent and too large", []int{413}, 1, 413, true, true},
		{"401 not retried, not permanent", []int{401}, 1, 401, false, false},
		{"500 until retries run out", []int{500}, 5, 500, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{statuses: tt.statuses, body: capability}
			c := loopbackServer(t, s)
			err := c.Metadata(context.Background())
			if got := s.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("Metadata: %v", err)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *StatusError", err)
			}
			if se.Code != tt.wantCode || se.Permanent() != tt.permanent || se.TooLarge() != tt.tooLarge {
				t.Errorf("got code %d permanent %v tooLarge %v, want %d %v %v",
					se.Code, se.Permanent(), se.TooLarge(), tt.wantCode, tt.permanent, tt.tooLarge)
			}
			if want := fmt.Sprintf("answer %d", tt.wantCode); se.Outcome != want {
				t.Errorf("outcome %q, want %q", se.Outcome, want)
			}
		})
	}
}

func TestClientRetryAfter(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		s := &script{statuses: []int{429, 200}, body: capability, header: http.Header{"Retry-After": {"1"}}}
		c := loopbackServer(t, s)
		start := time.Now()
		if err := c.Metadata(context.Background()); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 950*time.Millisecond {
			t.Errorf("retried after %v, want at least the 1 s the server asked for", waited)
		}
	})
	t.Run("clamped", func(t *testing.T) {
		s := &script{statuses: []int{503, 200}, body: capability, header: http.Header{"Retry-After": {"3600"}}}
		c := loopbackServer(t, s, WithMaxRetryAfter(20*time.Millisecond))
		start := time.Now()
		if err := c.Metadata(context.Background()); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited > 2*time.Second {
			t.Errorf("waited %v for Retry-After 3600 with a 20 ms cap", waited)
		}
	})
}

func TestClientHonoursDeadline(t *testing.T) {
	s := &script{statuses: []int{503}, header: http.Header{"Retry-After": {"10"}}}
	c := loopbackServer(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Metadata(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("returned after %v, want about the 100 ms deadline", took)
	}
}

func TestNewClientTransport(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://ehr.example.org/fhir/R4", true},
		{"http://127.0.0.1:8103/fhir/R4", true},
		{"http://127.8.9.10/fhir/R4", true},
		{"http://[::1]:8103/fhir/R4", true},
		{"http://localhost:8103/fhir/R4", true},
		{"http://LOCALHOST/fhir/R4", true},
		{"http://ehr.example.org/fhir/R4", false},
		{"http://10.0.0.7:8080/fhir/R4", false},
		{"http://[::2]/fhir/R4", false},
		{"http://128.0.0.1/fhir/R4", false},
		{"http://localhost.example.org/fhir/R4", false},
		{"ftp://ehr.example.org/fhir", false},
		{"https:///fhir", false},
		{"ehr.example.org/fhir", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := NewClient(tt.url)
			if tt.ok && err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if !tt.ok {
				var te *TransportError
				if !errors.As(err, &te) {
					t.Fatalf("err = %v, want a *TransportError", err)
				}
			}
		})
	}
}

func TestClientRefusesInsecureRedirect(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Redirect(w, r, "http://192.0.2.10/fhir/R4/metadata", http.StatusFound)
	})
	c := loopbackServer(t, h)
	err := c.Metadata(context.Background())
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a *TransportError", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests, want 1 (a refusal is not retried)", calls.Load())
	}
}

func TestFindPatient(t *testing.T) {
	entry := func(id string) string {
		return `{"search":{"mode":"match"},"resource":{"resourceType":"Patient","id":"` + id + `"}}`
	}
	tests := []struct {
		name    string
		body    string
		want    string
		matched bool
	}{
		{"one", `{"resourceType":"Bundle","type":"searchset","entry":[` + entry("p1") + `]}`, "Patient/p1", true},
		{"none", `{"resourceType":"Bundle","type":"searchset","total":0}`, "", false},
		{"two", `{"resourceType":"Bundle","type":"searchset","entry":[` + entry("p1") + `,` + entry("p2") + `]}`, "", false},
		{"included resources do not count", `{"resourceType":"Bundle","type":"searchset","entry":[` + entry("p1") +
			`,{"search":{"mode":"include"},"resource":{"resourceType":"Patient","id":"p9"}}]}`, "Patient/p1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{statuses: []int{200}, body: tt.body}
			c := loopbackServer(t, s)
			ref, err := c.FindPatient(context.Background(), "urn:telewave:mrn", "MRN-0042")
			u, _ := s.lastURL.Load().(string)
			if !strings.HasPrefix(u, "/fhir/R4/Patient?") || !strings.Contains(u, "identifier=urn%3Atelewave%3Amrn%7CMRN-0042") {
				t.Errorf("request %q, want a Patient search by identifier", u)
			}
			if tt.matched {
				if err != nil || ref != tt.want {
					t.Fatalf("got %q, %v; want %q", ref, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrPatientNotMatched) {
				t.Fatalf("err = %v, want ErrPatientNotMatched", err)
			}
			if strings.Contains(err.Error(), "MRN-0042") {
				t.Errorf("error %q names the MRN", err)
			}
		})
	}
}

func TestErrorsDoNotCarryTheMRN(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: every try is refused
	c, err := NewClient("http://"+addr+"/fhir/R4", WithRetries(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FindPatient(context.Background(), "urn:telewave:mrn", "MRN-SECRET-7")
	if err == nil {
		t.Fatal("want a connection error")
	}
	if strings.Contains(err.Error(), "MRN-SECRET-7") {
		t.Errorf("error %q carries the MRN", err)
	}
}

func TestTransactionReplyChecks(t *testing.T) {
	req := Bundle{ResourceType: "Bundle", Type: "transaction", Entry: []BundleEntry{
		{FullURL: "urn:uuid:1", Resource: []byte(`{"resourceType":"Basic"}`), Request: &EntryRequest{Method: "POST", URL: "Basic"}},
	}}
	tests := []struct {
		name string
		body string
		ok   bool
		want EntryResult
	}{
		{"created", `{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"201 Created","location":"Basic/1/_history/a"}}]}`,
			true, EntryResult{Status: 201, Location: "Basic/1/_history/a"}},
		{"bare status", `{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"200"}}]}`,
			true, EntryResult{Status: 200}},
		{"wrong entry count", `{"resourceType":"Bundle","type":"transaction-response","entry":[]}`, false, EntryResult{}},
		{"wrong type", `{"resourceType":"Bundle","type":"batch-response","entry":[{"response":{"status":"200"}}]}`, false, EntryResult{}},
		{"bad status", `{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"OK"}}]}`, false, EntryResult{}},
		{"no response", `{"resourceType":"Bundle","type":"transaction-response","entry":[{}]}`, false, EntryResult{}},
		{"not json", `<html>`, false, EntryResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loopbackServer(t, &script{statuses: []int{200}, body: tt.body})
			r, err := c.Transaction(context.Background(), req)
			if !tt.ok {
				if err == nil {
					t.Fatalf("want an error, got %+v", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Entries) != 1 || r.Entries[0] != tt.want || !r.OK() {
				t.Errorf("got %+v, want [%+v]", r.Entries, tt.want)
			}
		})
	}
}

func TestMetadataWrongResource(t *testing.T) {
	c := loopbackServer(t, &script{statuses: []int{200}, body: `{"resourceType":"Bundle"}`})
	if err := c.Metadata(context.Background()); err == nil {
		t.Fatal("want an error for a reply that is not a CapabilityStatement")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
		{"99999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJitterBounds(t *testing.T) {
	for attempt := range 40 {
		ceil := min(time.Millisecond<<min(attempt, 30), time.Second)
		for range 20 {
			if got := jitter(time.Millisecond, time.Second, attempt); got < ceil/2 || got > ceil {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, ceil/2, ceil)
			}
		}
	}
}
