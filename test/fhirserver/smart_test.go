package fhirserver_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"telewave/test/fhirserver"
)

// TestSMARTTokenEndpoint checks the test EHR's own verification of client
// assertions, so that the Go client's tests against it mean something.
func TestSMARTTokenEndpoint(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks := fhirserver.WriteJWKS(t, fhirserver.JWK{KeyID: "r", Key: &rk.PublicKey}, fhirserver.JWK{KeyID: "e", Key: &ek.PublicKey})
	base := fhirserver.StartWith(t, fhirserver.Options{JWKS: jwks, Env: map[string]string{"FHIR_PEER_CLIENT_ID": "dev"}})
	root := strings.TrimSuffix(base, "/fhir/R4")

	// Discovery names the token endpoint.
	r := do(t, http.MethodGet, base+"/.well-known/smart-configuration", nil)
	tokenURL, _ := r.body["token_endpoint"].(string)
	if r.status != 200 || tokenURL != root+"/oauth2/token" {
		t.Fatalf("smart-configuration %d %v", r.status, r.body)
	}

	type claims = jwt.MapClaims
	good := func() claims {
		return claims{"iss": "dev", "sub": "dev", "aud": tokenURL, "exp": time.Now().Add(4 * time.Minute).Unix(), "jti": uuid.NewString()}
	}
	with := func(k string, v any) claims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	sign := func(m jwt.SigningMethod, kid string, key any, c claims) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	replayed := sign(jwt.SigningMethodES384, "e", ek, good())
	tests := []struct {
		name      string
		assertion string
		grant     string
		wantOK    bool
	}{
		{"RS384", sign(jwt.SigningMethodRS384, "r", rk, good()), "", true},
		{"ES384", replayed, "", true},
		{"jti replayed", replayed, "", false},
		{"aud as a one-element array", sign(jwt.SigningMethodRS384, "r", rk, with("aud", []string{tokenURL})), "", true},
		{"aud elsewhere", sign(jwt.SigningMethodRS384, "r", rk, with("aud", "https://other/token")), "", false},
		{"iss not the client", sign(jwt.SigningMethodRS384, "r", rk, with("iss", "evil")), "", false},
		{"sub not the client", sign(jwt.SigningMethodRS384, "r", rk, with("sub", "evil")), "", false},
		{"expired", sign(jwt.SigningMethodRS384, "r", rk, with("exp", time.Now().Add(-5*time.Minute).Unix())), "", false},
		{"exp too far ahead", sign(jwt.SigningMethodRS384, "r", rk, with("exp", time.Now().Add(30*time.Minute).Unix())), "", false},
		{"no exp", sign(jwt.SigningMethodRS384, "r", rk, with("exp", nil)), "", false},
		{"no jti", sign(jwt.SigningMethodRS384, "r", rk, with("jti", nil)), "", false},
		{"unregistered key", sign(jwt.SigningMethodES384, "e", stranger, good()), "", false},
		{"kid of another key", sign(jwt.SigningMethodES384, "r", ek, good()), "", false},
		{"RS256 not allowed", sign(jwt.SigningMethodRS256, "r", rk, good()), "", false},
		{"not a JWS", "abc.def", "", false},
		{"wrong grant", sign(jwt.SigningMethodRS384, "r", rk, good()), "password", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grant := tt.grant
			if grant == "" {
				grant = "client_credentials"
			}
			form := url.Values{"grant_type": {grant}, "scope": {"system/Observation.write"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion":      {tt.assertion}}
			resp, err := http.PostForm(tokenURL, form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var tr map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
				t.Fatal(err)
			}
			token, _ := tr["access_token"].(string)
			if tt.wantOK != (resp.StatusCode == 200 && token != "") {
				t.Fatalf("status %d %v, want ok = %v", resp.StatusCode, tr, tt.wantOK)
			}
			if !tt.wantOK {
				if tr["error"] == nil {
					t.Errorf("refusal without an OAuth error code: %v", tr)
				}
				return
			}
			// The token opens the FHIR API; nothing else does.
			if r := do(t, http.MethodGet, base+"/Patient", nil, "Authorization", "Bearer "+token); r.status != 200 {
				t.Errorf("with the token: %d", r.status)
			}
			if r := do(t, http.MethodGet, base+"/Patient", nil, "Authorization", "Bearer x"+token); r.status != 401 {
				t.Errorf("with a wrong token: %d", r.status)
			}
		})
	}
	if r := do(t, http.MethodGet, base+"/Patient", nil); r.status != 401 {
		t.Errorf("without a token: %d, want 401", r.status)
	}
	if r := do(t, http.MethodGet, base+"/metadata", nil); r.status != 200 {
		t.Errorf("metadata without a token: %d, want 200", r.status)
	}
}
