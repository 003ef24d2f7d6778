package wire

import (
	"bytes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
)

// Viewer is a remote viewer's side of a share: its ephemeral key pair, the
// viewer key kv shared with the host and the stream keys granted to it
// (the current epoch's and the previous one's, so frames sealed just before
// a rekey still open). It is safe for concurrent use.
type Viewer struct {
	inv  Invite
	priv *ecdh.PrivateKey
	pub  []byte
	kv   cipher.AEAD

	mu     sync.Mutex
	sent   counter // sender 2: the knock, then markers
	grants window  // sender 1
	cur    *streamKey
	prev   *streamKey
	seen   uint32 // the highest epoch a stream frame was accepted under
	id     uint32 // the viewer id of the last grant
}

// streamKey is one epoch's key as a viewer holds it.
type streamKey struct {
	epoch uint32
	key   []byte
	aead  cipher.AEAD
	recv  window
}

// NewViewer makes an ephemeral key pair and derives kv with the invite's
// host key. It does not check the invite's expiry (see Invite.Expired).
func NewViewer(inv Invite) (*Viewer, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new viewer: %w", err)
	}
	return newViewer(inv, priv)
}

func newViewer(inv Invite, priv *ecdh.PrivateKey) (*Viewer, error) {
	kv, err := viewerKey(priv, inv.HostKey, inv.Session)
	if err != nil {
		return nil, fmt.Errorf("new viewer: host key: %w", err)
	}
	aead, err := newAEAD(kv)
	if err != nil {
		return nil, fmt.Errorf("new viewer: %w", err)
	}
	return &Viewer{inv: inv, priv: priv, pub: priv.PublicKey().Bytes(), kv: aead}, nil
}

// PublicKey returns the viewer's ephemeral public key (65 bytes).
func (v *Viewer) PublicKey() []byte { return bytes.Clone(v.pub) }

// ID returns the viewer id of the last grant, 0 before one.
func (v *Viewer) ID() uint32 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.id
}

// Knock seals a knock (class 5): the viewer's name for the clinician, with
// its public key in clear so the host can derive kv.
func (v *Viewer) Knock(k Knock) ([]byte, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	return v.sealJSON(ClassKnock, k)
}

// Seal seals a message to the host (class 6).
func (v *Viewer) Seal(m ViewerMessage) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return v.sealJSON(ClassViewer, m)
}

func (v *Viewer) sealJSON(c Class, msg any) ([]byte, error) {
	p, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("seal %v: %w", c, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	n, err := v.sent.next()
	if err != nil {
		return nil, fmt.Errorf("seal %v: %w", c, err)
	}
	h := header{class: c, sender: senderViewer, counter: n}
	if c == ClassKnock {
		h.viewerKey = v.pub
	}
	return seal(v.kv, v.inv.Session, h, p)
}

// OpenGrant opens a grant and installs its epoch's stream key, keeping the
// previous epoch's key for frames still in flight. A grant of an epoch
// older than the current one fails with ErrReplay.
func (v *Viewer) OpenGrant(frame []byte) (Grant, error) {
	var g Grant
	hd, err := parseHeader(frame)
	if err != nil {
		return g, fmt.Errorf("open grant: %w", err)
	}
	if hd.class != ClassGrant {
		return g, fmt.Errorf("open grant: got a %v frame: %w", hd.class, ErrFrame)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.grants.check(hd); err != nil {
		return g, fmt.Errorf("open grant: %w", err)
	}
	pt, err := open(v.kv, v.inv.Session, hd, frame)
	if err != nil {
		return g, fmt.Errorf("open grant: %w", err)
	}
	v.grants.accept(hd)
	if err := decodeJSON(ClassGrant, pt, &g); err != nil {
		return g, fmt.Errorf("open grant: %w", err)
	}
	if err := v.install(g); err != nil {
		return Grant{}, fmt.Errorf("open grant: %w", err)
	}
	v.id = g.Viewer
	return g, nil
}

// install makes g's key the current one. v.mu is held.
func (v *Viewer) install(g Grant) error {
	if g.Epoch == 0 || len(g.Key) != streamKeyN {
		return fmt.Errorf("epoch %d with a %d-byte key: %w", g.Epoch, len(g.Key), ErrFrame)
	}
	if v.cur != nil {
		switch {
		case g.Epoch == v.cur.epoch && bytes.Equal(g.Key, v.cur.key):
			return nil // a grant repeated with a new snapshot
		case g.Epoch == v.cur.epoch:
			return fmt.Errorf("epoch %d granted again with another key: %w", g.Epoch, ErrFrame)
		case g.Epoch < v.cur.epoch:
			return fmt.Errorf("epoch %d after epoch %d: %w", g.Epoch, v.cur.epoch, ErrReplay)
		}
	}
	aead, err := newAEAD(g.Key)
	if err != nil {
		return err
	}
	v.prev = v.cur
	v.cur = &streamKey{epoch: g.Epoch, key: bytes.Clone(g.Key), aead: aead}
	return nil
}

// OpenStream opens a wave, audio or state frame and returns its class and
// payload. Frames of an epoch older than one already received fail with
// ErrReplay; frames of an epoch this viewer was not granted with ErrAuth.
func (v *Viewer) OpenStream(frame []byte) (Class, []byte, error) {
	hd, err := parseHeader(frame)
	if err != nil {
		return 0, nil, fmt.Errorf("open stream: %w", err)
	}
	if !hd.class.Stream() {
		return hd.class, nil, fmt.Errorf("open stream: got a %v frame: %w", hd.class, ErrFrame)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if hd.epoch < v.seen {
		return hd.class, nil, fmt.Errorf("open stream: %v frame of epoch %d after epoch %d: %w", hd.class, hd.epoch, v.seen, ErrReplay)
	}
	var sk *streamKey
	switch {
	case v.cur != nil && hd.epoch == v.cur.epoch:
		sk = v.cur
	case v.prev != nil && hd.epoch == v.prev.epoch:
		sk = v.prev
	default:
		return hd.class, nil, fmt.Errorf("open stream: no key for epoch %d: %w", hd.epoch, ErrAuth)
	}
	if err := sk.recv.check(hd); err != nil {
		return hd.class, nil, fmt.Errorf("open stream: epoch %d: %w", hd.epoch, err)
	}
	pt, err := open(sk.aead, v.inv.Session, hd, frame)
	if err != nil {
		return hd.class, nil, fmt.Errorf("open stream: epoch %d: %w", hd.epoch, err)
	}
	sk.recv.accept(hd)
	v.seen = hd.epoch
	return hd.class, pt, nil
}
