package faultproxy

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// upstream answers every request with body and counts the requests it got.
func upstream(tb testing.TB, body []byte) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/fhir+json")
		w.Header().Set("X-Path", r.URL.Path+"?"+r.URL.RawQuery)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv, &n
}

func payload() []byte {
	return bytes.Repeat([]byte(`{"resourceType":"Observation"},`), 400) // 12 KB
}

func fetch(c *http.Client, u string) (resp *http.Response, body []byte, err error) {
	resp, err = c.Post(u, "application/fhir+json", strings.NewReader(`{"resourceType":"Bundle"}`))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp, body, err
}

func TestEachKind(t *testing.T) {
	want := payload()
	tests := []struct {
		kind         Kind
		wantStatus   int  // 0: the client gets no complete answer
		wantUpstream bool // the request reached the server
		wantBody     bool // the full upstream body arrived
	}{
		{Pass, 201, true, true},
		{Status500, 500, false, false},
		{Status503, 503, false, false},
		{Status429, 429, false, false},
		{Timeout, 0, false, false},
		{Reset, 0, true, false},
		{SlowBody, 201, true, true},
		{Truncate, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			up, hits := upstream(t, want)
			cfg := Config{Seed: 1, Hold: 50 * time.Millisecond, SlowPieces: 16, SlowPause: time.Millisecond}
			if tt.kind != Pass {
				cfg.P = map[Kind]float64{tt.kind: 1}
			}
			p := Start(t, up.URL, cfg)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			resp, body, err := fetch(c, p.URL()+"/fhir/R4/Observation?identifier=a%7Cb")
			switch {
			case tt.wantStatus == 0 && err == nil:
				t.Fatalf("got %d with %d of %d body bytes, want a failed exchange", resp.StatusCode, len(body), len(want))
			case tt.wantStatus != 0 && err != nil:
				t.Fatalf("exchange failed: %v", err)
			case tt.wantStatus != 0 && resp.StatusCode != tt.wantStatus:
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantBody {
				if !bytes.Equal(body, want) {
					t.Errorf("body of %d bytes differs from the upstream's %d", len(body), len(want))
				}
				if got := resp.Header.Get("X-Path"); got != "/fhir/R4/Observation?identifier=a%7Cb" {
					t.Errorf("upstream saw %q", got)
				}
			}
			if tt.kind == Status429 && resp.Header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q, want 1", resp.Header.Get("Retry-After"))
			}
			if got := hits.Load() == 1; got != tt.wantUpstream {
				t.Errorf("upstream got %d requests; want reached = %v", hits.Load(), tt.wantUpstream)
			}
			f := p.Faults()
			if f[tt.kind] != 1 || p.Injected() != map[bool]int64{true: 0, false: 1}[tt.kind == Pass] {
				t.Errorf("counters %v, injected %d", f, p.Injected())
			}
		})
	}
}

func TestTruncateSendsAPrefix(t *testing.T) {
	want := payload()
	up, _ := upstream(t, want)
	p := Start(t, up.URL, Config{P: map[Kind]float64{Truncate: 1}})
	resp, err := http.Get(p.URL() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err == nil || resp.ContentLength != int64(len(want)) || len(got) == 0 || len(got) >= len(want) ||
		!bytes.Equal(got, want[:len(got)]) {
		t.Fatalf("read %d of %d (Content-Length %d), err %v; want a proper prefix then an error",
			len(got), len(want), resp.ContentLength, err)
	}
}

func TestMixRespectsProbabilities(t *testing.T) {
	up, hits := upstream(t, []byte(`{}`))
	probs := map[Kind]float64{Status500: 0.2, Status503: 0.1, Status429: 0.1, SlowBody: 0.1}
	const n = 1000
	run := func(seed uint64) map[Kind]int64 {
		p := Start(t, up.URL, Config{Seed: seed, P: probs, SlowPause: time.Microsecond})
		for range n {
			resp, err := http.Get(p.URL() + "/")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return p.Faults()
	}
	a := run(42)
	for k, pk := range probs {
		mean, sd := n*pk, math.Sqrt(n*pk*(1-pk))
		if math.Abs(float64(a[k])-mean) > 5*sd {
			t.Errorf("%v: %d of %d, want about %.0f", k, a[k], n, mean)
		}
	}
	if a[Pass]+a[SlowBody] != hits.Load() {
		t.Errorf("upstream got %d requests, want pass+slow = %d", hits.Load(), a[Pass]+a[SlowBody])
	}
	b := run(42)
	for k := Pass; k < numKinds; k++ {
		if a[k] != b[k] {
			t.Errorf("same seed, different draws: %v vs %v", a, b)
			break
		}
	}
}

func TestConfigRefused(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		p        map[Kind]float64
	}{
		{"sum above 1", "http://127.0.0.1:1", map[Kind]float64{Status500: 0.6, Reset: 0.6}},
		{"negative", "http://127.0.0.1:1", map[Kind]float64{Status500: -0.1}},
		{"pass is not a fault", "http://127.0.0.1:1", map[Kind]float64{Pass: 0.5}},
		{"unknown kind", "http://127.0.0.1:1", map[Kind]float64{Kind(99): 0.5}},
		{"no upstream host", "127.0.0.1:1", nil},
		{"not http", "ftp://127.0.0.1:1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := New(tt.upstream, Config{P: tt.p}); err == nil {
				p.Close()
				t.Fatal("accepted")
			}
		})
	}
}

// TestCloseWakesHeldConnections: Close returns while a Timeout fault holds
// a connection for the longest allowed hold.
func TestCloseWakesHeldConnections(t *testing.T) {
	up, _ := upstream(t, []byte(`{}`))
	p, err := New(up.URL, Config{P: map[Kind]float64{Timeout: 1}, Hold: MaxHold})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, _, err := fetch(http.DefaultClient, p.URL()+"/")
		errc <- err
	}()
	for i := 0; p.Faults()[Timeout] == 0; i++ {
		if i > 10000 {
			t.Fatal("request never reached the proxy")
		}
		time.Sleep(time.Millisecond)
	}
	p.Close()
	if err := <-errc; err == nil {
		t.Fatal("held request succeeded")
	}
	p.Close() // idempotent
}

func TestKindString(t *testing.T) {
	if len(FaultKinds()) != int(numKinds)-1 || Reset.String() != "reset" || Kind(42).String() != "Kind(42)" {
		t.Errorf("FaultKinds %v, %s, %s", FaultKinds(), Reset, Kind(42))
	}
}
