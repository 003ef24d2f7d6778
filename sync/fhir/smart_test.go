package fhir

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Keys are slow to generate; each test process makes one of each.
var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
)

func testKeys(tb testing.TB) (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return rsaKey, ecKey
}

// counter counts requests by kind as they leave the client.
type counter struct {
	base                           http.RoundTripper
	token, discovery, fhir, got401 atomic.Int32
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/oauth2/token"):
		c.token.Add(1)
	case strings.HasSuffix(r.URL.Path, "/.well-known/smart-configuration"):
		c.discovery.Add(1)
	default:
		c.fhir.Add(1)
	}
	resp, err := c.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		c.got401.Add(1)
	}
	return resp, err
}

func smartClient(tb testing.TB, base string, cfg SMARTConfig, cnt *counter) *Client {
	tb.Helper()
	cnt.base = http.DefaultTransport
	c, err := NewClient(base, WithHTTPClient(&http.Client{Transport: cnt}),
		WithRetries(4, time.Millisecond, 5*time.Millisecond), WithSMART(cfg))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// smartEHR is a scriptable token endpoint and FHIR API on httptest.
type smartEHR struct {
	srv        *httptest.Server
	tokenReply func(form url.Values) (int, string)
	fhirStatus func(bearer string) int
	mu         sync.Mutex
	forms      []url.Values
	issued     atomic.Int32
}

func newSmartEHR(tb testing.TB) *smartEHR {
	f := &smartEHR{}
	f.tokenReply = func(url.Values) (int, string) {
		n := f.issued.Add(1)
		return 200, fmt.Sprintf(`{"access_token":"tok-%d","token_type":"Bearer","expires_in":300}`, n)
	}
	f.fhirStatus = func(string) int { return 200 }
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/fhir/R4/.well-known/smart-configuration":
			fmt.Fprintf(w, `{"token_endpoint":%q}`, f.srv.URL+"/oauth2/token")
		case r.URL.Path == "/oauth2/token":
			if err := r.ParseForm(); err != nil {
				w.WriteHeader(400)
				return
			}
			f.mu.Lock()
			f.forms = append(f.forms, r.PostForm)
			f.mu.Unlock()
			code, body := f.tokenReply(r.PostForm)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		default:
			code := f.fhirStatus(bearerOf(r))
			w.Header().Set("Content-Type", contentTypeFHIR)
			w.WriteHeader(code)
			if code == 200 {
				fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset"}`)
			}
		}
	}))
	tb.Cleanup(f.srv.Close)
	return f
}

func TestSMARTAssertionClaims(t *testing.T) {
	rk, ek := testKeys(t)
	for _, tt := range []struct {
		name string
		key  crypto.Signer
		pub  crypto.PublicKey
		alg  string
	}{
		{"RSA signs RS384", rk, &rk.PublicKey, "RS384"},
		{"ECDSA P-384 signs ES384", ek, &ek.PublicKey, "ES384"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newSmartEHR(t)
			cnt := &counter{}
			cfg := SMARTConfig{ClientID: "device-app", KeyID: "k1", Key: tt.key, Scopes: []string{"system/Observation.write"}}
			c := smartClient(t, f.srv.URL+"/fhir/R4", cfg, cnt)
			f.fhirStatus = func(string) int { return 401 } // forces a second token: two assertions
			_, err := c.Search(context.Background(), "Patient", nil)
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("err = %v, want an auth error after the refresh also got 401", err)
			}
			tokenURL := f.srv.URL + "/oauth2/token"
			if len(f.forms) != 2 {
				t.Fatalf("%d token requests, want 2", len(f.forms))
			}
			jtis := map[string]bool{}
			for i, form := range f.forms {
				if form.Get("grant_type") != "client_credentials" || form.Get("client_assertion_type") != assertionType ||
					form.Get("scope") != "system/Observation.write" {
					t.Errorf("form %d: %v", i, form)
				}
				raw := form.Get("client_assertion")
				tok, err := jwt.Parse(raw, func(tok *jwt.Token) (any, error) { return tt.pub, nil },
					jwt.WithValidMethods([]string{tt.alg}), jwt.WithAudience(tokenURL), jwt.WithIssuer("device-app"),
					jwt.WithSubject("device-app"), jwt.WithExpirationRequired())
				if err != nil {
					t.Fatalf("assertion %d does not verify: %v", i, err)
				}
				if tok.Header["kid"] != "k1" || tok.Header["alg"] != tt.alg {
					t.Errorf("header %v", tok.Header)
				}
				// aud must be the plain string SMART describes, not an array.
				payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
				var claims map[string]any
				if err := json.Unmarshal(payload, &claims); err != nil {
					t.Fatal(err)
				}
				if aud, ok := claims["aud"].(string); !ok || aud != tokenURL {
					t.Errorf("aud = %#v, want the string %q", claims["aud"], tokenURL)
				}
				exp := time.Unix(int64(claims["exp"].(float64)), 0)
				if until := time.Until(exp); until <= 0 || until > 5*time.Minute {
					t.Errorf("exp %v is %v ahead, want (0, 5 min]", exp, until)
				}
				jti, _ := claims["jti"].(string)
				if jti == "" || jtis[jti] {
					t.Errorf("jti %q empty or repeated", jti)
				}
				jtis[jti] = true
			}
			if cnt.discovery.Load() != 1 {
				t.Errorf("%d discoveries, want 1", cnt.discovery.Load())
			}
		})
	}
}

