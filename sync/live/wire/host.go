package wire

import (
	"bytes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"time"
)

// maxKnocks bounds the viewer keys a Host remembers to refuse replayed knocks.
const maxKnocks = 4096

// Host is the workstation's side of one share: its P-256 key pair, the
// session id and the current epoch's stream key. It is safe for concurrent
// use (a sender seals while a receiver opens knocks).
type Host struct {
	sid  SessionID
	priv *ecdh.PrivateKey
	pub  []byte
	rand io.Reader
	now  func() time.Time

	mu      sync.Mutex
	epoch   uint32
	key     []byte
	aead    cipher.AEAD
	sent    counter // sender 0 under the current stream key
	expires time.Time
	knocks  map[[keyLen]byte]uint64 // viewer key → counter of its last knock
}

// NewHost makes a fresh key pair and the stream key of epoch 1.
func NewHost(sid SessionID) (*Host, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new host: %w", err)
	}
	return newHost(sid, priv, rand.Reader)
}

// newHost takes the private key and the source of stream keys, so tests and
// the vectors are deterministic.
func newHost(sid SessionID, priv *ecdh.PrivateKey, rnd io.Reader) (*Host, error) {
	h := &Host{sid: sid, priv: priv, pub: priv.PublicKey().Bytes(), rand: rnd, now: time.Now,
		knocks: make(map[[keyLen]byte]uint64)}
	if _, err := h.Rekey(); err != nil {
		return nil, fmt.Errorf("new host: %w", err)
	}
	return h, nil
}

// Session returns the share's id.
func (h *Host) Session() SessionID { return h.sid }

// PublicKey returns the host's public key, 65 bytes, for the invite.
func (h *Host) PublicKey() []byte { return bytes.Clone(h.pub) }

// SetExpiry makes OpenKnock refuse knocks from t on with ErrExpired; the
// zero time (the default) admits knocks for as long as the share runs.
func (h *Host) SetExpiry(t time.Time) {
	h.mu.Lock()
	h.expires = t
	h.mu.Unlock()
}

// Epoch returns the current stream epoch (from 1).
func (h *Host) Epoch() uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.epoch
}

// Rekey starts a new epoch with a fresh random stream key and returns it.
// Grant the new key to every viewer that remains; a removed viewer cannot
// open what follows.
func (h *Host) Rekey() (uint32, error) {
	key := make([]byte, streamKeyN)
	if _, err := io.ReadFull(h.rand, key); err != nil {
		return 0, fmt.Errorf("rekey: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return 0, fmt.Errorf("rekey: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.epoch++
	h.key, h.aead, h.sent = key, aead, counter{}
	return h.epoch, nil
}

// SealStream seals a wave, audio or state payload for every admitted viewer
// under the current epoch's stream key.
func (h *Host) SealStream(c Class, payload []byte) ([]byte, error) {
	if !c.Stream() {
		return nil, fmt.Errorf("seal stream: %v is not a stream class: %w", c, ErrFrame)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n, err := h.sent.next()
	if err != nil {
		return nil, fmt.Errorf("seal %v: epoch %d: %w", c, h.epoch, err)
	}
	return seal(h.aead, h.sid, header{class: c, epoch: h.epoch, sender: senderStream, counter: n}, payload)
}

// Grant fills a grant of the current epoch's stream key for viewer.
func (h *Host) Grant(viewer uint32, p Patient, snapshot State) Grant {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Grant{Epoch: h.epoch, Key: bytes.Clone(h.key), Viewer: viewer, Patient: p, State: snapshot}
}

// OpenKnock opens a knock: it derives the viewer key kv from the public key
// the frame carries and returns the Guest that seals this viewer's grants
// and opens its messages. A knock after the expiry fails with ErrExpired. A
// viewer that reconnects may knock again with the same key pair and a
// higher counter; a knock no newer than the last one with its key (a
// replay) fails with ErrReplay.
func (h *Host) OpenKnock(frame []byte) (*Guest, Knock, error) {
	var k Knock
	hd, err := parseHeader(frame)
	if err != nil {
		return nil, k, fmt.Errorf("open knock: %w", err)
	}
	if hd.class != ClassKnock {
		return nil, k, fmt.Errorf("open knock: got a %v frame: %w", hd.class, ErrFrame)
	}
	h.mu.Lock()
	expires := h.expires
	h.mu.Unlock()
	if !expires.IsZero() && !h.now().Before(expires) {
		return nil, k, fmt.Errorf("open knock: at %s: %w", expires.UTC().Format(time.RFC3339), ErrExpired)
	}
	kv, err := viewerKey(h.priv, hd.viewerKey, h.sid)
	if err != nil {
		return nil, k, fmt.Errorf("open knock: %w", err)
	}
	g, err := newGuest(h.sid, kv, hd.viewerKey)
	if err != nil {
		return nil, k, fmt.Errorf("open knock: %w", err)
	}
	if err := g.recv.check(hd); err != nil {
		return nil, k, fmt.Errorf("open knock: %w", err)
	}
	pt, err := open(g.aead, h.sid, hd, frame)
	if err != nil {
		return nil, k, fmt.Errorf("open knock: %w", err)
	}
	if err := decodeJSON(ClassKnock, pt, &k); err != nil {
		return nil, k, fmt.Errorf("open knock: %w", err)
	}
	if err := k.Validate(); err != nil {
		return nil, k, fmt.Errorf("open knock: %v: %w", err, ErrFrame)
	}
	var vk [keyLen]byte
	copy(vk[:], hd.viewerKey)
	h.mu.Lock()
	defer h.mu.Unlock()
	last, seen := h.knocks[vk]
	if seen && hd.counter <= last {
		return nil, k, fmt.Errorf("open knock: knock %d after %d with this viewer key: %w", hd.counter, last, ErrReplay)
	}
	if !seen && len(h.knocks) >= maxKnocks {
		return nil, k, fmt.Errorf("open knock: %d viewer keys already: %w", maxKnocks, ErrFrame)
	}
	h.knocks[vk] = hd.counter
	g.recv.accept(hd)
	g.knock = k
	return g, k, nil
}
