package fhir

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"testing"

	"telewave/test/fhirserver"
)

// TestSMARTPeer runs the flow against the test EHR's own token endpoint,
// which verifies the assertion (signature, kid, iss/sub, aud, exp, jti).
func TestSMARTPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: starts the Node test EHR (-short)")
	}
	rk, ek := testKeys(t)
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := fhirserver.WriteJWKS(t, fhirserver.JWK{KeyID: "rsa-1", Key: &rk.PublicKey}, fhirserver.JWK{KeyID: "ec-1", Key: &ek.PublicKey})
	base := fhirserver.StartWith(t, fhirserver.Options{JWKS: jwks, Env: map[string]string{"FHIR_PEER_CLIENT_ID": "device-app"}})
	root := strings.TrimSuffix(base, "/fhir/R4")
	ctx := context.Background()

	t.Run("no token is refused", func(t *testing.T) {
		c, err := NewClient(base, WithRetries(0, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var se *StatusError
		if _, err := c.Search(ctx, "Patient", nil); !errors.As(err, &se) || se.Code != 401 {
			t.Fatalf("err = %v, want 401", err)
		}
	})

	for _, k := range []struct {
		kid string
		key crypto.Signer
	}{{"rsa-1", rk}, {"ec-1", ek}} {
		t.Run("token reused across calls, "+k.kid, func(t *testing.T) {
			cnt := &counter{}
			c := smartClient(t, base, SMARTConfig{ClientID: "device-app", KeyID: k.kid, Key: k.key}, cnt)
			for i := range 25 {
				if _, err := c.Search(ctx, "Patient", nil); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if cnt.token.Load() != 1 || cnt.discovery.Load() != 1 || cnt.got401.Load() != 0 {
				t.Errorf("%d token requests, %d discoveries, %d 401s; want 1, 1, 0", cnt.token.Load(), cnt.discovery.Load(), cnt.got401.Load())
			}
		})
	}

	t.Run("revoked token: one refresh, then success", func(t *testing.T) {
		cnt := &counter{}
		c := smartClient(t, base, SMARTConfig{ClientID: "device-app", KeyID: "rsa-1", Key: rk}, cnt)
		if _, err := c.Search(ctx, "Patient", nil); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(root+"/oauth2/revoke", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, err := c.Search(ctx, "Patient", nil); err != nil {
			t.Fatalf("after revoke: %v", err)
		}
		if cnt.token.Load() != 2 || cnt.got401.Load() != 1 || cnt.fhir.Load() != 3 {
			t.Errorf("token %d, 401s %d, FHIR %d; want 2, 1, 3", cnt.token.Load(), cnt.got401.Load(), cnt.fhir.Load())
		}
	})

	t.Run("unregistered key: auth error, no retries", func(t *testing.T) {
		cnt := &counter{}
		c := smartClient(t, base, SMARTConfig{ClientID: "device-app", KeyID: "rsa-1", Key: otherRSA}, cnt)
		for range 3 {
			_, err := c.Search(ctx, "Patient", nil)
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != "invalid_client" {
				t.Fatalf("err = %v, want the token endpoint's invalid_client", err)
			}
		}
		if cnt.token.Load() != 1 || cnt.fhir.Load() != 0 {
			t.Errorf("token %d, FHIR %d requests; want 1, 0", cnt.token.Load(), cnt.fhir.Load())
		}
	})

	t.Run("wrong client id refused", func(t *testing.T) {
		c := smartClient(t, base, SMARTConfig{ClientID: "someone-else", KeyID: "ec-1", Key: ek}, &counter{})
		if _, err := c.Search(ctx, "Patient", nil); !errors.Is(err, ErrAuth) {
			t.Fatalf("err = %v, want an auth error", err)
		}
	})
}

// TestSMARTPeerExpiry: tokens that expire within oauth2's early-expiry
// margin (10 s) are replaced before each call; the server refuses none.
func TestSMARTPeerExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: starts the Node test EHR (-short)")
	}
	_, ek := testKeys(t)
	jwks := fhirserver.WriteJWKS(t, fhirserver.JWK{KeyID: "ec-1", Key: &ek.PublicKey})
	base := fhirserver.StartWith(t, fhirserver.Options{JWKS: jwks, Env: map[string]string{"FHIR_PEER_TOKEN_TTL": "5"}})
	cnt := &counter{}
	c := smartClient(t, base, SMARTConfig{ClientID: "device-app", KeyID: "ec-1", Key: ek}, cnt)
	for i := range 4 {
		if _, err := c.Search(context.Background(), "Patient", nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if cnt.token.Load() != 4 || cnt.got401.Load() != 0 {
		t.Errorf("%d token requests, %d 401s; want 4 (one per call), 0", cnt.token.Load(), cnt.got401.Load())
	}
}
