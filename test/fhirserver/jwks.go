package fhirserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

// JWK is one public key a SMART client registers with the EHR.
type JWK struct {
	KeyID string
	Key   crypto.PublicKey // *rsa.PublicKey (RS384) or *ecdsa.PublicKey on P-384 (ES384)
}

// WriteJWKS writes the public keys as a JWKS file in a test temp directory
// and returns its path, for Options.JWKS.
func WriteJWKS(tb testing.TB, keys ...JWK) string {
	tb.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	for _, k := range keys {
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			set.Keys = append(set.Keys, map[string]string{
				"kty": "RSA", "alg": "RS384", "use": "sig", "kid": k.KeyID,
				"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
			})
		case *ecdsa.PublicKey:
			if pub.Curve != elliptic.P384() {
				tb.Fatalf("fhirserver: JWKS key %s: ES384 needs a P-384 key", k.KeyID)
			}
			pt, err := pub.Bytes() // 0x04 || X || Y, 48 bytes each
			if err != nil || len(pt) != 97 {
				tb.Fatalf("fhirserver: JWKS key %s: %v", k.KeyID, err)
			}
			x, y := pt[1:49], pt[49:]
			set.Keys = append(set.Keys, map[string]string{
				"kty": "EC", "alg": "ES384", "use": "sig", "kid": k.KeyID, "crv": "P-384",
				"x": b64(x), "y": b64(y),
			})
		default:
			tb.Fatalf("fhirserver: JWKS key %s: unsupported key type %T", k.KeyID, k.Key)
		}
	}
	raw, err := json.Marshal(set)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "jwks.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
