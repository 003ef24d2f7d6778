package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Envelope ops: the first byte of every binary WebSocket message between
// the relay and its peers (docs/telehealth.md, "Relay envelope").
const (
	OpBroadcast = 0x01 // host → relay: frame, to every admitted viewer
	OpUnicast   = 0x02 // host → relay: viewer ‖ frame, to one viewer
	OpAdmit     = 0x03 // host → relay: viewer; it gets broadcasts from now on
	OpRemove    = 0x04 // host → relay: viewer; the relay closes it (4001)
	OpJoined    = 0x81 // relay → host: viewer connected
	OpLeft      = 0x82 // relay → host: viewer left
	OpFrom      = 0x83 // relay → host: viewer ‖ frame from that viewer
	OpSend      = 0x11 // viewer → relay: frame, to the host
	OpFrame     = 0x91 // relay → viewer: frame from the host
	OpAdmitted  = 0x92 // relay → viewer: you are admitted (empty body)
)

// Close codes the relay sends (WebSocket close status).
const (
	CloseRemoved      = 4001 // the host removed this viewer
	CloseShareEnded   = 4002 // the host is gone
	CloseExpired      = 4003 // the invite expired before this viewer came
	CloseNoShare      = 4004 // no host is connected for this sid
	CloseOverLimit    = 4008 // over a limit: rate, size, count, or too slow
	CloseHostTaken    = 4009 // a host is already connected for this sid
	CloseBadEnvelope  = 1008 // policy violation: a message that is no envelope
	CloseShuttingDown = 1001 // going away: the relay is closing
)

// Frame limits and layout: the relay reads the version and class bytes
// only; everything after them is opaque to it.
const (
	FrameVersion = 1
	// MinFrame is the shortest frame: the 18-byte header and a GCM tag.
	MinFrame = 18 + 16
	// MaxFrame is the longest frame anyone may send.
	MaxFrame = 64 << 10
	// MaxClass is the highest frame class of protocol version 1.
	MaxClass = 6
)

// Frame classes the relay tells apart (byte 1 of a frame).
const (
	ClassWave  = 1
	ClassAudio = 2
	ClassState = 3
)

// ErrBadEnvelope is wrapped by every ParseEnvelope error.
var ErrBadEnvelope = errors.New("bad envelope")

// ErrFrameTooBig is wrapped by the errors for frames over MaxFrame.
var ErrFrameTooBig = errors.New("frame too big")

// AppendEnvelope appends the message for op to dst: op, then the viewer id
// (big-endian u32) for the ops that carry one, then frame for the ops that
// carry one. Arguments an op does not carry are ignored.
func AppendEnvelope(dst []byte, op byte, viewer uint32, frame []byte) []byte {
	dst = append(dst, op)
	if opHasViewer(op) {
		dst = binary.BigEndian.AppendUint32(dst, viewer)
	}
	if opHasFrame(op) {
		dst = append(dst, frame...)
	}
	return dst
}

// ParseEnvelope splits a message into its op, viewer id (zero for ops that
// carry none) and frame (nil for ops that carry none). A frame is checked
// for its version, class and length; frame aliases msg.
func ParseEnvelope(msg []byte) (op byte, viewer uint32, frame []byte, err error) {
	if len(msg) == 0 {
		return 0, 0, nil, fmt.Errorf("%w: empty message", ErrBadEnvelope)
	}
	op = msg[0]
	if !knownOp(op) {
		return 0, 0, nil, fmt.Errorf("%w: unknown op 0x%02x", ErrBadEnvelope, op)
	}
	body := msg[1:]
	if opHasViewer(op) {
		if len(body) < 4 {
			return 0, 0, nil, fmt.Errorf("%w: op 0x%02x: %d bytes, want a viewer id", ErrBadEnvelope, op, len(body))
		}
		viewer = binary.BigEndian.Uint32(body)
		body = body[4:]
	}
	if !opHasFrame(op) {
		if len(body) != 0 {
			return 0, 0, nil, fmt.Errorf("%w: op 0x%02x: %d bytes after the header", ErrBadEnvelope, op, len(body))
		}
		return op, viewer, nil, nil
	}
	if err := CheckFrame(body); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: op 0x%02x: %w", ErrBadEnvelope, op, err)
	}
	return op, viewer, body, nil
}

// CheckFrame reports whether frame has protocol version 1, a known class
// and a length between MinFrame and MaxFrame. It reads nothing else.
func CheckFrame(frame []byte) error {
	switch {
	case len(frame) < MinFrame:
		return fmt.Errorf("frame of %d bytes, want at least %d", len(frame), MinFrame)
	case len(frame) > MaxFrame:
		return fmt.Errorf("%w: %d bytes, want at most %d", ErrFrameTooBig, len(frame), MaxFrame)
	case frame[0] != FrameVersion:
		return fmt.Errorf("frame version %d, want %d", frame[0], FrameVersion)
	case frame[1] == 0 || frame[1] > MaxClass:
		return fmt.Errorf("frame class %d, want 1 to %d", frame[1], MaxClass)
	}
	return nil
}

func knownOp(op byte) bool {
	switch op {
	case OpBroadcast, OpUnicast, OpAdmit, OpRemove, OpJoined, OpLeft, OpFrom, OpSend, OpFrame, OpAdmitted:
		return true
	}
	return false
}

func opHasViewer(op byte) bool {
	switch op {
	case OpUnicast, OpAdmit, OpRemove, OpJoined, OpLeft, OpFrom:
		return true
	}
	return false
}

func opHasFrame(op byte) bool {
	switch op {
	case OpBroadcast, OpUnicast, OpFrom, OpSend, OpFrame:
		return true
	}
	return false
}
