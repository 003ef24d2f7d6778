package browser

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

	"telewave/assets"
	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// rawHost is a host written against wire and the relay envelope directly,
// so a test can send the page what a correct share never would.
type rawHost struct {
	t      testing.TB
	host   *wire.Host
	inv    wire.Invite
	conn   *websocket.Conn
	guests map[uint32]*wire.Guest
}

var rawSignal = wire.SignalDef{Handle: 1, Device: device, Signal: leadII}

func dialRawHost(t testing.TB, host *wire.Host, inv wire.Invite) *rawHost {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, inv.HostURL(), nil)
	if err != nil {
		t.Fatalf("dial the relay as host: %v", err)
	}
	conn.SetReadLimit(1 << 20)
	h := &rawHost{t: t, host: host, inv: inv, conn: conn, guests: map[uint32]*wire.Guest{}}
	t.Cleanup(func() { conn.CloseNow() })
	return h
}

func (h *rawHost) send(op byte, viewer uint32, frame []byte) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.conn.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, op, viewer, frame)); err != nil {
		h.t.Fatalf("host write: %v", err)
	}
}

// admitNext waits for a knock, admits its viewer with a grant and
// returns the viewer id.
func (h *rawHost) admitNext() uint32 {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, msg, err := h.conn.Read(ctx)
		if err != nil {
			h.t.Fatalf("host waiting for a knock: %v", err)
		}
		op, id, frame, err := relay.ParseEnvelope(msg)
		if err != nil || op != relay.OpFrom {
			continue
		}
		g, _, err := h.host.OpenKnock(frame)
		if err != nil {
			h.t.Fatalf("open knock: %v", err)
		}
		h.guests[id] = g
		h.grant(id)
		h.send(relay.OpAdmit, id, nil)
		return id
	}
}

func (h *rawHost) grant(id uint32) {
	h.t.Helper()
	f, err := h.guests[id].SealGrant(h.host.Grant(id, patient, wire.State{Signals: []wire.SignalDef{rawSignal}}))
	if err != nil {
		h.t.Fatal(err)
	}
	h.send(relay.OpUnicast, id, f)
}

func (h *rawHost) seal(c wire.Class, payload []byte) []byte {
	h.t.Helper()
	f, err := h.host.SealStream(c, payload)
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// wave seals a 40 ms chunk of lead II (seq n) stamped now.
func (h *rawHost) wave(n uint64) []byte {
	samples := make([]int32, 20)
	for i := range samples {
		samples[i] = int32(n*20+uint64(i)) % 400
	}
	now := time.Now()
	return h.seal(wire.ClassWave, wire.AppendWaves(nil, now, []wire.WaveChunk{{Handle: rawSignal.Handle, Seq: n, Time: now.Add(-40 * time.Millisecond), Samples: samples}}))
}

// TestViewerSurvivesBadFrames sends the page forged, replayed, tampered
// and undecodable frames between good ones: each is counted, none stops
// the page, a rekey is followed, and when the host goes and comes back
// the page says so and knocks again.
func TestViewerSurvivesBadFrames(t *testing.T) {
	rl := relay.New(relay.Config{ViewerPage: assets.Viewer})
	srv := httptest.NewServer(rl)
	t.Cleanup(srv.Close)
	t.Cleanup(rl.Close)
	sid, err := wire.NewSessionID()
	if err != nil {
		t.Fatal(err)
	}
	host, err := wire.NewHost(sid)
	if err != nil {
		t.Fatal(err)
	}
	inv := wire.Invite{Base: srv.URL, Session: sid, HostKey: host.PublicKey(), Expires: time.Now().Add(time.Hour)}
	h := dialRawHost(t, host, inv)
	ctx := openViewer(t, inv.Link(), "Dr Robust", 0)
	id := h.admitNext()
	waitFor(t, ctx, "admitted", `telewave.state.phase === 'watching'`, 20*time.Second)

	var good [][]byte
	for n := range uint64(5) {
		good = append(good, h.wave(n))
		h.send(relay.OpBroadcast, 0, good[n])
	}
	waitFor(t, ctx, "five frames", `telewave.stats.frames === 5`, 10*time.Second)

	forged := h.seal(wire.ClassWave, []byte("twelve bytes"))
	forged[len(forged)-3] ^= 0x40
	unknown := time.Now()
	badState, _ := json.Marshal("not a state")
	otherEpoch := h.seal(wire.ClassState, []byte("{}"))
	otherEpoch[5] = 7 // epoch 7: no key (and the tag no longer matches)
	grantNoise := append([]byte{1, byte(wire.ClassGrant), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9}, make([]byte, 40)...)
	for _, f := range [][]byte{
		forged,  // tampered: does not open
		good[2], // replayed: dropped
		h.seal(wire.ClassWave, []byte{0, 0, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 250}),                                                       // opens, payload undecodable
		h.seal(wire.ClassState, append(badState[:5:5], '{')),                                                                          // opens, JSON broken
		h.seal(wire.ClassWave, wire.AppendWaves(nil, unknown, []wire.WaveChunk{{Handle: 99, Time: unknown, Samples: []int32{1, 2}}})), // a handle never announced
		otherEpoch, // an epoch never granted
		grantNoise, // a grant that does not open
	} {
		h.send(relay.OpBroadcast, 0, f)
	}
	for n := uint64(5); n < 10; n++ {
		h.send(relay.OpBroadcast, 0, h.wave(n))
	}
	waitFor(t, ctx, "the good frames after the bad", `telewave.stats.frames === 11`, 10*time.Second)
	type counts struct{ Frames, Dropped, BadFrames, UnknownChunks int }
	if c := eval[counts](t, ctx, `telewave.stats`); c.Dropped != 1 || c.BadFrames != 5 || c.UnknownChunks != 1 {
		t.Errorf("page counted %+v; want 1 dropped (replay), 5 bad (tampered, payload, JSON, epoch, grant), 1 unknown chunk", c)
	}

	// Rekey: new-epoch frames open once the new grant arrived.
	if _, err := host.Rekey(); err != nil {
		t.Fatal(err)
	}
	h.grant(id)
	h.send(relay.OpBroadcast, 0, h.wave(10))
	waitFor(t, ctx, "the new epoch", `telewave.state.epoch === 2 && telewave.stats.frames === 12`, 10*time.Second)

	// The host goes: the page says the share ended and reconnects; the
	// host comes back and the page knocks again with a fresh key.
	h.conn.Close(websocket.StatusNormalClosure, "host restarts")
	waitFor(t, ctx, "reconnecting", `telewave.state.phase === 'reconnecting' && telewave.state.message.includes('share ended')`, 10*time.Second)
	h2 := dialRawHost(t, host, inv)
	h2.admitNext()
	waitFor(t, ctx, "watching again", `telewave.state.phase === 'watching'`, 20*time.Second)
	h2.send(relay.OpBroadcast, 0, h2.wave(11))
	waitFor(t, ctx, "frames again", `telewave.stats.frames === 13`, 10*time.Second)
}
