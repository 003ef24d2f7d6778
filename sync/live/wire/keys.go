package wire

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// viewerInfo is the HKDF info string of the viewer key kv.
const viewerInfo = "telewave live v1 viewer"

// viewerKey derives kv = HKDF-SHA256(ECDH(priv, peer), salt=sid, info) from
// one side's private key and the other side's public key.
func viewerKey(priv *ecdh.PrivateKey, peer []byte, sid SessionID) ([]byte, error) {
	pub, err := ecdh.P256().NewPublicKey(peer)
	if err != nil {
		return nil, fmt.Errorf("peer key: not a P-256 public key: %w", ErrFrame)
	}
	z, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("ecdh: %w", err)
	}
	kv, err := hkdf.Key(sha256.New, z, sid[:], viewerInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("hkdf: %w", err)
	}
	return kv, nil
}
