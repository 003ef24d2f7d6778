package seal

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// HKDF info strings: one sub-key per purpose. Changing one makes every
// existing store unreadable, so they are part of the file format.
const (
	infoSeal  = "telewave/seal v1 record aead"
	infoIndex = "telewave/seal v1 blind index"
	infoAudit = "telewave/seal v1 audit mac"
)

// sealVersion is the first byte of every sealed value, so that a later
// format can be told apart.
const sealVersion = 1

// Overhead is how many bytes Seal adds to a plaintext: version, nonce, tag.
const Overhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

// ErrTampered reports a sealed value that does not open: altered, moved to
// another table, row or column, or sealed under another data key.
var ErrTampered = errors.New("sealed value does not open (tampered with, moved or from another store)")

// Blind index kinds.
const (
	IndexMRN = "mrn"
)

// Sealer encrypts and authenticates record columns. It is safe for
// concurrent use.
//
// The AEAD is XChaCha20-Poly1305 with a fresh random 24-byte nonce per value:
// with 192-bit nonces the chance of a repeat stays below 2^-64 even after
// 2^64 values, far beyond what a store writes in its life, so nonce reuse is
// not a realistic risk (unlike random-nonce AES-GCM, limited to about 2^32
// values per key).
type Sealer struct {
	aead     cipher.AEAD
	indexKey []byte
	auditKey []byte
}

// NewSealer derives the sealing, index and audit sub-keys from dek.
func NewSealer(dek *DataKey) (*Sealer, error) {
	sealKey, err := subKey(dek, infoSeal)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(sealKey)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	s := &Sealer{aead: aead}
	if s.indexKey, err = subKey(dek, infoIndex); err != nil {
		return nil, err
	}
	if s.auditKey, err = subKey(dek, infoAudit); err != nil {
		return nil, err
	}
	return s, nil
}

func subKey(dek *DataKey, info string) ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, dek[:], nil, []byte(info)), k); err != nil {
		return nil, fmt.Errorf("derive %s key: %w", info, err)
	}
	return k, nil
}

// Seal encrypts plain so that it opens only at the same table, row and
// column. The result is version || nonce || ciphertext || tag.
func (s *Sealer) Seal(plain []byte, table, row, column string) []byte {
	var adBuf [128]byte
	ad := appendAD(adBuf[:0], table, row, column)
	out := make([]byte, 1+chacha20poly1305.NonceSizeX, len(plain)+Overhead)
	out[0] = sealVersion
	rand.Read(out[1:])
	return s.aead.Seal(out, out[1:], plain, ad)
}

// Open reverses Seal. Anything that does not authenticate with the same
// table, row and column gives ErrTampered.
func (s *Sealer) Open(sealed []byte, table, row, column string) ([]byte, error) {
	if len(sealed) < Overhead || sealed[0] != sealVersion {
		return nil, fmt.Errorf("open %s.%s of row %s: %w", table, column, row, ErrTampered)
	}
	var adBuf [128]byte
	ad := appendAD(adBuf[:0], table, row, column)
	n := 1 + chacha20poly1305.NonceSizeX
	plain, err := s.aead.Open(nil, sealed[1:n], sealed[n:], ad)
	if err != nil {
		return nil, fmt.Errorf("open %s.%s of row %s: %w", table, column, row, ErrTampered)
	}
	return plain, nil
}

// appendAD length-prefixes each part so that ("a/b","c") and ("a","b/c")
// cannot give the same associated data.
func appendAD(b []byte, parts ...string) []byte {
	b = append(b, sealVersion)
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// NormalizeIndexValue is the form a value is indexed under: spaces trimmed,
// and for an MRN upper-cased, because clerks type "ab123" and "AB123 ".
func NormalizeIndexValue(kind, value string) string {
	value = strings.TrimSpace(value)
	if kind == IndexMRN {
		value = strings.ToUpper(value)
	}
	return value
}

// BlindIndex is a keyed hash of a normalized value: equal values give equal
// indexes, yet the index reveals nothing without the data key.
func (s *Sealer) BlindIndex(kind, value string) []byte {
	m := hmac.New(sha256.New, s.indexKey)
	writeField(m, []byte(kind))
	writeField(m, []byte(NormalizeIndexValue(kind, value)))
	return m.Sum(nil)
}

// AuditMAC chains an audit row to the previous one: HMAC over the previous
// row's MAC and this row's fields, each length-prefixed.
func (s *Sealer) AuditMAC(prev []byte, fields ...[]byte) []byte {
	m := hmac.New(sha256.New, s.auditKey)
	writeField(m, prev)
	for _, f := range fields {
		writeField(m, f)
	}
	return m.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	h.Write(b)
}
