package fhir

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// SMART Backend Services (reference/fhir.md §5): the workstation signs a
// short-lived JWT client assertion with its private key and trades it at
// the EHR's token endpoint for a bearer token (client_credentials grant).
// The token source lives in smart_token.go; this file holds the
// configuration and the error type.

// DefaultSMARTScopes are requested when SMARTConfig.Scopes is empty: read
// Patients (matching by MRN) and write what the workstation uploads. SMART
// v1 spelling, which EHRs supporting v2 still accept.
var DefaultSMARTScopes = []string{
	"system/Patient.read",
	"system/Observation.write",
	"system/Device.write",
	"system/DeviceMetric.write",
	"system/Provenance.write",
	"system/Binary.write",
	"system/Media.write",
	"system/DocumentReference.write",
	"system/DiagnosticReport.write",
}

// SMARTConfig is one SMART Backend Services client registration.
type SMARTConfig struct {
	// TokenURL is the EHR's token endpoint. Empty: read token_endpoint from
	// <FHIR base>/.well-known/smart-configuration on first use.
	TokenURL string
	// ClientID is the client_id the EHR assigned; it is the assertion's
	// iss and sub.
	ClientID string
	// KeyID is the kid of the public key registered in the EHR's JWKS.
	KeyID string
	// Key signs the assertions: an RSA key (≥ 2048 bits) signs RS384, an
	// ECDSA P-384 key ES384.
	Key crypto.Signer
	// Scopes requested (default DefaultSMARTScopes).
	Scopes []string
}

// NewSMARTConfig loads the PEM private key at keyPath (PKCS #8, PKCS #1 RSA
// or SEC 1 EC) and returns a checked configuration. tokenURL may be empty
// (discovered); scopes may be nil (DefaultSMARTScopes).
func NewSMARTConfig(tokenURL, clientID, keyID, keyPath string, scopes []string) (SMARTConfig, error) {
	key, err := LoadSMARTKey(keyPath)
	if err != nil {
		return SMARTConfig{}, err
	}
	cfg := SMARTConfig{TokenURL: tokenURL, ClientID: clientID, KeyID: keyID, Key: key, Scopes: scopes}
	if err := cfg.check(); err != nil {
		return SMARTConfig{}, err
	}
	return cfg, nil
}

// LoadSMARTKey reads a PEM private key file. The error never quotes the
// file's contents.
func LoadSMARTKey(path string) (crypto.Signer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("smart key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("smart key %s: no PEM block", path)
	}
	if strings.Contains(block.Type, "ENCRYPTED") || block.Headers["Proc-Type"] != "" {
		return nil, fmt.Errorf("smart key %s: encrypted PEM keys are not supported", path)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("smart key %s: PEM block %q is not a private key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("smart key %s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("smart key %s: %T cannot sign", path, key)
	}
	if _, err := signingAlg(signer); err != nil {
		return nil, fmt.Errorf("smart key %s: %w", path, err)
	}
	return signer, nil
}

// signingAlg names the JWS algorithm for key.
func signingAlg(key crypto.Signer) (string, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return "", fmt.Errorf("RSA key of %d bits; SMART needs at least 2048", k.N.BitLen())
		}
		return "RS384", nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P384() {
			return "", fmt.Errorf("ECDSA key on %s; ES384 needs P-384", k.Curve.Params().Name)
		}
		return "ES384", nil
	case nil:
		return "", errors.New("no key")
	}
	return "", fmt.Errorf("%T keys are not supported (RSA or ECDSA P-384)", key)
}

func (cfg SMARTConfig) check() error {
	if strings.TrimSpace(cfg.ClientID) == "" {
		return errors.New("smart config: no client id")
	}
	if _, err := signingAlg(cfg.Key); err != nil {
		return fmt.Errorf("smart config: %w", err)
	}
	return nil
}

// ErrAuth matches every *AuthError with errors.Is.
var ErrAuth = errors.New("EHR authorization failed")

// maxAuthReason bounds the token endpoint's explanation in an error.
const maxAuthReason = 200

// AuthError is a refusal to authorize: the token endpoint turned the
// client assertion down, the key cannot sign, discovery found no token
// endpoint, or the FHIR API kept answering 401 after a fresh token. The
// client does not retry it. It is not Permanent: once the registration or
// key is fixed the same work goes through, so the outbox keeps the unit and
// retries it later rather than parking clinical data. Its text never holds
// a token or an assertion.
type AuthError struct {
	Status int    // HTTP status of the refusal; 0 when no server answered
	Code   string // OAuth error code ("invalid_client"), if any
	Reason string // short explanation
	Err    error  // the underlying error (a *StatusError for a FHIR 401), if any
}

// Error says who refused and why.
func (e *AuthError) Error() string {
	msg := ErrAuth.Error()
	if e.Status != 0 {
		msg += fmt.Sprintf(" (%d)", e.Status)
	}
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *AuthError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrAuth) true.
func (e *AuthError) Is(target error) bool { return target == ErrAuth }

// Permanent is false: fixing credentials lets the same unit through.
func (e *AuthError) Permanent() bool { return false }

// ServerAnswered reports whether an EHR server answered the refusal.
func (e *AuthError) ServerAnswered() bool { return e.Status != 0 }

// shorten bounds a server's text and removes any secret it echoes.
func shorten(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = strings.ToValidUTF8(strings.TrimSpace(s), "")
	if len(s) > maxAuthReason {
		n := maxAuthReason
		for n > 0 && (s[n]&0xC0) == 0x80 {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}

// tokenLifetimeDefault is assumed when the token response has no
// expires_in: SMART tokens last about 5 minutes.
const tokenLifetimeDefault = 5 * time.Minute

// assertionLifetime is how long a client assertion is valid; SMART allows
// at most 5 minutes.
const assertionLifetime = 4 * time.Minute
