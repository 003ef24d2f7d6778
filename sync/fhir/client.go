package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

const (
	contentTypeFHIR = "application/fhir+json"
	// maxResponse bounds what a reply may make us hold in memory.
	maxResponse = 64 << 20
)

// Client talks FHIR R4 REST to one EHR base URL. It retries 408, 429, 5xx
// and connection errors with jittered exponential backoff, honours a
// Retry-After header up to a ceiling, and stops at once on other 4xx. It is
// safe for concurrent use.
type Client struct {
	base          *url.URL
	http          *retryablehttp.Client
	maxRetryAfter time.Duration
	timeout       time.Duration
	now           func() time.Time
	smart         *smartSource // nil without WithSMART
	optErr        error        // an option's configuration error, returned by NewClient
}

// Option adjusts a Client built by NewClient.
type Option func(*Client)

// WithHTTPClient sends through hc (for example one whose Transport adds
// SMART Backend Services tokens). A nil CheckRedirect is replaced by one
// that refuses redirects to plain HTTP off this machine.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		cp := *hc
		if cp.CheckRedirect == nil {
			cp.CheckRedirect = refuseInsecureRedirect
		}
		c.http.HTTPClient = &cp
	}
}

// WithRetries sets how many times a request is retried and the bounds of the
// exponential backoff between tries (default 4 retries, 500 ms … 15 s).
func WithRetries(max int, waitMin, waitMax time.Duration) Option {
	return func(c *Client) {
		c.http.RetryMax, c.http.RetryWaitMin, c.http.RetryWaitMax = max, waitMin, waitMax
	}
}

// WithMaxRetryAfter caps how long a server's Retry-After may make a request
// wait (default 30 s): a misconfigured server must not stall the outbox.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *Client) { c.maxRetryAfter = d }
}

// WithTryTimeout bounds each single try, token request included, so that
// a server holding a connection open costs one try rather than the whole
// call (default 30 s; 0 means no per-try bound). Set it after
// WithHTTPClient, which replaces the client it is stored in.
func WithTryTimeout(d time.Duration) Option {
	return func(c *Client) { c.http.HTTPClient.Timeout = d }
}

// WithTimeout bounds each call whose context has no deadline (default 60 s),
// retries included.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.timeout = d }
}

// NewClient returns a client for the FHIR base URL (".../fhir/R4"). Plain
// http:// is refused unless the host is loopback (127.0.0.0/8, ::1 or
// localhost): patient data crosses a network only over TLS.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("fhir base url: %w", err)
	}
	if err := checkTransport(u); err != nil {
		return nil, fmt.Errorf("fhir base url: %w", err)
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil // it logs URLs, and ours carry MRNs in search queries
	rc.RetryMax = 4
	rc.RetryWaitMin = 500 * time.Millisecond
	rc.RetryWaitMax = 15 * time.Second
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	c := &Client{base: u, http: rc, maxRetryAfter: 30 * time.Second, timeout: 60 * time.Second, now: time.Now}
	rc.CheckRetry = c.checkRetry
	rc.Backoff = c.backoff
	rc.HTTPClient = &http.Client{
		Transport:     http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: refuseInsecureRedirect,
		Timeout:       defaultTryTimeout,
	}
	for _, o := range opts {
		o(c)
	}
	if c.optErr != nil {
		return nil, fmt.Errorf("fhir client: %w", c.optErr)
	}
	if c.smart != nil {
		c.smart.install(c)
	}
	return c, nil
}

// defaultTryTimeout bounds one try unless WithTryTimeout or WithHTTPClient
// says otherwise.
const defaultTryTimeout = 30 * time.Second

// TransportError is a refusal to send patient data over an insecure or
// unsupported transport.
type TransportError struct {
	URL    string // scheme and host only
	Reason string
}

// Error says what was refused and why.
func (e *TransportError) Error() string { return "refusing " + e.URL + ": " + e.Reason }

// checkTransport refuses anything but https, or http to a loopback host.
func checkTransport(u *url.URL) error {
	where := u.Scheme + "://" + u.Host
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return &TransportError{URL: where, Reason: "no host"}
		}
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return &TransportError{URL: where, Reason: "plain http to a host other than loopback; TLS (https) is required"}
	}
	return &TransportError{URL: where, Reason: fmt.Sprintf("unsupported scheme %q; use https", u.Scheme)}
}

func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func refuseInsecureRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	return checkTransport(req.URL)
}

// Metadata fetches the CapabilityStatement: the cheap probe of whether the
// EHR is reachable.
func (c *Client) Metadata(ctx context.Context) error {
	var cs struct {
		ResourceType string `json:"resourceType"`
	}
	if err := c.do(ctx, http.MethodGet, "metadata", nil, nil, &cs); err != nil {
		return fmt.Errorf("fhir metadata: %w", err)
	}
	if cs.ResourceType != "CapabilityStatement" {
		return fmt.Errorf("fhir metadata: got %q, want a CapabilityStatement", cs.ResourceType)
	}
	return nil
}

