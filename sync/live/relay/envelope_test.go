package relay

import (
	"bytes"
	"errors"
	"testing"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	frame := testFrame(ClassAudio, []byte("opaque"))
	tests := []struct {
		op         byte
		viewer     uint32
		frame      []byte
		wantViewer uint32
		wantFrame  []byte
		wantLen    int
	}{
		{OpBroadcast, 7, frame, 0, frame, 1 + len(frame)},
		{OpUnicast, 0x01020304, frame, 0x01020304, frame, 5 + len(frame)},
		{OpAdmit, 3, frame, 3, nil, 5},
		{OpRemove, 4, nil, 4, nil, 5},
		{OpJoined, 1, nil, 1, nil, 5},
		{OpLeft, 2, nil, 2, nil, 5},
		{OpFrom, 9, frame, 9, frame, 5 + len(frame)},
		{OpSend, 9, frame, 0, frame, 1 + len(frame)},
		{OpFrame, 0, frame, 0, frame, 1 + len(frame)},
		{OpAdmitted, 5, frame, 0, nil, 1},
	}
	for _, tc := range tests {
		msg := AppendEnvelope([]byte("prefix"), tc.op, tc.viewer, tc.frame)
		if !bytes.HasPrefix(msg, []byte("prefix")) {
			t.Fatalf("op 0x%02x: dst not kept", tc.op)
		}
		msg = msg[len("prefix"):]
		if len(msg) != tc.wantLen {
			t.Errorf("op 0x%02x: %d bytes, want %d", tc.op, len(msg), tc.wantLen)
		}
		op, viewer, got, err := ParseEnvelope(msg)
		if err != nil {
			t.Fatalf("op 0x%02x: %v", tc.op, err)
		}
		if op != tc.op || viewer != tc.wantViewer || !bytes.Equal(got, tc.wantFrame) {
			t.Errorf("op 0x%02x: got op 0x%02x viewer %d frame %q; want viewer %d frame %q", tc.op, op, viewer, got, tc.wantViewer, tc.wantFrame)
		}
	}
}

func TestParseEnvelopeRefuses(t *testing.T) {
	good := testFrame(ClassWave, nil)
	with := func(i int, b byte) []byte {
		f := bytes.Clone(good)
		f[i] = b
		return f
	}
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"unknown op", []byte{0x05, 0, 0, 0, 1}},
		{"admit without id", []byte{OpAdmit, 0, 0, 1}},
		{"admit with a tail", []byte{OpAdmit, 0, 0, 0, 1, 9}},
		{"admitted with a body", []byte{OpAdmitted, 0}},
		{"unicast without id", []byte{OpUnicast, 0, 1}},
		{"broadcast of nothing", []byte{OpBroadcast}},
		{"frame too short", append([]byte{OpBroadcast}, good[:MinFrame-1]...)},
		{"frame too long", append([]byte{OpBroadcast}, testFrame(ClassWave, make([]byte, MaxFrame))...)},
		{"version 2", append([]byte{OpSend}, with(0, 2)...)},
		{"class 0", append([]byte{OpFrame}, with(1, 0)...)},
		{"class 7", append([]byte{OpFrom, 0, 0, 0, 1}, with(1, 7)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := ParseEnvelope(tc.msg)
			if !errors.Is(err, ErrBadEnvelope) {
				t.Fatalf("err %v, want ErrBadEnvelope", err)
			}
		})
	}
}

func TestCheckFrameBounds(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{MinFrame - 1, false}, {MinFrame, true}, {MaxFrame, true}, {MaxFrame + 1, false}} {
		f := testFrame(ClassState, make([]byte, max(0, tc.size-MinFrame)))[:tc.size]
		if err := CheckFrame(f); (err == nil) != tc.ok {
			t.Errorf("%d bytes: err %v, want ok=%v", tc.size, err, tc.ok)
		}
	}
}

func FuzzParseEnvelope(f *testing.F) {
	frame := testFrame(ClassWave, []byte("x"))
	for _, op := range []byte{OpBroadcast, OpUnicast, OpAdmit, OpRemove, OpJoined, OpLeft, OpFrom, OpSend, OpFrame, OpAdmitted} {
		f.Add(AppendEnvelope(nil, op, 1, frame))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		op, viewer, frame, err := ParseEnvelope(msg)
		if err != nil {
			if !errors.Is(err, ErrBadEnvelope) {
				t.Fatalf("error %v does not wrap ErrBadEnvelope", err)
			}
			return
		}
		if frame != nil && CheckFrame(frame) != nil {
			t.Fatalf("accepted a bad frame: %v", CheckFrame(frame))
		}
		// What parses is what AppendEnvelope writes.
		if again := AppendEnvelope(nil, op, viewer, frame); !bytes.Equal(again, msg) {
			t.Fatalf("re-encoded % x, parsed from % x", again, msg)
		}
	})
}
