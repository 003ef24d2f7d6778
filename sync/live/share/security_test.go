package share_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/relay"
	"telewave/sync/live/share"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
)

// Removing a viewer closes it (4001) and starts a new epoch granted to
// the others only: the removed viewer cannot open the new epoch's frames
// even when it is handed them.
func TestRemoveStopsTheStream(t *testing.T) {
	r := newRig(t, rigOpts{})
	f := &feeder{pub: r.share.Publish}
	f.start()
	defer f.stop()
	removed := dialRaw(t, r.share.Link(), "To Be Removed")
	witness := dialRaw(t, r.share.Link(), "Witness")
	sess, c := r.join("Stays")
	eventually(t, "frames for the viewer to be removed", 10*time.Second, func() bool { return removed.openedCount() >= 10 })

	if err := r.share.Remove(removed.id()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the removed viewer closed", 10*time.Second, func() bool { return removed.closed() != -1 })
	if code := removed.closed(); code != relay.CloseRemoved {
		t.Errorf("removed viewer closed with %d, want %d", code, relay.CloseRemoved)
	}
	if e := r.share.Status().Epoch; e != 2 {
		t.Errorf("epoch %d after a removal, want 2", e)
	}
	before := c.count("ecg-ii")
	eventually(t, "the new epoch streams to the others", 10*time.Second, func() bool {
		return len(witness.streamFrames(2)) >= 20 && c.count("ecg-ii") >= before+500
	})
	for i, frame := range witness.streamFrames(2) {
		if _, _, err := removed.v.OpenStream(frame); !errors.Is(err, wire.ErrAuth) {
			t.Fatalf("new-epoch frame %d opened by the removed viewer: %v, want ErrAuth", i, err)
		}
	}
	if st := sess.Stats(); st.Bad != 0 || st.Gaps != 0 {
		t.Errorf("the viewer that stayed: %+v", st)
	}

	// The Go viewer, removed in its turn, ends with ErrRemoved.
	var id uint32
	for _, v := range r.share.Status().Viewers {
		if v.Name == "Stays" {
			id = v.ID
		}
	}
	if err := r.share.Remove(id); err != nil {
		t.Fatal(err)
	}
	<-c.done
	if !errors.Is(sess.Err(), view.ErrRemoved) {
		t.Errorf("removed session: %v, want ErrRemoved", sess.Err())
	}
	if err := r.share.Remove(id); !errors.Is(err, share.ErrNoViewer) {
		t.Errorf("second removal: %v, want ErrNoViewer", err)
	}
	if st := r.share.Status(); len(st.Viewers) != 1 || st.Viewers[0].Name != "Witness" || st.Epoch != 3 {
		t.Errorf("status %+v", st)
	}
	eventually(t, "the removals audited", 5*time.Second, func() bool { return r.auditCount("share-remove") == 2 })
}

// An expired invite admits nobody: the relay refuses the connection, and
// the host, whose clock may run ahead of the relay's, ignores the knock
// and audits it as refused.
func TestExpiredInvite(t *testing.T) {
	t.Run("relay", func(t *testing.T) {
		r := newRig(t, rigOpts{relay: relay.Config{Now: func() time.Time { return time.Now().Add(time.Hour) }}})
		_, err := view.Join(context.Background(), r.share.Link(), "Late")
		if !errors.Is(err, view.ErrExpired) {
			t.Errorf("join: %v, want ErrExpired", err)
		}
	})
	t.Run("host", func(t *testing.T) {
		var ahead atomic.Int64
		r := newRig(t, rigOpts{config: func(c *share.Config) {
			c.Expires = time.Minute
			c.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		}})
		ahead.Store(int64(2 * time.Minute))
		_, err := view.JoinWith(context.Background(), r.share.Link(), view.Options{Name: "Late", AdmitWait: time.Second})
		if !errors.Is(err, view.ErrNoAnswer) {
			t.Errorf("join: %v, want ErrNoAnswer", err)
		}
		eventually(t, "the refusal audited", 5*time.Second, func() bool { return r.auditCount("share-deny") == 1 })
		if r.knockCount() != 0 || r.share.Status().BadKnocks != 1 {
			t.Errorf("knocks %d, status %+v", r.knockCount(), r.share.Status())
		}
	})
}

// A link whose host key was changed gets nothing: its knock does not open
// at the host, which ignores it without a word.
func TestWrongKeyLinkGetsNothing(t *testing.T) {
	r := newRig(t, rigOpts{})
	link := r.share.Link()
	other, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	right := base64.RawURLEncoding.EncodeToString(r.share.Invite().HostKey)
	bent := []byte(right)
	bent[40] ^= 1 // most such keys are not on the curve
	for _, tc := range []struct{ name, key string }{
		{"another host's key", base64.RawURLEncoding.EncodeToString(other.PublicKey().Bytes())},
		{"a corrupted key", string(bent)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			badBefore := r.share.Status().BadKnocks
			wrong := strings.Replace(link, "p="+right, "p="+tc.key, 1)
			sess, err := view.JoinWith(context.Background(), wrong, view.Options{Name: "Mallory", AdmitWait: 500 * time.Millisecond})
			if err == nil {
				sess.Close()
				t.Fatal("joined with a wrong key")
			}
			if errors.Is(err, view.ErrNoAnswer) {
				eventually(t, "the knock counted", 5*time.Second, func() bool { return r.share.Status().BadKnocks > badBefore })
			}
			if r.knockCount() != 0 {
				t.Errorf("the clinician was asked about a knock that did not open")
			}
		})
	}
}

