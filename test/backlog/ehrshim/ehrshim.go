// Package ehrshim sits in front of the test EHR (test/fhirserver) and adds
// what an EHR may do that the test server does not, for tests only:
//
//   - raw Binary upload: a POST to Binary whose body is not FHIR JSON (a
//     stethoscope clip as audio/wav) is stored upstream as a JSON Binary
//     with the bytes in base64, and answered as the server answered that;
//     server.mjs reads every POST body as JSON, while real servers (and
//     Medplum's own) take the raw bytes;
//   - a CapabilityStatement without Media, as Epic's has none, so that the
//     DocumentReference fallback can be tested (Options.HideMedia).
//
// Everything else passes through unchanged.
package ehrshim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// maxBinary bounds one raw upload.
const maxBinary = 64 << 20

// Options choose what the shim changes.
type Options struct {
	// HideMedia removes Media from the CapabilityStatement.
	HideMedia bool
}

// Shim is a running shim; URL is the FHIR base URL to give the client.
type Shim struct {
	URL      string
	upstream *url.URL
	opts     Options
	proxy    *httputil.ReverseProxy
	binaries atomic.Int64
}

// Start runs a shim in front of the FHIR base URL upstream
// ("http://127.0.0.1:PORT/fhir/R4") until the test ends.
func Start(tb testing.TB, upstream string, opts Options) *Shim {
	tb.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		tb.Fatalf("ehrshim: upstream %q: %v", upstream, err)
	}
	root := &url.URL{Scheme: u.Scheme, Host: u.Host}
	s := &Shim{upstream: u, opts: opts, proxy: httputil.NewSingleHostReverseProxy(root)}
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL + u.Path
	return s
}

// RawBinaries counts the raw Binary uploads the shim converted.
func (s *Shim) RawBinaries() int { return int(s.binaries.Load()) }

// ServeHTTP converts raw Binary uploads and edits the CapabilityStatement.
func (s *Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, s.upstream.Path)
	switch {
	case r.Method == http.MethodPost && path == "/Binary" && !isFHIRJSON(r.Header.Get("Content-Type")):
		s.rawBinary(w, r)
	case r.Method == http.MethodGet && path == "/metadata" && s.opts.HideMedia:
		s.metadata(w, r)
	default:
		s.proxy.ServeHTTP(w, r)
	}
}

func isFHIRJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/fhir+json" || mt == "application/json")
}

func (s *Shim) rawBinary(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBinary+1))
	if err != nil || len(data) > maxBinary {
		http.Error(w, "ehrshim: body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	body, err := json.Marshal(map[string]string{
		"resourceType": "Binary",
		"contentType":  ct,
		"data":         base64.StdEncoding.EncodeToString(data),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.binaries.Add(1)
	s.forward(w, r, http.MethodPost, s.upstream.String()+"/Binary", body, nil)
}

func (s *Shim) metadata(w http.ResponseWriter, r *http.Request) {
	s.forward(w, r, http.MethodGet, s.upstream.String()+"/metadata", nil, func(b []byte) ([]byte, error) {
		var cs map[string]any
		if err := json.Unmarshal(b, &cs); err != nil {
			return nil, err
		}
		rest, _ := cs["rest"].([]any)
		for _, m := range rest {
			mode, _ := m.(map[string]any)
			res, _ := mode["resource"].([]any)
			kept := res[:0]
			for _, x := range res {
				if rr, _ := x.(map[string]any); rr["type"] != "Media" {
					kept = append(kept, x)
				}
			}
			mode["resource"] = kept
		}
		return json.Marshal(cs)
	})
}

// forward sends one request upstream and relays the answer, edited by edit
// when it is a 2xx.
func (s *Shim) forward(w http.ResponseWriter, r *http.Request, method, target string, body []byte, edit func([]byte) ([]byte, error)) {
	req, err := http.NewRequestWithContext(r.Context(), method, target, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header.Set("Accept", "application/fhir+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, fmt.Sprintf("ehrshim: upstream: %v", err), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, fmt.Sprintf("ehrshim: upstream reply: %v", err), http.StatusBadGateway)
		return
	}
	if edit != nil && resp.StatusCode/100 == 2 {
		if out, err = edit(out); err != nil {
			http.Error(w, fmt.Sprintf("ehrshim: edit reply: %v", err), http.StatusBadGateway)
			return
		}
	}
	for _, h := range []string{"Content-Type", "Location", "ETag", "Last-Modified"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}
