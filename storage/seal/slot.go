package seal

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"telewave/storage"
)

// KeySize is the length of the data key and of every derived key.
const KeySize = 32

// ErrBadPassphrase is storage.ErrBadPassphrase, so that callers of either
// package test for one sentinel.
var ErrBadPassphrase = storage.ErrBadPassphrase

// ErrBadSlot reports a key slot that is malformed (not merely locked with
// another passphrase).
var ErrBadSlot = errors.New("malformed key slot")

// slotAD binds a wrapped key to its purpose so it cannot be mistaken for a
// sealed record.
var slotAD = []byte("telewave/seal key slot v1")

// DataKey is the store's random 256-bit data key. Only Sealer and the slots
// ever see it.
type DataKey [KeySize]byte

// NewDataKey draws a fresh data key from the system's CSPRNG.
func NewDataKey() *DataKey {
	var k DataKey
	rand.Read(k[:]) // never fails since Go 1.24; it crashes the program instead
	return &k
}

// Wipe overwrites the key in memory. Go may have copied it elsewhere; this
// still shortens the time the key sits in the heap after a lock.
func (k *DataKey) Wipe() {
	clear(k[:])
}

// Slot is the data key wrapped by a key derived from a secret. Wrapped is
// nonce || ciphertext || tag.
type Slot struct {
	Params  Params
	Wrapped []byte
}

// Wrap derives a key from secret with Argon2id under p (a fresh salt is
// drawn) and wraps dek with it.
func Wrap(dek *DataKey, secret []byte, p Params) (Slot, error) {
	if err := p.Validate(); err != nil {
		return Slot{}, fmt.Errorf("wrap data key: %w", err)
	}
	p.Salt = make([]byte, SaltSize)
	rand.Read(p.Salt)
	aead, err := chacha20poly1305.NewX(deriveKEK(secret, p))
	if err != nil {
		return Slot{}, fmt.Errorf("wrap data key: %w", err)
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+KeySize+aead.Overhead())
	rand.Read(nonce)
	return Slot{Params: p, Wrapped: aead.Seal(nonce, nonce, dek[:], slotAD)}, nil
}

// Unwrap recovers the data key with secret. A wrong secret gives
// ErrBadPassphrase; a damaged slot gives ErrBadSlot or ErrBadParams.
func (s Slot) Unwrap(secret []byte) (*DataKey, error) {
	p := s.Params
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("unwrap data key: %w", err)
	}
	if len(p.Salt) != SaltSize {
		return nil, fmt.Errorf("unwrap data key: salt of %d bytes: %w", len(p.Salt), ErrBadSlot)
	}
	if len(s.Wrapped) != chacha20poly1305.NonceSizeX+KeySize+chacha20poly1305.Overhead {
		return nil, fmt.Errorf("unwrap data key: %d wrapped bytes: %w", len(s.Wrapped), ErrBadSlot)
	}
	aead, err := chacha20poly1305.NewX(deriveKEK(secret, p))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key: %w", err)
	}
	n := aead.NonceSize()
	var k DataKey
	if _, err := aead.Open(k[:0], s.Wrapped[:n], s.Wrapped[n:], slotAD); err != nil {
		return nil, fmt.Errorf("unwrap data key: %w", ErrBadPassphrase)
	}
	return &k, nil
}

func deriveKEK(secret []byte, p Params) []byte {
	return argon2.IDKey(secret, p.Salt, p.Time, p.MemoryKiB, p.Threads, KeySize)
}

// Recovery codes are 4 groups of 5 base32 characters: 100 random bits, enough
// that Argon2id only needs to slow down guessing, not make up for a weak secret.
const (
	recoveryGroups    = 4
	recoveryGroupSize = 5
	recoveryLen       = recoveryGroups * recoveryGroupSize
)

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewRecoveryCode draws a recovery code such as "K7Q2M-XD4RT-9...". It is
// shown to a person once and never stored.
func NewRecoveryCode() string {
	raw := make([]byte, recoveryLen*5/8)
	rand.Read(raw)
	s := recoveryEncoding.EncodeToString(raw)
	var b strings.Builder
	for i := 0; i < recoveryLen; i += recoveryGroupSize {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i : i+recoveryGroupSize])
	}
	return b.String()
}

// NormalizeRecoveryCode accepts a code as a person types it back: any case,
// with or without dashes and spaces, with 0/1/8 read as O/I/B (base32 has no
// such digits). It returns the canonical secret bytes.
func NormalizeRecoveryCode(code string) ([]byte, error) {
	out := make([]byte, 0, recoveryLen)
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r == '0':
			r = 'O'
		case r == '1':
			r = 'I'
		case r == '8':
			r = 'B'
		}
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return nil, fmt.Errorf("recovery code: unexpected character %q: %w", r, ErrBadPassphrase)
		}
		out = append(out, byte(r))
	}
	if len(out) != recoveryLen {
		return nil, fmt.Errorf("recovery code: %d characters, want %d: %w", len(out), recoveryLen, ErrBadPassphrase)
	}
	return out, nil
}

// WrapRecovery wraps dek with a key derived from a recovery code.
func WrapRecovery(dek *DataKey, code string, p Params) (Slot, error) {
	secret, err := NormalizeRecoveryCode(code)
	if err != nil {
		return Slot{}, err
	}
	return Wrap(dek, secret, p)
}

// UnwrapRecovery recovers the data key from a recovery slot.
func (s Slot) UnwrapRecovery(code string) (*DataKey, error) {
	secret, err := NormalizeRecoveryCode(code)
	if err != nil {
		return nil, err
	}
	return s.Unwrap(secret)
}
