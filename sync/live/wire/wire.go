// Package wire is the telehealth share's protocol v1 (docs/telehealth.md):
// the invite link, the keys (ECDH P-256 → HKDF-SHA256 → AES-256-GCM), the
// sealed frames a relay forwards without reading, and the payloads inside
// them (compressed waveform chunks, JSON state, grants, knocks, markers).
//
// It is a pure codec: no sockets, no goroutines. The host side is Host (one
// per share) and Guest (the host's view of one viewer); the viewer side is
// Viewer. Every Open checks the frame's version, class, epoch and nonce,
// authenticates it with the sid as associated data and rejects replayed or
// reordered frames.
package wire

import (
	"errors"
	"fmt"
)

// Version is the frame format byte (byte 0 of every frame).
const Version = 1

// MaxFrame is the largest frame, header and tag included.
const MaxFrame = 64 << 10

// Class says what a frame carries (byte 1, the only byte the relay reads).
type Class uint8

// Frame classes. Wave, audio and state are stream frames, sealed under the
// epoch's stream key; grant, knock and viewer messages are sealed under the
// one viewer's key kv.
const (
	ClassWave   Class = 1 // waveform chunks, every 40 ms
	ClassAudio  Class = 2 // stethoscope audio chunks
	ClassState  Class = 3 // JSON State: signals, numerics, events, alarms, markers
	ClassGrant  Class = 4 // host → one viewer: the stream key and a snapshot
	ClassKnock  Class = 5 // viewer → host: name, with the viewer's public key in clear
	ClassViewer Class = 6 // viewer → host: a marker
)

var classNames = [...]string{"", "wave", "audio", "state", "grant", "knock", "viewer"}

// String names the class as the protocol document does.
func (c Class) String() string {
	if c >= 1 && int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Stream reports whether frames of the class go to every admitted viewer
// under the stream key (wave, audio, state).
func (c Class) Stream() bool { return c >= ClassWave && c <= ClassState }

func (c Class) known() bool { return c >= ClassWave && c <= ClassViewer }

// Errors an Open reports; they are wrapped with what was being opened.
var (
	// ErrReplay: the frame's counter is not above the last one accepted from
	// its sender under its key (a replay or a reordering), or it belongs to
	// an epoch older than one already received.
	ErrReplay = errors.New("replayed or reordered frame")
	// ErrAuth: the frame cannot be opened: wrong key, no key for its epoch,
	// or the header, sid or ciphertext were changed.
	ErrAuth = errors.New("frame not authentic")
	// ErrFrame: the bytes are not a well-formed frame or payload of the kind
	// expected (version, length, class, header fields, JSON).
	ErrFrame = errors.New("malformed frame")
	// ErrExpired: the invite no longer admits viewers.
	ErrExpired = errors.New("invite expired")
)
