package wire

import (
	"bytes"
	"crypto/cipher"
	"encoding/json"
	"fmt"
	"sync"
)

// Guest is the host's view of one viewer that knocked: its key kv and the
// nonce counters both ways. It is safe for concurrent use.
type Guest struct {
	sid       SessionID
	aead      cipher.AEAD
	viewerKey []byte

	mu    sync.Mutex
	sent  counter // sender 1
	recv  window  // sender 2: the knock, then markers
	knock Knock
}

func newGuest(sid SessionID, kv, viewerKey []byte) (*Guest, error) {
	aead, err := newAEAD(kv)
	if err != nil {
		return nil, err
	}
	return &Guest{sid: sid, aead: aead, viewerKey: bytes.Clone(viewerKey)}, nil
}

// Knock returns what the viewer sent when it knocked.
func (g *Guest) Knock() Knock { return g.knock }

// PublicKey returns the viewer's ephemeral public key (65 bytes).
func (g *Guest) PublicKey() []byte { return bytes.Clone(g.viewerKey) }

// SealGrant seals a grant (made by Host.Grant) for this viewer only.
func (g *Guest) SealGrant(gr Grant) ([]byte, error) {
	if len(gr.Key) != streamKeyN || gr.Epoch == 0 {
		return nil, fmt.Errorf("seal grant: epoch %d with a %d-byte key: %w", gr.Epoch, len(gr.Key), ErrFrame)
	}
	p, err := json.Marshal(gr)
	if err != nil {
		return nil, fmt.Errorf("seal grant: %w", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	n, err := g.sent.next()
	if err != nil {
		return nil, fmt.Errorf("seal grant: %w", err)
	}
	return seal(g.aead, g.sid, header{class: ClassGrant, sender: senderHost, counter: n}, p)
}

// Open opens a message from this viewer (class 6). The marker's By is set
// to the name the viewer knocked with, whatever the viewer wrote there.
func (g *Guest) Open(frame []byte) (ViewerMessage, error) {
	var m ViewerMessage
	hd, err := parseHeader(frame)
	if err != nil {
		return m, fmt.Errorf("open viewer message: %w", err)
	}
	if hd.class != ClassViewer {
		return m, fmt.Errorf("open viewer message: got a %v frame: %w", hd.class, ErrFrame)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.recv.check(hd); err != nil {
		return m, fmt.Errorf("open viewer message: %w", err)
	}
	pt, err := open(g.aead, g.sid, hd, frame)
	if err != nil {
		return m, fmt.Errorf("open viewer message: %w", err)
	}
	g.recv.accept(hd)
	if err := decodeJSON(ClassViewer, pt, &m); err != nil {
		return m, fmt.Errorf("open viewer message: %w", err)
	}
	if m.Marker != nil {
		m.Marker.By = g.knock.Name
	}
	if err := m.Validate(); err != nil {
		return ViewerMessage{}, fmt.Errorf("open viewer message: %v: %w", err, ErrFrame)
	}
	return m, nil
}
