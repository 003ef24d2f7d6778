package fhir

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/oauth2"
)

const (
	assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// maxTokenReply bounds a token endpoint or discovery reply.
	maxTokenReply = 64 << 10
	// tokenTimeoutDefault bounds one token request (and discovery):
	// oauth2.TokenSource has no context to carry the caller's deadline.
	tokenTimeoutDefault = 30 * time.Second
	// authHoldDefault is how long a refused assertion is answered from
	// memory before the token endpoint is asked again, so that a backlog
	// of units does not send the endpoint a doomed request each.
	authHoldDefault = 30 * time.Second
)

// WithSMART authenticates every request with SMART Backend Services: a
// bearer token obtained with a signed client assertion, reused until it
// expires, installed under the retrying client as an oauth2.Transport. A
// token refusal is an *AuthError and is not retried; a 401 from the FHIR
// API drops the cached token and retries once, then gives up with an
// *AuthError. An invalid cfg makes NewClient fail.
func WithSMART(cfg SMARTConfig) Option {
	return func(c *Client) {
		if err := cfg.check(); err != nil {
			c.optErr = errors.Join(c.optErr, err)
			return
		}
		if len(cfg.Scopes) == 0 {
			cfg.Scopes = DefaultSMARTScopes
		}
		c.smart = &smartSource{cfg: cfg, hold: authHoldDefault, now: time.Now}
	}
}

// smartSource is the client's token source: an oauth2.ReuseTokenSource over
// the minter, replaced by a fresh one when the FHIR API rejects its token.
type smartSource struct {
	cfg     SMARTConfig
	base    *url.URL     // FHIR base, for discovery
	hc      *http.Client // token and discovery requests (no bearer)
	timeout time.Duration
	hold    time.Duration
	now     func() time.Time

	mu        sync.Mutex
	reuse     oauth2.TokenSource
	tokenURL  string    // discovered or configured
	refused   error     // the last *AuthError from the token endpoint
	refusedAt time.Time // when refused was set
}

// install wraps the client's transport; NewClient calls it after every
// option has run, so that WithHTTPClient's transport is the base.
func (s *smartSource) install(c *Client) {
	hc := *c.http.HTTPClient
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	s.base = c.base
	s.tokenURL = s.cfg.TokenURL
	s.timeout = tokenTimeoutDefault
	if hc.Timeout > 0 && hc.Timeout < s.timeout {
		s.timeout = hc.Timeout
	}
	s.hc = &http.Client{Transport: base, Timeout: s.timeout, CheckRedirect: refuseInsecureRedirect}
	s.reuse = oauth2.ReuseTokenSource(nil, minter{s})
	hc.Transport = bearerTransport{&oauth2.Transport{Source: s, Base: base}}
	c.http.HTTPClient = &hc
}

// bearerTransport hides oauth2.Transport's deprecated CancelRequest, which
// http.Client calls on every per-try timeout and which logs a warning each
// time; the request's context cancels it instead.
type bearerTransport struct{ t *oauth2.Transport }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) { return b.t.RoundTrip(r) }

// Token returns the cached token, or a fresh one once it has expired.
func (s *smartSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	reuse := s.reuse
	if s.refused != nil && s.now().Sub(s.refusedAt) < s.hold {
		err := s.refused
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Unlock()
	return reuse.Token()
}

// invalidate drops the cached token if it is still the one the FHIR API
// rejected (requests failing together drop it once, not once each).
func (s *smartSource) invalidate(rejected string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rejected != "" {
		if t, err := s.reuse.Token(); err != nil || t.AccessToken != rejected {
			return
		}
	}
	s.reuse = oauth2.ReuseTokenSource(nil, minter{s})
}

// minter asks the token endpoint for a new token with a new assertion.
type minter struct{ s *smartSource }

func (m minter) Token() (*oauth2.Token, error) {
	s := m.s
	t, err := s.fetch()
	var ae *AuthError
	s.mu.Lock()
	switch {
	case err == nil:
		s.refused = nil
	case errors.As(err, &ae):
		s.refused, s.refusedAt = err, s.now()
	}
	s.mu.Unlock()
	return t, err
}

func (s *smartSource) fetch() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	tokenURL, err := s.endpoint(ctx)
	if err != nil {
		return nil, err
	}
	assertion, err := s.assertion(tokenURL)
	if err != nil {
		return nil, &AuthError{Reason: "sign client assertion: " + err.Error()}
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {strings.Join(s.cfg.Scopes, " ")},
		"client_assertion_type": {assertionType},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &AuthError{Reason: "token request: " + scrubErr(err).Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("smart token request: %w", scrubErr(err)) // connection trouble: retried
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenReply))
	if err != nil {
		return nil, fmt.Errorf("smart token request: read reply: %w", scrubErr(err))
	}
	if retryableStatus(resp.StatusCode) {
		return nil, fmt.Errorf("smart token request: token endpoint answered %d", resp.StatusCode)
	}
	var tr struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.Number     `json:"expires_in"`
		Error       string          `json:"error"`
		Description string          `json:"error_description"`
		Scope       json.RawMessage `json:"scope"`
	}
	decodeErr := json.Unmarshal(body, &tr)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &AuthError{Status: resp.StatusCode, Code: shorten(tr.Error, assertion),
			Reason: shorten(tr.Description, assertion)}
	}
	if decodeErr != nil || tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer") {
		return nil, &AuthError{Status: resp.StatusCode, Reason: "token endpoint reply has no bearer access_token"}
	}
	life := tokenLifetimeDefault
	if secs, err := tr.ExpiresIn.Int64(); err == nil && secs > 0 {
		life = time.Duration(secs) * time.Second
	}
	return &oauth2.Token{AccessToken: tr.AccessToken, TokenType: "Bearer", Expiry: s.now().Add(life)}, nil
}