// FindPatient returns "Patient/<id>" for the one Patient whose identifier is
// system|mrn. No match, or more than one, is a *NotMatchedError (errors.Is
// ErrPatientNotMatched).
func (c *Client) FindPatient(ctx context.Context, system, mrn string) (string, error) {
	if mrn == "" {
		return "", errors.New("find patient: empty MRN")
	}
	q := url.Values{"identifier": {system + "|" + mrn}, "_count": {"2"}}
	b, err := c.Search(ctx, "Patient", q)
	if err != nil {
		return "", fmt.Errorf("find patient: %w", err)
	}
	var ids []string
	for _, e := range b.Entry {
		if e.Search != nil && e.Search.Mode != "" && e.Search.Mode != "match" {
			continue
		}
		var p Patient
		if err := json.Unmarshal(e.Resource, &p); err != nil {
			return "", fmt.Errorf("find patient: decode entry: %w", err)
		}
		if p.ResourceType == "Patient" && p.ID != "" {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) != 1 {
		return "", &NotMatchedError{Count: len(ids)}
	}
	return "Patient/" + ids[0], nil
}

// Search runs a type-level search and returns the first page.
func (c *Client) Search(ctx context.Context, resourceType string, query url.Values) (Bundle, error) {
	var b Bundle
	if err := c.do(ctx, http.MethodGet, resourceType, query, nil, &b); err != nil {
		return Bundle{}, fmt.Errorf("search %s: %w", resourceType, err)
	}
	if b.ResourceType != "Bundle" {
		return Bundle{}, fmt.Errorf("search %s: got %q, want a Bundle", resourceType, b.ResourceType)
	}
	return b, nil
}

// Transaction posts a transaction Bundle and returns the result of each
// entry, in request order. A transaction is all-or-nothing on the server: a
// non-2xx answer means nothing was stored.
func (c *Client) Transaction(ctx context.Context, b Bundle) (BundleResponse, error) {
	body, err := json.Marshal(b)
	if err != nil {
		return BundleResponse{}, fmt.Errorf("encode transaction: %w", err)
	}
	var reply Bundle
	if err := c.do(ctx, http.MethodPost, "", nil, body, &reply); err != nil {
		return BundleResponse{}, fmt.Errorf("transaction of %d entries: %w", len(b.Entry), err)
	}
	r, err := parseBundleResponse(reply, len(b.Entry))
	if err != nil {
		return BundleResponse{}, fmt.Errorf("transaction of %d entries: %w", len(b.Entry), err)
	}
	return r, nil
}

// do sends one request and decodes a 2xx JSON reply into out.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	u := *c.base
	if path != "" {
		u.Path = strings.TrimRight(u.Path, "/") + "/" + path
	}
	u.RawQuery = query.Encode()
	if c.smart != nil {
		ctx = context.WithValue(ctx, authRetryKey{}, &authRetry{})
	}
	var raw any
	if body != nil {
		raw = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), raw)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, redact(&u), err)
	}
	req.Header.Set("Accept", contentTypeFHIR)
	if body != nil {
		req.Header.Set("Content-Type", contentTypeFHIR)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil { // the pass-through handler may return both
			_ = resp.Body.Close()
		}
		return scrub(method, &u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: read reply: %w", method, redact(&u), scrubErr(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Code: resp.StatusCode, Outcome: outcomeText(data)}
		if c.smart != nil && resp.StatusCode == http.StatusUnauthorized {
			return &AuthError{Status: se.Code, Reason: "the FHIR server refused a fresh token", Err: se}
		}
		return se
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode reply: %w", method, redact(&u), err)
	}
	return nil
}

// redact drops the query, where search parameters (an MRN) would appear:
// error texts reach the outbox row and the screen.
func redact(u *url.URL) string {
	r := *u
	r.RawQuery, r.User, r.Fragment = "", nil, ""
	return r.String()
}

func scrub(method string, u *url.URL, err error) error {
	return fmt.Errorf("%s %s: %w", method, redact(u), scrubErr(err))
}

// scrubErr unwraps *url.Error, whose text repeats the full URL.
func scrubErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// BundleResponse is the server's answer to a transaction: one result per
// entry, in request order.
type BundleResponse struct {
	Entries []EntryResult
}

// EntryResult is what happened to one transaction entry.
type EntryResult struct {
	Status   int    // HTTP status: 201 created, 200 already there (conditional create)
	Location string // "Observation/<id>/_history/<vid>" or "Observation/<id>"
	Outcome  string // the entry's OperationOutcome text, if it failed
}

// OK reports whether every entry succeeded.
func (r BundleResponse) OK() bool {
	for _, e := range r.Entries {
		if e.Status < 200 || e.Status > 299 {
			return false
		}
	}
	return len(r.Entries) > 0
}

func parseBundleResponse(b Bundle, want int) (BundleResponse, error) {
	if b.ResourceType != "Bundle" || b.Type != "transaction-response" {
		return BundleResponse{}, fmt.Errorf("got %s %q, want a transaction-response Bundle", b.ResourceType, b.Type)
	}
	if len(b.Entry) != want {
		return BundleResponse{}, fmt.Errorf("reply has %d entries, want %d", len(b.Entry), want)
	}
	r := BundleResponse{Entries: make([]EntryResult, len(b.Entry))}
	for i, e := range b.Entry {
		if e.Response == nil {
			return BundleResponse{}, fmt.Errorf("reply entry %d has no response", i)
		}
		code, err := parseEntryStatus(e.Response.Status)
		if err != nil {
			return BundleResponse{}, fmt.Errorf("reply entry %d: %w", i, err)
		}
		r.Entries[i] = EntryResult{Status: code, Location: e.Response.Location, Outcome: outcomeText(e.Response.Outcome)}
	}
	return r, nil
}

// parseEntryStatus reads Bundle.entry.response.status: a 3-digit code,
// optionally followed by the reason phrase ("201 Created").
func parseEntryStatus(s string) (int, error) {
	s = strings.TrimSpace(s)
	code, _, _ := strings.Cut(s, " ")
	n, err := strconv.Atoi(code)
	if err != nil || len(code) != 3 || n < 100 {
		return 0, fmt.Errorf("bad entry status %q", s)
	}
	return n, nil
}

// Close releases idle connections; call it when the client is dropped.
func (c *Client) Close() { c.http.HTTPClient.CloseIdleConnections() }
