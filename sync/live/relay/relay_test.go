package relay

import (
	"bytes"
	"testing"
	"time"
)

func TestRoutingAndAdmission(t *testing.T) {
	clock := newFakeClock()
	tr := startRelay(t, Config{Now: clock.Now})
	sid := newSID(t)
	host := tr.host(t, sid, clock.Unix(30*time.Minute))
	eventually(t, "session open", func() bool { return tr.Stats().Sessions == 1 })

	v1 := tr.viewer(t, sid)
	host.expect(OpJoined, 1)
	v2 := tr.viewer(t, sid)
	host.expect(OpJoined, 2)

	// Knocks go to the host with the sender's id.
	knock := testFrame(5, []byte("knock from one"))
	v1.send(OpSend, 0, knock)
	if got := host.expect(OpFrom, 1); !bytes.Equal(got, knock) {
		t.Fatalf("knock arrived as %q", got)
	}

	host.send(OpAdmit, 1, nil)
	v1.expect(OpAdmitted, 0)

	// A broadcast reaches the admitted viewer only: v2's first message is
	// the unicast sent after it, so the broadcast never came its way.
	wave := seqFrame(ClassWave, 1, 110)
	host.send(OpBroadcast, 0, wave)
	grant := testFrame(4, []byte("grant for two"))
	host.send(OpUnicast, 2, grant)
	if got := v1.expect(OpFrame, 0); !bytes.Equal(got, wave) {
		t.Fatalf("v1 got %q, want the wave frame", got)
	}
	if got := v2.expect(OpFrame, 0); !bytes.Equal(got, grant) {
		t.Fatalf("unadmitted v2 got %q, want only its grant", got)
	}

	// An admitted viewer's frames reach the host too.
	marker := testFrame(6, []byte("marker"))
	v1.send(OpSend, 0, marker)
	if got := host.expect(OpFrom, 1); !bytes.Equal(got, marker) {
		t.Fatalf("marker arrived as %q", got)
	}

	st := tr.Stats()
	if st.Sessions != 1 || st.Viewers != 2 {
		t.Errorf("stats %+v, want 1 session and 2 viewers", st)
	}
	if st.FramesIn != 4 || st.BytesIn[ClassWave] != uint64(len(wave)) || st.BytesIn[6] != uint64(len(marker)) {
		t.Errorf("stats in %+v", st)
	}
}

func TestRemoveStopsTheStream(t *testing.T) {
	clock := newFakeClock()
	tr := startRelay(t, Config{Now: clock.Now})
	sid := newSID(t)
	host := tr.host(t, sid, clock.Unix(time.Hour))
	eventually(t, "session open", func() bool { return tr.Stats().Sessions == 1 })
	// One at a time: the relay numbers viewers in the order it registers
	// them, which two dials in flight together need not keep.
	v1 := tr.viewer(t, sid)
	host.expect(OpJoined, 1)
	v2 := tr.viewer(t, sid)
	host.expect(OpJoined, 2)
	host.send(OpAdmit, 1, nil)
	host.send(OpAdmit, 2, nil)
	v1.expect(OpAdmitted, 0)
	v2.expect(OpAdmitted, 0)

	host.send(OpBroadcast, 0, seqFrame(ClassWave, 1, 100))
	host.send(OpRemove, 1, nil)
	host.send(OpBroadcast, 0, seqFrame(ClassWave, 2, 100))

	// v1 may or may not get seq 1 (a close goes ahead of what is queued)
	// but never seq 2, sent after the removal.
	for _, msg := range v1.drain(CloseRemoved) {
		if _, _, f, _ := ParseEnvelope(msg); f != nil && frameSeq(t, f) != 1 {
			t.Fatalf("removed viewer got seq %d", frameSeq(t, f))
		}
	}
	host.expect(OpLeft, 1)
	for want := 1; want <= 2; want++ {
		if got := frameSeq(t, v2.expect(OpFrame, 0)); got != want {
			t.Fatalf("v2 got seq %d, want %d", got, want)
		}
	}
}

func TestExpiry(t *testing.T) {
	clock := newFakeClock()
	tr := startRelay(t, Config{Now: clock.Now})
	sid := newSID(t)
	host := tr.host(t, sid, clock.Unix(time.Minute))
	eventually(t, "session open", func() bool { return tr.Stats().Sessions == 1 })
	early := tr.viewer(t, sid)
	host.expect(OpJoined, 1)
	host.send(OpAdmit, 1, nil)
	early.expect(OpAdmitted, 0)

	clock.Add(time.Minute + time.Second)
	late := tr.viewer(t, sid)
	late.expectClosed(CloseExpired)

	// The viewer admitted before the expiry keeps watching.
	host.send(OpBroadcast, 0, seqFrame(ClassState, 7, 200))
	if got := frameSeq(t, early.expect(OpFrame, 0)); got != 7 {
		t.Fatalf("early viewer got seq %d", got)
	}
}

func TestHostGoneAndHostRules(t *testing.T) {
	clock := newFakeClock()
	tr := startRelay(t, Config{Now: clock.Now})
	sid := newSID(t)

	tr.viewer(t, sid).expectClosed(CloseNoShare)

	host := tr.host(t, sid, clock.Unix(time.Hour))
	eventually(t, "session open", func() bool { return tr.Stats().Sessions == 1 })
	tr.host(t, sid, clock.Unix(time.Hour)).expectClosed(CloseHostTaken)

	admitted := tr.viewer(t, sid)
	host.expect(OpJoined, 1)
	waiting := tr.viewer(t, sid)
	host.expect(OpJoined, 2)
	host.send(OpAdmit, 1, nil)
	admitted.expect(OpAdmitted, 0)

	host.conn.CloseNow()
	admitted.expectClosed(CloseShareEnded)
	waiting.expectClosed(CloseShareEnded)
	eventually(t, "session gone", func() bool { st := tr.Stats(); return st.Sessions == 0 && st.Viewers == 0 })

	// The sid is free again: a new host starts a new share, ids from 1.
	again := tr.host(t, sid, clock.Unix(time.Hour))
	eventually(t, "session reopened", func() bool { return tr.Stats().Sessions == 1 })
	tr.viewer(t, sid)
	again.expect(OpJoined, 1)
}

func TestRelayClose(t *testing.T) {
	clock := newFakeClock()
	tr := startRelay(t, Config{Now: clock.Now})
	sid := newSID(t)
	host := tr.host(t, sid, clock.Unix(time.Hour))
	eventually(t, "session open", func() bool { return tr.Stats().Sessions == 1 })
	v := tr.viewer(t, sid)
	host.expect(OpJoined, 1)

	tr.Close() // returns once every connection's goroutines are done
	host.expectClosed(CloseShuttingDown)
	v.expectClosed(CloseShuttingDown)
	if st := tr.Stats(); st.Sessions != 0 || st.Viewers != 0 {
		t.Fatalf("after Close: %+v", st)
	}
	if _, err := dial(t, tr.url+"/live/"+sid+"/view"); err == nil {
		t.Fatal("a closed relay accepted a viewer")
	}
}