func TestSMARTFakeEHR(t *testing.T) {
	rk, _ := testKeys(t)
	tests := []struct {
		name       string
		tokenReply func(form url.Values) (int, string) // nil: issue tokens
		fhirStatus func(bearer string) int
		calls      int
		wantErr    bool
		wantToken  int32 // token requests
		wantFHIR   int32 // FHIR requests
	}{
		{name: "one token for many calls", fhirStatus: func(string) int { return 200 }, calls: 20, wantToken: 1, wantFHIR: 20},
		{name: "401 refreshes once then succeeds", fhirStatus: func(b string) int {
			if b == "tok-1" {
				return 401
			}
			return 200
		}, calls: 3, wantToken: 2, wantFHIR: 4},
		{name: "401 after a fresh token gives up", fhirStatus: func(string) int { return 401 },
			calls: 1, wantErr: true, wantToken: 2, wantFHIR: 2},
		{name: "refused assertion is not retried and is remembered", tokenReply: func(url.Values) (int, string) {
			return 401, `{"error":"invalid_client","error_description":"signature does not verify"}`
		}, calls: 3, wantErr: true, wantToken: 1, wantFHIR: 0},
		{name: "reply without a token is refused", tokenReply: func(url.Values) (int, string) {
			return 200, `{"token_type":"bearer"}`
		}, calls: 1, wantErr: true, wantToken: 1, wantFHIR: 0},
		{name: "token endpoint 503 is retried", tokenReply: func() func(url.Values) (int, string) {
			var n atomic.Int32
			return func(url.Values) (int, string) {
				if n.Add(1) == 1 {
					return 503, `{}`
				}
				return 200, `{"access_token":"x","token_type":"bearer"}`
			}
		}(), calls: 2, wantToken: 2, wantFHIR: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSmartEHR(t)
			if tt.tokenReply != nil {
				f.tokenReply = tt.tokenReply
			}
			if tt.fhirStatus != nil {
				f.fhirStatus = tt.fhirStatus
			}
			cnt := &counter{}
			c := smartClient(t, f.srv.URL+"/fhir/R4", SMARTConfig{TokenURL: f.srv.URL + "/oauth2/token", ClientID: "app", Key: rk}, cnt)
			var err error
			for range tt.calls {
				if _, err = c.Search(context.Background(), "Patient", nil); err != nil && !tt.wantErr {
					t.Fatalf("Search: %v", err)
				}
			}
			if tt.wantErr {
				var ae *AuthError
				if !errors.As(err, &ae) || !errors.Is(err, ErrAuth) || ae.Permanent() {
					t.Fatalf("err = %#v, want a non-permanent *AuthError", err)
				}
			}
			if cnt.token.Load() != tt.wantToken || cnt.fhir.Load() != tt.wantFHIR || cnt.discovery.Load() != 0 {
				t.Errorf("token %d, FHIR %d, discovery %d requests; want %d, %d, 0",
					cnt.token.Load(), cnt.fhir.Load(), cnt.discovery.Load(), tt.wantToken, tt.wantFHIR)
			}
		})
	}
}

// TestSMARTSecretsStayOut: a token endpoint that echoes the request, and a
// FHIR API that rejects the token, must not get either into an error.
func TestSMARTSecretsStayOut(t *testing.T) {
	rk, _ := testKeys(t)
	f := newSmartEHR(t)
	var assertion string
	f.tokenReply = func(form url.Values) (int, string) {
		assertion = form.Get("client_assertion")
		b, _ := json.Marshal(map[string]string{"error": "invalid_client", "error_description": "bad " + assertion})
		return 400, string(b)
	}
	c := smartClient(t, f.srv.URL+"/fhir/R4", SMARTConfig{ClientID: "app", Key: rk}, &counter{})
	_, err := c.Search(context.Background(), "Patient", nil)
	if err == nil || assertion == "" {
		t.Fatalf("err = %v, assertion sent: %v", err, assertion != "")
	}
	if strings.Contains(err.Error(), assertion) || strings.Contains(err.Error(), strings.Split(assertion, ".")[2]) {
		t.Fatalf("error text carries the assertion: %v", err)
	}

	f2 := newSmartEHR(t)
	f2.fhirStatus = func(string) int { return 401 }
	c2 := smartClient(t, f2.srv.URL+"/fhir/R4", SMARTConfig{ClientID: "app", Key: rk}, &counter{})
	_, err = c2.Search(context.Background(), "Patient", nil)
	if err == nil || strings.Contains(err.Error(), "tok-") {
		t.Fatalf("err = %v, want an auth error without the token", err)
	}
}

