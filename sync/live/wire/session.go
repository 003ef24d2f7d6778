package wire

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// SessionID names one share. It is the only thing the relay knows about it.
type SessionID [16]byte

// b64 is base64url without padding, strict so that every value has exactly
// one text form (the relay keys sessions by the text).
var b64 = base64.RawURLEncoding.Strict()

// NewSessionID returns 16 random bytes.
func NewSessionID() (SessionID, error) {
	var s SessionID
	if _, err := rand.Read(s[:]); err != nil {
		return s, fmt.Errorf("new session id: %w", err)
	}
	return s, nil
}

// String returns the id as 22 characters of base64url without padding.
func (s SessionID) String() string { return b64.EncodeToString(s[:]) }

// ParseSessionID is the inverse of String; it accepts only the canonical form.
func ParseSessionID(text string) (SessionID, error) {
	var s SessionID
	if len(text) != 22 {
		return s, fmt.Errorf("parse session id: %d characters, want 22", len(text))
	}
	n, err := b64.Decode(s[:], []byte(text))
	if err != nil || n != len(s) {
		return SessionID{}, fmt.Errorf("parse session id %q: not base64url", text)
	}
	return s, nil
}
