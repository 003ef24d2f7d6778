// Package seal holds the record store's cryptography: a random data key
// (DEK) wrapped into key slots by passphrases or a recovery code (Argon2id +
// XChaCha20-Poly1305), the Sealer that encrypts every identifying column with
// associated data binding it to its table, row and column, blind indexes for
// lookups, and the MAC of the audit hash chain.
//
// The DEK itself never encrypts anything: HKDF derives one sub-key per
// purpose, so a weakness in one use cannot leak into another.
package seal

import (
	"encoding/json"
	"errors"
	"fmt"
)

// SaltSize is the length of the Argon2id salt stored with every key slot.
const SaltSize = 16

// Bounds on parameters read back from a slot. A store file is untrusted input:
// without a ceiling a crafted slot could ask for terabytes of memory.
const (
	maxTime      = 64
	maxMemoryKiB = 4 << 20 // 4 GiB
)

// Params are the Argon2id settings a slot's key was derived with. They are
// stored beside the wrapped key so that slots made with older settings still
// open after the defaults change.
type Params struct {
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
	Salt      []byte `json:"salt,omitempty"` // filled in when a slot is made
}

// DefaultParams is what production stores use: about half a second on a
// laptop core pair, which makes offline guessing of a stolen file expensive.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 2}

// FastParams keeps tests and the demo store quick. Never use it for real
// patient data.
var FastParams = Params{Time: 1, MemoryKiB: 8 << 10, Threads: 1}

// ErrBadParams reports Argon2id parameters outside the accepted range.
var ErrBadParams = errors.New("bad key derivation parameters")

// Validate checks the parameters without the salt (which a fresh slot gets).
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d: %w", p.Time, ErrBadParams)
	case p.Threads < 1:
		return fmt.Errorf("threads %d: %w", p.Threads, ErrBadParams)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("memory %d KiB: %w", p.MemoryKiB, ErrBadParams)
	}
	return nil
}

// MarshalBinary encodes the parameters, salt included, as JSON.
func (p Params) MarshalBinary() ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("marshal params: %w", err)
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote and validates it.
func (p *Params) UnmarshalBinary(b []byte) error {
	var q Params
	if err := json.Unmarshal(b, &q); err != nil {
		return fmt.Errorf("unmarshal params: %w", err)
	}
	if err := q.Validate(); err != nil {
		return err
	}
	if len(q.Salt) != SaltSize {
		return fmt.Errorf("salt of %d bytes: %w", len(q.Salt), ErrBadParams)
	}
	*p = q
	return nil
}
