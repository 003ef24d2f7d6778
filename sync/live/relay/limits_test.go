package relay

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// share is a host with viewers already joined (and admitted if asked).
type share struct {
	tr      *testRelay
	clock   *fakeClock
	sid     string
	host    *client
	viewers []*client
}

func openShare(t testing.TB, cfg Config, viewers int, admit bool) *share {
	t.Helper()
	clock := newFakeClock()
	cfg.Now = clock.Now
	tr := startRelay(t, cfg)
	s := &share{tr: tr, clock: clock, sid: newSID(t)}
	s.host = tr.host(t, s.sid, clock.Unix(time.Hour))
	eventually(t, "session open", func() bool { return tr.Stats().Sessions == 1 })
	for i := 1; i <= viewers; i++ {
		v := tr.viewer(t, s.sid)
		s.host.expect(OpJoined, uint32(i))
		if admit {
			s.host.send(OpAdmit, uint32(i), nil)
			v.expect(OpAdmitted, 0)
		}
		s.viewers = append(s.viewers, v)
	}
	return s
}

func sendRaw(t *testing.T, c *client, typ websocket.MessageType, msg []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.conn.Write(ctx, typ, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func TestLimits(t *testing.T) {
	knock := testFrame(5, []byte("knock"))
	tests := []struct {
		name string
		cfg  Config
		// run breaks a limit and returns the peer that must be closed.
		run  func(t *testing.T, s *share) *client
		code websocket.StatusCode
	}{
		{"second share over max sessions", Config{MaxSessions: 1}, func(t *testing.T, s *share) *client {
			return s.tr.host(t, newSID(t), s.clock.Unix(time.Hour))
		}, CloseOverLimit},
		{"third connection from one address", Config{MaxConnsPerAddr: 2}, func(t *testing.T, s *share) *client {
			s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			return s.tr.viewer(t, s.sid)
		}, CloseOverLimit},
		{"second viewer over max viewers", Config{MaxViewersPerSession: 1}, func(t *testing.T, s *share) *client {
			s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			return s.tr.viewer(t, s.sid)
		}, CloseOverLimit},
		{"fifth knock", Config{}, func(t *testing.T, s *share) *client {
			v := s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			for range 5 {
				v.send(OpSend, 0, knock)
			}
			for range 4 {
				s.host.expect(OpFrom, 1)
			}
			s.host.expect(OpLeft, 1) // the fifth never reaches the host
			return v
		}, CloseOverLimit},
		{"knock over 2 KiB", Config{}, func(t *testing.T, s *share) *client {
			v := s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			v.send(OpSend, 0, testFrame(5, make([]byte, knockFrameBytes-MinFrame)))
			s.host.expect(OpFrom, 1) // exactly 2 KiB passes
			v.send(OpSend, 0, testFrame(5, make([]byte, knockFrameBytes-MinFrame+1)))
			return v
		}, CloseOverLimit},
		{"21 frames in a second", Config{}, func(t *testing.T, s *share) *client {
			v := s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			s.host.send(OpAdmit, 1, nil)
			v.expect(OpAdmitted, 0)
			// 20 a second for 3 s pass.
			for range 60 {
				v.send(OpSend, 0, testFrame(6, nil))
				s.host.expect(OpFrom, 1)
				s.clock.Add(50 * time.Millisecond)
			}
			s.clock.Add(time.Second)
			for range 21 {
				v.send(OpSend, 0, testFrame(6, nil))
			}
			for range 20 {
				s.host.expect(OpFrom, 1)
			}
			s.host.expect(OpLeft, 1)
			return v
		}, CloseOverLimit},
		{"host frame over 64 KiB", Config{}, func(t *testing.T, s *share) *client {
			s.host.send(OpBroadcast, 0, testFrame(ClassWave, make([]byte, MaxFrame-MinFrame+1)))
			return s.host
		}, CloseOverLimit},
		{"host message over the read limit", Config{}, func(t *testing.T, s *share) *client {
			sendRaw(t, s.host, websocket.MessageBinary, make([]byte, hostReadLimit+1))
			return s.host
		}, CloseOverLimit},
		{"host sends a viewer's op", Config{}, func(t *testing.T, s *share) *client {
			s.host.send(OpSend, 0, knock)
			return s.host
		}, CloseBadEnvelope},
		{"host sends text", Config{}, func(t *testing.T, s *share) *client {
			sendRaw(t, s.host, websocket.MessageText, []byte("hello"))
			return s.host
		}, CloseBadEnvelope},
		{"viewer sends a host's op", Config{}, func(t *testing.T, s *share) *client {
			v := s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			v.send(OpBroadcast, 0, knock)
			return v
		}, CloseBadEnvelope},
		{"viewer sends a frame of version 2", Config{}, func(t *testing.T, s *share) *client {
			v := s.tr.viewer(t, s.sid)
			s.host.expect(OpJoined, 1)
			bad := testFrame(5, nil)
			bad[0] = 2
			sendRaw(t, v, websocket.MessageBinary, append([]byte{OpSend}, bad...))
			return v
		}, CloseBadEnvelope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openShare(t, tc.cfg, 0, false)
			tc.run(t, s).expectClosed(tc.code)
		})
	}
}

func TestSilentPeerIsDropped(t *testing.T) {
	s := openShare(t, Config{Keepalive: 20 * time.Millisecond}, 1, true)
	// A connection nobody reads never answers a ping.
	if _, err := dial(t, s.tr.url+"/live/"+s.sid+"/view"); err != nil {
		t.Fatal(err)
	}
	s.host.expect(OpJoined, 2)
	s.host.expect(OpLeft, 2)
	// The viewer that reads answers every ping and stays.
	s.host.send(OpBroadcast, 0, seqFrame(ClassState, 1, 100))
	if got := frameSeq(t, s.viewers[0].expect(OpFrame, 0)); got != 1 {
		t.Fatalf("reading viewer got seq %d", got)
	}
	if st := s.tr.Stats(); st.Viewers != 1 {
		t.Fatalf("viewers %d, want 1", st.Viewers)
	}
}
