package wire

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math"
)

// Frame layout (docs/telehealth.md, "Frame").
const (
	offClass   = 1
	offEpoch   = 2
	offNonce   = 6
	headerLen  = 18      // version, class, epoch, nonce
	knockLen   = 18 + 65 // … and the viewer's public key
	keyLen     = 65      // P-256 uncompressed point
	tagLen     = 16
	nonceLen   = 12
	streamKeyN = 32 // AES-256
)

// Senders, the first four bytes of a nonce.
const (
	senderStream = 0 // host stream frames, under the stream key
	senderHost   = 1 // host → one viewer, under kv
	senderViewer = 2 // viewer → host, under kv
)

// header is a frame's clear part.
type header struct {
	class     Class
	epoch     uint32
	sender    uint32
	counter   uint64
	viewerKey []byte // knock only
}

func (h header) len() int {
	if h.class == ClassKnock {
		return knockLen
	}
	return headerLen
}

// sender returns the only sender a class may come from.
func senderOf(c Class) uint32 {
	switch {
	case c.Stream():
		return senderStream
	case c == ClassGrant:
		return senderHost
	}
	return senderViewer
}

// FrameClass returns a frame's class after checking what a relay can
// check without keys: version, a known class, the length for that class
// and the header fields the class allows. It is what the relay reads.
func FrameClass(frame []byte) (Class, error) {
	h, err := parseHeader(frame)
	return h.class, err
}

func parseHeader(frame []byte) (header, error) {
	var h header
	if len(frame) < headerLen+tagLen {
		return h, fmt.Errorf("frame of %d bytes: too short: %w", len(frame), ErrFrame)
	}
	if len(frame) > MaxFrame {
		return h, fmt.Errorf("frame of %d bytes: over %d: %w", len(frame), MaxFrame, ErrFrame)
	}
	if frame[0] != Version {
		return h, fmt.Errorf("frame version %d, want %d: %w", frame[0], Version, ErrFrame)
	}
	h.class = Class(frame[offClass])
	if !h.class.known() {
		return h, fmt.Errorf("frame %v: unknown class: %w", h.class, ErrFrame)
	}
	h.epoch = binary.BigEndian.Uint32(frame[offEpoch:])
	h.sender = binary.BigEndian.Uint32(frame[offNonce:])
	h.counter = binary.BigEndian.Uint64(frame[offNonce+4:])
	if h.class.Stream() != (h.epoch != 0) {
		return h, fmt.Errorf("%v frame with epoch %d: %w", h.class, h.epoch, ErrFrame)
	}
	if want := senderOf(h.class); h.sender != want {
		return h, fmt.Errorf("%v frame from sender %d, want %d: %w", h.class, h.sender, want, ErrFrame)
	}
	if h.class == ClassKnock {
		if len(frame) < knockLen+tagLen {
			return h, fmt.Errorf("knock frame of %d bytes: too short: %w", len(frame), ErrFrame)
		}
		h.viewerKey = frame[headerLen:knockLen]
	}
	return h, nil
}

// putHeader writes h into b, which is h.len() bytes.
func putHeader(b []byte, h header) {
	b[0] = Version
	b[offClass] = byte(h.class)
	binary.BigEndian.PutUint32(b[offEpoch:], h.epoch)
	binary.BigEndian.PutUint32(b[offNonce:], h.sender)
	binary.BigEndian.PutUint64(b[offNonce+4:], h.counter)
	if h.class == ClassKnock {
		copy(b[headerLen:knockLen], h.viewerKey)
	}
}

// seal makes a frame: header ‖ AES-GCM(plaintext) with the header and the
// sid as associated data.
func seal(aead cipher.AEAD, sid SessionID, h header, plaintext []byte) ([]byte, error) {
	n := h.len()
	if n+len(plaintext)+tagLen > MaxFrame {
		return nil, fmt.Errorf("seal %v frame: %d bytes of payload: over %d: %w", h.class, len(plaintext), MaxFrame, ErrFrame)
	}
	frame := make([]byte, n, n+len(plaintext)+tagLen)
	putHeader(frame, h)
	var ad [knockLen + len(SessionID{})]byte
	a := append(append(ad[:0], frame...), sid[:]...)
	return aead.Seal(frame, frame[offNonce:headerLen], plaintext, a), nil
}

// open authenticates a parsed frame and returns its plaintext.
func open(aead cipher.AEAD, sid SessionID, h header, frame []byte) ([]byte, error) {
	n := h.len()
	var ad [knockLen + len(SessionID{})]byte
	a := append(append(ad[:0], frame[:n]...), sid[:]...)
	pt, err := aead.Open(nil, frame[offNonce:headerLen], frame[n:], a)
	if err != nil {
		return nil, fmt.Errorf("open %v frame %d: %w", h.class, h.counter, ErrAuth)
	}
	return pt, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes key: %w", err)
	}
	return cipher.NewGCM(block)
}

// counter numbers what one sender seals under one key: 1, 2, …
type counter struct{ n uint64 }

func (c *counter) next() (uint64, error) {
	if c.n == math.MaxUint64 {
		return 0, fmt.Errorf("nonce counter exhausted")
	}
	c.n++
	return c.n, nil
}

// window is what a receiver remembers of one sender under one key: the last
// counter it accepted. Only a greater one may follow; gaps are normal.
type window struct{ last uint64 }

func (w *window) check(h header) error {
	if h.counter <= w.last {
		return fmt.Errorf("%v frame %d after %d: %w", h.class, h.counter, w.last, ErrReplay)
	}
	return nil
}

func (w *window) accept(h header) { w.last = h.counter }
