package browser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// vectorsPath is sync/live/wire's test vectors, from this package's dir.
var vectorsPath = filepath.Join("..", "..", "sync", "live", "wire", "testdata", "vectors.json")

// vectorsJS checks the page's modules against the vectors passed as V and
// returns a list of mismatches (empty when every byte agrees).
const vectorsJS = `(async (V) => {
	const link = await import('/m/link.js'), seal = await import('/m/seal.js'), payload = await import('/m/payload.js');
	const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
	const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
	const bad = [];
	const same = (what, got, want) => {
		const g = JSON.stringify(got), w = JSON.stringify(want);
		if (g !== w) bad.push(what + ': got ' + g.slice(0, 300) + ' want ' + w.slice(0, 300));
	};
	const inv = link.parseInvite(V.link);
	same('sid', [inv.sid, hex(inv.sidBytes)], [V.sid, V.sid_hex]);
	same('host key', [hex(inv.hostKey), link.toBase64url(inv.hostKey)], [V.host_public_hex, V.host_public_b64url]);
	same('expiry', inv.expires, V.expires_unix);
	same('viewer URL', inv.viewerURL, 'wss://relay.example:8443/live/' + V.sid + '/view');
	const v = await seal.ViewerSeal.create(inv, {privateKey: unhex(V.viewer_private_hex), publicKey: unhex(V.viewer_public_hex), keepRaw: true});
	same('ecdh', hex(await seal.ecdh(v.privateKey, inv.hostKey)), V.ecdh_hex);
	same('kv', hex(v.kvRaw), V.kv_hex);
	for (const f of V.frames) {
		const frame = unhex(f.frame_hex);
		const h = seal.parseHeader(frame);
		same(f.name + ' header', [h.cls, h.epoch, h.sender, Number(h.counter), hex(frame.subarray(6, 18))], [f.class, f.epoch, f.sender, f.counter, f.nonce_hex]);
		switch (f.class) {
		case 5: same('knock frame', hex(await v.knock(f.json)), f.frame_hex); break;
		case 6: same('viewer message frame', hex(await v.seal(f.json)), f.frame_hex); break;
		case 4: {
			const g = await v.openGrant(frame);
			same('grant', g, f.json);
			same('stream key', hex(v.cur.raw), V.stream_key_hex);
			break;
		}
		default: {
			const o = await v.openStream(frame);
			same(f.name + ' plaintext', hex(o.payload), f.plaintext_hex);
			if (f.class === 3) { same('state', JSON.parse(new TextDecoder().decode(o.payload)), f.json); break; }
			const w = payload.readWaves(o.payload);
			same(f.name + ' waves', {sent_ms: w.sent, chunks: w.chunks.map((c) => ({handle: c.handle, seq: c.seq, time_ms: c.time, flags: c.flags, samples: Array.from(c.samples)}))},
				{sent_ms: f.waves.sent_ms, chunks: f.waves.chunks.map((c) => ({handle: c.handle, seq: c.seq, time_ms: c.time_ms, flags: c.flags, samples: c.samples}))});
		}
		}
	}
	return bad;
})`

// TestVectors checks the page's link parsing, ECDH, HKDF, AES-GCM frames
// and payload decoding byte for byte against sync/live/wire's vectors:
// the knock and the marker it seals must equal the Go frames exactly.
func TestVectors(t *testing.T) {
	b, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("read the wire vectors: %v", err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("parse %s: %v", vectorsPath, err)
	}
	frames, _ := v["frames"].([]any)
	if len(frames) < 6 {
		t.Fatalf("%s has %d frames, want knock, grant, wave, audio, state and a viewer message", vectorsPath, len(frames))
	}
	ctx := moduleTab(t)
	for _, m := range eval[[]string](t, ctx, vectorsJS+`(`+string(b)+`)`) {
		t.Error(m)
	}
}