func writePEM(tb testing.TB, typ string, der []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestLoadSMARTKey(t *testing.T) {
	rk, ek := testKeys(t)
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	sec1, err := x509.MarshalECPrivateKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	tests := []struct {
		name    string
		typ     string
		der     []byte
		wantAlg string // "": refused
	}{
		{"PKCS#8 RSA", "PRIVATE KEY", pkcs8(rk), "RS384"},
		{"PKCS#1 RSA", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), "RS384"},
		{"PKCS#8 EC P-384", "PRIVATE KEY", pkcs8(ek), "ES384"},
		{"SEC 1 EC P-384", "EC PRIVATE KEY", sec1, "ES384"},
		{"EC P-256 refused", "PRIVATE KEY", pkcs8(p256), ""},
		{"RSA 1024 refused", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small), ""},
		{"public key refused", "PUBLIC KEY", []byte{1, 2, 3}, ""},
		{"garbage refused", "PRIVATE KEY", []byte("not a key"), ""},
		{"encrypted refused", "ENCRYPTED PRIVATE KEY", []byte{1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := LoadSMARTKey(writePEM(t, tt.typ, tt.der))
			if tt.wantAlg == "" {
				if err == nil {
					t.Fatal("key accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if alg, _ := signingAlg(key); alg != tt.wantAlg {
				t.Errorf("alg %s, want %s", alg, tt.wantAlg)
			}
		})
	}
	if _, err := LoadSMARTKey(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("missing file accepted")
	}
	cfg, err := NewSMARTConfig("", "app", "k", writePEM(t, "PRIVATE KEY", pkcs8(ek)), nil)
	if err != nil || cfg.Key == nil || cfg.ClientID != "app" {
		t.Fatalf("NewSMARTConfig: %+v, %v", cfg, err)
	}
	if _, err := NewClient("http://127.0.0.1:1/fhir/R4", WithSMART(SMARTConfig{Key: ek})); err == nil {
		t.Error("NewClient accepted a SMART config without a client id")
	}
}

// FuzzSMARTTokenReply feeds arbitrary token endpoint replies to the client:
// no panic, a token only from a well-formed bearer reply, and never the
// assertion in an error.
func FuzzSMARTTokenReply(f *testing.F) {
	f.Add(200, `{"access_token":"t","token_type":"Bearer","expires_in":300}`)
	f.Add(200, `{"access_token":"t","token_type":"mac"}`)
	f.Add(200, `{"access_token":"t","token_type":"bearer","expires_in":"soon"}`)
	f.Add(400, `{"error":"invalid_client","error_description":"`+strings.Repeat("é", 300)+`"}`)
	f.Add(401, `not json`)
	f.Add(503, ``)
	rk, _ := testKeys(f)
	var mu sync.Mutex
	var status int
	var body, assertion string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/token" {
			_ = r.ParseForm()
			mu.Lock()
			assertion = r.PostForm.Get("client_assertion")
			code, b := status, strings.ReplaceAll(body, "ASSERTION", assertion)
			mu.Unlock()
			w.WriteHeader(code)
			fmt.Fprint(w, b)
			return
		}
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset"}`)
	}))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, code int, reply string) {
		if code < 200 || code > 599 {
			code = 200 + (code%400+400)%400
		}
		mu.Lock()
		status, body = code, reply
		mu.Unlock()
		c, err := NewClient(srv.URL+"/fhir/R4", WithRetries(0, 0, 0),
			WithSMART(SMARTConfig{TokenURL: srv.URL + "/oauth2/token", ClientID: "app", Key: rk}))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.Search(context.Background(), "Patient", nil)
		mu.Lock()
		sent := assertion
		mu.Unlock()
		if err != nil && sent != "" && strings.Contains(err.Error(), strings.Split(sent, ".")[2]) {
			t.Fatalf("error carries the assertion: %v", err)
		}
		if err == nil && (code < 200 || code > 299) {
			t.Fatalf("a %d token reply let the call through", code)
		}
	})
}

// FuzzLoadSMARTKey: arbitrary key files are refused cleanly or give a key
// that can sign.
func FuzzLoadSMARTKey(f *testing.F) {
	rk, ek := testKeys(f)
	der, _ := x509.MarshalPKCS8PrivateKey(ek)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := filepath.Join(dir, "k.pem")
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		key, err := LoadSMARTKey(p)
		if err != nil {
			return
		}
		if _, err := signingAlg(key); err != nil {
			t.Fatalf("loaded a key that cannot sign: %v", err)
		}
	})
}
