package main

import (
	"encoding/binary"
	"errors"
	"time"

	"telewave/sync/live/relay"
)

// Frame classes the load sends, with the sizes and periods of a real share
// (docs/telehealth.md): a wave frame and, for one share in four, an audio
// frame every 40 ms; a state frame every second.
const (
	tick      = 40 * time.Millisecond
	waveSize  = 110
	audioSize = 300
	stateSize = 200
	stateEach = 25 // ticks
	audioOne  = 4  // one share in audioOne has a stethoscope
	classes   = relay.ClassState + 1
	headerLen = 18
	tagLen    = 16
)

var classNames = [classes]string{"", "wave", "audio", "state"}

// clock is the load's time base: host and viewers are in this process, so
// a monotonic reading taken by each is comparable.
var clock = time.Now()

func now() int64 { return int64(time.Since(clock)) }

// appendFrame appends a frame of class and size to dst: a valid version 1
// header (epoch 1, nonce = host sender ‖ counter), then the body the
// viewers check (per-class seq, send time), padding, and a tag-sized tail.
func appendFrame(dst []byte, class byte, size int, counter, seq uint64) []byte {
	start := len(dst)
	dst = append(dst, relay.FrameVersion, class)
	dst = binary.BigEndian.AppendUint32(dst, 1)       // epoch
	dst = binary.BigEndian.AppendUint32(dst, 0)       // nonce: sender 0 (host stream)
	dst = binary.BigEndian.AppendUint64(dst, counter) // nonce: counter
	dst = binary.BigEndian.AppendUint64(dst, seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(now()))
	for len(dst)-start < size {
		dst = append(dst, 0xA5)
	}
	return dst
}

// body is what a viewer reads back from a frame.
type body struct {
	class byte
	seq   uint64
	sent  int64
}

var errShort = errors.New("frame too short for the load's body")

func readBody(frame []byte) (body, error) {
	if len(frame) < headerLen+16+tagLen {
		return body{}, errShort
	}
	b := frame[headerLen:]
	return body{class: frame[1], seq: binary.BigEndian.Uint64(b), sent: int64(binary.BigEndian.Uint64(b[8:]))}, nil
}