// A stream frame captured on its way to a viewer and sent again through
// the host's own link is refused by the viewer and counted.
func TestReplayedFrameRejected(t *testing.T) {
	var mu sync.Mutex
	var captured [][]byte
	r := newRig(t, rigOpts{proxy: true, relayDown: func(path string, msg []byte) {
		if strings.Contains(path, "/view") && len(msg) > 2 && msg[0] == relay.OpFrame && wire.Class(msg[2]) == wire.ClassWave {
			mu.Lock()
			captured = append(captured, slices.Clone(msg[1:]))
			mu.Unlock()
		}
	}})
	f := &feeder{pub: r.share.Publish}
	sess, c := r.join("Dr. Replay")
	f.start()
	eventually(t, "wave frames captured", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(captured) >= 5
	})
	mu.Lock()
	old := captured[2]
	mu.Unlock()
	if err := r.proxy.Inject("/host", relay.AppendEnvelope(nil, relay.OpBroadcast, 0, old)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replay refused", 10*time.Second, func() bool { return sess.Stats().Replays >= 1 })
	f.stop()
	want := f.samples("ecg-ii")
	eventually(t, "the ECG complete", 10*time.Second, func() bool { return c.count("ecg-ii") >= len(want) })
	if got, gaps := c.samples("ecg-ii"); !slices.Equal(got, want) || gaps != 0 {
		t.Errorf("after the replay: %d samples, %d gaps; want the %d sent once each", len(got), gaps, len(want))
	}
}

// What crosses the loopback between the relay and every client never
// holds a run of 8 samples (as little-endian int16 or int32, or as
// decimal text), a numeric's value, the patient's name or MRN, or the
// viewer's name.
func TestCapturedTrafficHoldsNoPlaintext(t *testing.T) {
	r := newRig(t, rigOpts{proxy: true})
	f := &feeder{pub: r.share.Publish, audio: true}
	f.start()
	_, c := r.join("Dr. Quintessa Vantablack")
	values := []float64{97.31, 123.457, 36.85}
	for i, v := range values {
		r.share.Publish("monitor", &devices.Numeric{Code: uint32(1000 + i), Label: "N", Value: v, Unit: "1", Time: time.Now()})
	}
	r.share.Publish("ecg", &devices.Event{Code: "lead-off", Text: "Electrode V5 detached", Time: time.Now()})
	eventually(t, "2 s of stream", 20*time.Second, func() bool { return c.count("ecg-ii") >= 1000 && c.count("pcg") >= 8000 })
	eventually(t, "the numerics", 10*time.Second, func() bool {
		n := 0
		c.with(func(c *collector) { n = len(c.numerics) })
		return n == len(values)
	})
	f.stop()
	raw := r.proxy.Raw()
	sid := r.share.Invite().Session.String()
	if len(raw) < 10000 || !bytes.Contains(raw, []byte("/live/"+sid+"/host?x=")) || !bytes.Contains(raw, []byte("/live/"+sid+"/view")) {
		t.Fatalf("captured %d bytes, not both the host's and the viewer's connections", len(raw))
	}
	secrets := []string{"Zebulon Quetzalcoatl", "Zebulon", "MRN-77-31-4159", "Quintessa", "Vantablack", "Electrode V5 detached"}
	for _, v := range values {
		secrets = append(secrets, strconv.FormatFloat(v, 'f', -1, 64))
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q in the captured traffic", s)
		}
	}
	checked := 0
	for _, id := range []string{"ecg-i", "ecg-ii", "ecg-iii", "pleth", "pcg"} {
		s := f.samples(id)
		for i := 0; i+8 <= len(s); i++ {
			run := s[i : i+8]
			if lowEntropy(run) {
				continue
			}
			for _, enc := range encodings(run) {
				if bytes.Contains(raw, enc) {
					t.Fatalf("%s samples %d..%d found in the traffic as %q", id, i, i+8, enc)
				}
			}
			checked++
		}
	}
	if checked < 5000 {
		t.Errorf("only %d sample runs checked", checked)
	}
}

// lowEntropy skips runs whose encodings would match innocent bytes (a
// flat line of zeros).
func lowEntropy(run []int32) bool {
	distinct := map[int32]bool{}
	for _, v := range run {
		distinct[v] = true
	}
	return len(distinct) < 3
}

func encodings(run []int32) [][]byte {
	var le16, le32 []byte
	fits16 := true
	var dec, spaced []string
	for _, v := range run {
		if v < -32768 || v > 32767 {
			fits16 = false
		}
		le16 = binary.LittleEndian.AppendUint16(le16, uint16(v))
		le32 = binary.LittleEndian.AppendUint32(le32, uint32(v))
		dec = append(dec, fmt.Sprint(v))
		spaced = append(spaced, fmt.Sprint(v))
	}
	out := [][]byte{le32, []byte(strings.Join(dec, ",")), []byte(strings.Join(spaced, " "))}
	if fits16 {
		out = append(out, le16)
	}
	return out
}
