package browser

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/wire"
)

// jsHelpers loads the viewer's modules into window.M and defines base64
// helpers, so later expressions can call them.
const jsHelpers = `(async () => {
	window.M = {
		link: await import('/m/link.js'), seal: await import('/m/seal.js'),
		payload: await import('/m/payload.js'), codec: await import('/m/wavecodec.js'),
	};
	window.b64 = (b) => btoa(String.fromCharCode(...b));
	window.unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
	window.tryOpen = async (f) => {
		try { const r = await window.V.openStream(unb64(f)); return {cls: r.cls, epoch: r.epoch, payload: b64(r.payload)}; }
		catch (e) { return {err: e.kind || 'thrown', msg: String(e.message)}; }
	};
	return true;
})()`

// opened is what the page made of a stream frame.
type opened struct {
	Class   int    `json:"cls"`
	Epoch   uint32 `json:"epoch"`
	Payload []byte `json:"payload"` // base64 in JSON
	Err     string `json:"err"`
	Msg     string `json:"msg"`
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestSealInterop runs a share between the Go host (sync/live/wire) and the
// page's seal: the page's knock opens in Go (so its ECDH, HKDF, nonce and
// associated data match byte for byte), Go's grant and stream frames open
// in the page with the payloads intact, the page's marker opens in Go, and
// the page refuses replays, tampering, unknown epochs and old epochs after
// a rekey as wire.Viewer does.
func TestSealInterop(t *testing.T) {
	ctx := moduleTab(t)
	eval[bool](t, ctx, jsHelpers)
	sid, err := wire.NewSessionID()
	if err != nil {
		t.Fatal(err)
	}
	host, err := wire.NewHost(sid)
	if err != nil {
		t.Fatal(err)
	}
	inv := wire.Invite{Base: "http://127.0.0.1:8080", Session: sid, HostKey: host.PublicKey(), Expires: time.Unix(1_900_000_000, 0)}

	type parsed struct {
		SID       string `json:"sid"`
		HostKey   string `json:"hostKey"`
		Expires   int64  `json:"expires"`
		ViewerURL string `json:"viewerURL"`
		Knock     string `json:"knock"`
	}
	got := eval[parsed](t, ctx, fmt.Sprintf(`(async () => {
		const inv = M.link.parseInvite(%s);
		window.V = await M.seal.ViewerSeal.create(inv);
		const k = await V.knock({name: 'Dr Ana Müller', client: 'browser'});
		return {sid: inv.sid, hostKey: b64(inv.hostKey), expires: inv.expires, viewerURL: inv.viewerURL, knock: b64(k)};
	})()`, jsArg(t, inv.Link()+"&x2=ignored")))
	if got.SID != sid.String() || got.HostKey != b64(inv.HostKey) || got.Expires != inv.Expires.Unix() || got.ViewerURL != inv.ViewerURL() {
		t.Fatalf("page parsed the invite as %+v, want sid %s, expiry %d, %s", got, sid, inv.Expires.Unix(), inv.ViewerURL())
	}
	knockFrame, _ := base64.StdEncoding.DecodeString(got.Knock)
	guest, knock, err := host.OpenKnock(knockFrame)
	if err != nil {
		t.Fatalf("Go host cannot open the page's knock: %v", err)
	}
	if knock.Name != "Dr Ana Müller" || knock.Client != "browser" {
		t.Fatalf("knock = %+v", knock)
	}

	patient := wire.Patient{Name: "Jane Roe", MRN: "MRN-0042"}
	alarms := []wire.AlarmRec{{ID: "hr-high", Priority: devices.High, Text: "HR 142 > 120", Flashing: true}}
	snap := wire.State{Time: 1, Signals: []wire.SignalDef{{Handle: 3, Device: "sim", Signal: devices.Signal{ID: "ecg-ii", Label: "II", Kind: devices.KindECG, Unit: "mV", SampleRate: 500, Scale: 0.005}}},
		Numerics: []wire.NumericRec{{Device: "sim", Numeric: devices.Numeric{Code: 147842, Label: "HR", Value: 72, Unit: "/min"}}}, Alarms: &alarms}
	grantFrame, err := guest.SealGrant(host.Grant(7, patient, snap))
	if err != nil {
		t.Fatal(err)
	}
	type grantView struct {
		Epoch   uint32       `json:"epoch"`
		Viewer  uint32       `json:"viewer"`
		Patient wire.Patient `json:"patient"`
		State   wire.State   `json:"state"`
	}
	g := eval[grantView](t, ctx, `V.openGrant(unb64(`+jsArg(t, b64(grantFrame))+`))`)
	if g.Epoch != host.Epoch() || g.Viewer != 7 || g.Patient != patient || len(g.State.Signals) != 1 || g.State.Alarms == nil || (*g.State.Alarms)[0].Text != alarms[0].Text {
		t.Fatalf("page opened the grant as %+v", g)
	}

	chunks := []wire.WaveChunk{
		{Handle: 3, Seq: 9, Time: time.UnixMilli(1_750_000_000_000), Samples: []int32{0, -5, 120, 900, -3000}},
		{Handle: 4, Seq: 2, Time: time.UnixMilli(1_749_999_999_990), Flags: devices.GapBefore, Samples: []int32{-1, -2, -3}},
	}
	wave := wire.AppendWaves(nil, time.UnixMilli(1_750_000_000_040), chunks)
	state, _ := json.Marshal(wire.State{Time: 5, Numerics: snap.Numerics})
	var frames [][]byte
	for _, p := range []struct {
		c wire.Class
		b []byte
	}{{wire.ClassWave, wave}, {wire.ClassAudio, wave[:8]}, {wire.ClassState, state}} {
		f, err := host.SealStream(p.c, p.b)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	open := func(f []byte) opened { return eval[opened](t, ctx, `tryOpen(`+jsArg(t, b64(f))+`)`) }
	for i, want := range []wire.Class{wire.ClassWave, wire.ClassAudio, wire.ClassState} {
		o := open(frames[i])
		if o.Err != "" || o.Class != int(want) || o.Epoch != host.Epoch() {
			t.Fatalf("frame %d: page opened %+v", i, o)
		}
		if !bytes.Equal(o.Payload, [][]byte{wave, wave[:8], state}[i]) {
			t.Errorf("frame %d: payload differs from what the host sealed", i)
		}
	}

	next, _ := host.SealStream(wire.ClassState, state)
	tampered := slices.Clone(next)
	tampered[len(tampered)-1] ^= 1
	moved := slices.Clone(next)
	moved[1] = byte(wire.ClassWave) // class is in the associated data
	cases := []struct {
		name  string
		frame []byte
		want  string
	}{
		{"replay", frames[1], "replay"},
		{"tampered tag", tampered, "auth"},
		{"class changed", moved, "auth"},
		{"too short", frames[0][:20], "frame"},
		{"grant where stream expected", grantFrame, "frame"},
	}
	for _, c := range cases {
		if o := open(c.frame); o.Err != c.want {
			t.Errorf("%s: page gave %+v, want a %q refusal", c.name, o, c.want)
		}
	}
	if o := open(next); o.Err != "" {
		t.Errorf("the next frame after refused ones (a counter gap is normal) did not open: %+v", o)
	}

	// Rekey: a frame of the new epoch does not open before its grant; the
	// old epoch's frame in flight still opens after it; once the new epoch
	// was seen, old-epoch frames are refused.
	inFlight, _ := host.SealStream(wire.ClassState, state)
	straggler, _ := host.SealStream(wire.ClassState, state)
	if _, err := host.Rekey(); err != nil {
		t.Fatal(err)
	}
	fresh, _ := host.SealStream(wire.ClassState, state)
	if o := open(fresh); o.Err != "epoch" {
		t.Errorf("new-epoch frame before its grant: %+v, want an epoch refusal", o)
	}
	grant2, _ := guest.SealGrant(host.Grant(7, patient, wire.State{}))
	eval[grantView](t, ctx, `V.openGrant(unb64(`+jsArg(t, b64(grant2))+`))`)
	if o := open(inFlight); o.Err != "" {
		t.Errorf("old-epoch frame in flight after the rekey: %+v", o)
	}
	if o := open(fresh); o.Err != "" || o.Epoch != host.Epoch() {
		t.Errorf("new-epoch frame after its grant: %+v", o)
	}
	if o := open(straggler); o.Err != "replay" {
		t.Errorf("old-epoch frame after the new epoch was seen: %+v, want replay", o)
	}
	if o := eval[opened](t, ctx, `V.openGrant(unb64(`+jsArg(t, b64(grantFrame))+`)).then(() => ({}), e => ({err: e.kind}))`); o.Err != "replay" {
		t.Errorf("replayed first grant: %+v, want replay", o)
	}

	marker := eval[string](t, ctx, `V.seal({marker: {t: 1750000000123, device: 'sim', signal: 'ecg-ii'}}).then(b64)`)
	mf, _ := base64.StdEncoding.DecodeString(marker)
	m, err := guest.Open(mf)
	if err != nil {
		t.Fatalf("Go cannot open the page's marker: %v", err)
	}
	if m.Marker == nil || m.Marker.Time != 1750000000123 || m.Marker.Device != "sim" || m.Marker.Signal != "ecg-ii" {
		t.Errorf("marker = %+v", m.Marker)
	}
	if _, err := guest.Open(mf); err == nil {
		t.Error("Go accepted the page's marker twice")
	}
}