// assertion signs a new client assertion for tokenURL: iss = sub =
// client_id, aud the token URL as a plain string, exp ≤ 5 minutes ahead, a
// unique jti, and the key's kid in the header.
func (s *smartSource) assertion(tokenURL string) (string, error) {
	now := s.now()
	claims := jwt.MapClaims{
		"iss": s.cfg.ClientID,
		"sub": s.cfg.ClientID,
		"aud": tokenURL, // a string: MapClaims marshals it as given, never as an array
		"exp": now.Add(assertionLifetime).Unix(),
		"iat": now.Unix(),
		"jti": uuid.NewString(),
	}
	var t *jwt.Token
	switch k := s.cfg.Key.(type) {
	case *rsa.PrivateKey:
		t = jwt.NewWithClaims(jwt.SigningMethodRS384, claims)
	case *ecdsa.PrivateKey:
		t = jwt.NewWithClaims(jwt.SigningMethodES384, claims)
	default:
		return "", fmt.Errorf("%T keys are not supported", k)
	}
	if s.cfg.KeyID != "" {
		t.Header["kid"] = s.cfg.KeyID
	}
	return t.SignedString(s.cfg.Key)
}

// endpoint returns the token URL, reading it from the EHR's
// .well-known/smart-configuration the first time when not configured.
func (s *smartSource) endpoint(ctx context.Context) (string, error) {
	s.mu.Lock()
	known := s.tokenURL
	s.mu.Unlock()
	if known == "" {
		u := *s.base
		u.Path = strings.TrimRight(u.Path, "/") + "/.well-known/smart-configuration"
		u.RawQuery = ""
		found, err := s.discover(ctx, &u)
		if err != nil {
			return "", err
		}
		known = found
		s.mu.Lock()
		s.tokenURL = found
		s.mu.Unlock()
	}
	u, err := url.Parse(known)
	if err != nil {
		return "", &AuthError{Reason: "token URL does not parse"}
	}
	if err := checkTransport(u); err != nil {
		return "", &AuthError{Reason: "token URL: " + err.Error(), Err: err}
	}
	return known, nil
}

func (s *smartSource) discover(ctx context.Context, u *url.URL) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", &AuthError{Reason: "smart configuration: " + scrubErr(err).Error()}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("smart configuration: %w", scrubErr(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenReply))
	if err != nil {
		return "", fmt.Errorf("smart configuration: read reply: %w", scrubErr(err))
	}
	if retryableStatus(resp.StatusCode) {
		return "", fmt.Errorf("smart configuration: server answered %d", resp.StatusCode)
	}
	var conf struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &conf) != nil || conf.TokenEndpoint == "" {
		return "", &AuthError{Status: resp.StatusCode, Reason: "no token_endpoint in " + redact(u)}
	}
	return conf.TokenEndpoint, nil
}

// bearerOf returns the access token a request carried.
func bearerOf(r *http.Request) string {
	if r == nil {
		return ""
	}
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return h[7:]
	}
	return ""
}

// isAuthRefusal reports a token-source error that retrying cannot fix.
func isAuthRefusal(err error) bool {
	var ae *AuthError
	var re *oauth2.RetrieveError
	return errors.As(err, &ae) || errors.As(err, &re)
}

// authRetryKey keys the per-request count of 401 refreshes in a context.
type authRetryKey struct{}

type authRetry struct{ used bool }
